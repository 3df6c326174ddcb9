"""HTTP client of the central server (httpx)."""
