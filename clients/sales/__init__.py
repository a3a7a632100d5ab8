"""The commercial side of an engagement: consultation pipeline, price book, quotes and contracts.

A sub-package of the `clients` app (models live in `clients.models`), so the knowledge-handover and
go-live work beside it can grow `clients/services.py` without stepping on this.
"""
