"""The `clients` API router: each feature keeps its views and serializers in its `api/`; `urls.py` puts them under `/api/`."""
