"""Split newly written labelled messages into the corpus's three parts by a fixed hash: reproducible.

    .venv/bin/python -m compliance.engine.model.split_corpus NEW.jsonl --writer D [NEW2.jsonl --writer E …] \\
        [--train compliance/engine/model/data/train.jsonl] [--dev compliance/engine/model/data/dev.jsonl] \\
        [--holdout tests/compliance/corpus_v2/holdout.jsonl] [--dry-run]

Every message goes to one part by `sha256(platform + "\\t" + text)`: the first 8 hex digits as an integer,
mod 100: below 35 the held-out part, 35–49 the development part, 50 and above the training part.  The
platform is the corpus's own code (`pdd`; a writer's `pinduoduo` is read as `pdd`).  Lines are appended
with the schema of the existing ones (`id`, `platform`, `text`, `labels` of `category` and `evidence`,
`writer`), ids continuing each file's numbering (`train-1718`, …).

A line that is malformed (no text, unknown platform or category, evidence that is not a substring of the
text) is refused and counted; a message already in one of the parts (same platform and text), or twice in
the new files, is appended once only, so running the script again appends nothing.  It prints counts
only: the held-out part is never shown.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from compliance.engine.scanner import CATEGORIES

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
PLATFORMS = ("taobao", "tmall", "pdd", "jd", "douyin")
PLATFORM_NAMES = {"pinduoduo": "pdd", "拼多多": "pdd", "淘宝": "taobao", "天猫": "tmall", "京东": "jd", "抖音": "douyin"}
HOLDOUT_BELOW, DEV_BELOW = 35, 50


def bucket(platform: str, text: str) -> int:
    """0–99, fixed by the platform code and the text."""
    return int(hashlib.sha256(f"{platform}\t{text}".encode()).hexdigest()[:8], 16) % 100


def part_of(platform: str, text: str) -> str:
    b = bucket(platform, text)
    return "holdout" if b < HOLDOUT_BELOW else "dev" if b < DEV_BELOW else "train"


def clean_line(raw: Any) -> dict[str, Any] | str:
    """The line in the corpus's schema, or the reason it is refused."""
    if not isinstance(raw, dict):
        return "not an object"
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        return "no text"
    platform = str(raw.get("platform") or "").strip().lower()
    platform = PLATFORM_NAMES.get(platform, platform)
    if platform not in PLATFORMS:
        return "unknown platform"
    labels = raw.get("labels")
    if not isinstance(labels, list):
        return "labels not a list"
    out = []
    for label in labels:
        if not isinstance(label, dict) or label.get("category") not in CATEGORIES:
            return "unknown category"
        evidence = label.get("evidence")
        if not isinstance(evidence, str) or not evidence or evidence not in text:
            return "evidence not in the text"
        out.append({"category": label["category"], "evidence": evidence})
    return {"platform": platform, "text": text, "labels": out}


def _numbering(path: Path, default_prefix: str) -> tuple[str, int, set[tuple[str, str]]]:
    """(id prefix, highest number used, the (platform, text) pairs already there) of one part."""
    prefix, highest, seen = default_prefix, 0, set()
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                seen.add((row["platform"], row["text"]))
                match = re.fullmatch(r"(.*?)(\d+)", str(row.get("id", "")))
                if match:
                    prefix, highest = match.group(1), max(highest, int(match.group(2)))
    return prefix, highest, seen


def split(sources: list[tuple[Path, str]], parts: dict[str, Path], dry_run: bool = False) -> dict[str, Any]:
    state = {name: _numbering(path, f"{name}-") for name, path in parts.items()}
    seen = set().union(*(s[2] for s in state.values()))
    numbers = {name: s[1] for name, s in state.items()}
    appended: dict[str, list[dict[str, Any]]] = {name: [] for name in parts}
    refused: Counter[str] = Counter()
    duplicates = 0
    for path, writer in sources:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    row = clean_line(json.loads(line))
                except json.JSONDecodeError:
                    row = "not JSON"
                if isinstance(row, str):
                    refused[f"{path.name}: {row}"] += 1
                    continue
                key = (row["platform"], row["text"])
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                name = part_of(*key)
                numbers[name] += 1
                appended[name].append({"id": f"{state[name][0]}{numbers[name]}", **row, "writer": writer})
    if not dry_run:
        for name, rows in appended.items():
            if rows:
                with parts[name].open("a", encoding="utf-8") as handle:
                    for row in rows:
                        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {
        "appended": {name: len(rows) for name, rows in appended.items()},
        "appended_by_writer": {
            name: dict(Counter(r["writer"] for r in rows)) for name, rows in appended.items()
        },
        "refused": dict(refused),
        "duplicates": duplicates,
        "lines_now": {name: numbers[name] for name in parts},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("new", type=Path, nargs="+", help="JSON-lines files of newly labelled messages")
    parser.add_argument("--writer", action="append", required=True, help="the writer of each file, in order")
    parser.add_argument("--train", type=Path, default=HERE / "data" / "train.jsonl")
    parser.add_argument("--dev", type=Path, default=HERE / "data" / "dev.jsonl")
    parser.add_argument("--holdout", type=Path, default=ROOT / "tests" / "compliance" / "corpus_v2" / "holdout.jsonl")
    parser.add_argument("--dry-run", action="store_true", help="count, write nothing")
    args = parser.parse_intermixed_args(argv)  # FILE --writer W FILE --writer W …
    if len(args.writer) != len(args.new):
        print("split_corpus: give one --writer per file", file=sys.stderr)
        return 2
    summary = split(
        list(zip(args.new, args.writer, strict=True)),
        {"train": args.train, "dev": args.dev, "holdout": args.holdout},
        dry_run=args.dry_run,
    )
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
