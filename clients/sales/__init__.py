"""The commercial side of an engagement: consultation pipeline, price book, quotes and contracts, and the
seat estimator registry (`seats.py`) staffing fills."""
