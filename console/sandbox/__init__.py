"""The console's own local servers: the sample install endpoint (and the ManyChat API sandbox)."""
