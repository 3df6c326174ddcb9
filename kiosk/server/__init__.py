"""The central server: the HTTP API kiosks sync with, and the staff dashboard (kiosk.web)
mounted under `/` of the same app."""
