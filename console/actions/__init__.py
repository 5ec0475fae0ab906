"""Actions: what an installer sees in the Flow Builder, and rehearsals of their requests as ManyChat sends them."""
