"""Writes of the sales feature: the order import (`importing`) and the stored attribution (`attribution`)."""
