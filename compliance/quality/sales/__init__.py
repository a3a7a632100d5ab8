"""Orders and sales attribution (contracts §8): order import, stored attribution, sales KPIs."""
