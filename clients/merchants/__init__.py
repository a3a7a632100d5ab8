"""Merchants (the agency's clients) and their shops: models, reads scoped to the caller, writes, shop pages."""
