"""The `clients` API router: each feature's `api.py` holds its views; `urls.py` puts them under `/api/`."""
