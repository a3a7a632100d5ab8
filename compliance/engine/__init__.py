"""The compliance engine: pure Python, no Django import (tested and benchmarked alone).

    from compliance.engine import Scanner
    scanner = Scanner(rules, aliases)
    scanner.scan("加我薇信", role="agent")  -> [{"category": ..., "rule": ..., "start": 2, "end": 4, ...}]
    scanner.scan_many(texts, roles)        -> one list of hits per text

`library.load_library()` reads the shipped YAML rule library (`compliance/rules/library/`).
"""

from compliance.engine.scanner import CATEGORIES, SEVERITIES, RuleError, Scanner, cached_scanner, clear_cache

__all__ = ["Scanner", "RuleError", "cached_scanner", "clear_cache", "CATEGORIES", "SEVERITIES"]
