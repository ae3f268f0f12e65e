"""The face: `app` holds the command table; one module per command parses, calls, prints."""
