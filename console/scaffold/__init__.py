"""Install endpoint projects (Python, Node) generated from an App JSON's auth section."""
