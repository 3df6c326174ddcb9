"""The central server: the HTTP API kiosks sync with (and, later, the staff dashboard)."""
