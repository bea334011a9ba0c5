"""Controllers of the /api/v1 data API."""
