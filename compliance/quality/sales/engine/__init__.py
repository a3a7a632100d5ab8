"""The pure part of sales attribution (contracts §8): reading order files and attributing orders. No Django."""
