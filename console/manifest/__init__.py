"""App JSON: document.py (parse, accessors) · validate.py (schema + lint) · auth_form.py (the builder)."""
