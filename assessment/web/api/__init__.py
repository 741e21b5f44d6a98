"""The open REST API under /api/v1 (issue 16): see `setup.register`."""
