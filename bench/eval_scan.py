"""Precision and recall of the engine on a labelled corpus, message × category, per category, per platform
and overall, and the offset check (`text[start:end] == matched` for every hit).

    .venv/bin/python bench/eval_scan.py --corpus FILE_OR_DIR [--corpus …] [--no-model] [--mistakes N]

Scans with what `compliance_scan` uses: the shipped rule library of each message's platform and the
shipped clause classifier (`compliance/engine/model/clause_model.npz`), every category's model rule on.
No database needed.  Exit status 1 when an offset is wrong.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compliance.engine import Scanner  # noqa: E402
from compliance.engine.classifier import ClauseModel, shipped_model_bytes  # noqa: E402
from compliance.engine.corpus import Evaluation, evaluate, read_corpora, report  # noqa: E402
from compliance.engine.library import load_library  # noqa: E402


def shipped_scanners(use_model: bool = True) -> dict[str, Scanner]:
    library = load_library()
    data = shipped_model_bytes() if use_model else None
    model = ClauseModel.from_bytes(data) if data else None
    scanners = {}
    for platform, pack in library.items():
        rules = [r for r in pack["rules"] if use_model or r["detector"] != "model"]
        scanners[platform] = Scanner(rules, pack["aliases"], model=model)
    return scanners


def evaluate_corpus(paths: list[Path], use_model: bool = True) -> Evaluation:
    scanners = shipped_scanners(use_model)
    rows = read_corpora(paths)

    def scan(platform: str, texts: list[str], roles: list[str]) -> list[list[dict[str, Any]]]:
        return scanners[platform].scan_many(texts, roles)

    return evaluate(rows, scan)


def main() -> None:
    parser = argparse.ArgumentParser(description="precision/recall of the engine on a labelled corpus")
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    parser.add_argument("--no-model", action="store_true", help="rules only, no clause classifier")
    parser.add_argument("--mistakes", type=int, default=0, help="print this many wrong messages")
    parser.add_argument("--by-platform-category", action="store_true")
    args = parser.parse_args()
    ev = evaluate_corpus(args.corpus, use_model=not args.no_model)
    print(report(ev))
    if args.by_platform_category:
        s = ev.by_platform_category
        for key in sorted(s.tp.keys() | s.fp.keys() | s.fn.keys()):
            print(f"  {key:40}{s.precision(key):>8.3f}{s.recall(key):>8.3f}{s.positives(key):>6}")
    for line in ev.mistakes[: args.mistakes]:
        print(line)
    for line in ev.offset_errors[:20]:
        print("OFFSET", line)
    sys.exit(1 if ev.offset_errors else 0)


if __name__ == "__main__":
    main()
