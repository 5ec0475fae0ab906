"""The fire engine: prepare.py renders and checks, send.py sends, classify.py explains."""
