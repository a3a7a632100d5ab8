"""The commercial side of an engagement: the price book, quotes and their revisions, contracts with
signatures and amendments, their PDFs and the merchant's answers in the portal, and the seat estimator
registry (`seats.py`) staffing fills."""
