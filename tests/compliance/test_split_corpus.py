"""The corpus split (`compliance/engine/model/split_corpus.py`): a fixed hash decides the part, ids continue
each file's numbering, bad lines are refused, and a second run appends nothing.  No database."""

from __future__ import annotations

import json
from pathlib import Path

from compliance.engine.model.split_corpus import bucket, main, part_of, split

# sha256("pdd\t亲，在的哦") starts a4efa4b6 = 2767168694 -> 94 (train); "taobao\t亲，已经给您发货了" starts
# cb94099c = 3415476636 -> 36 (dev); "douyin\t宝子，明天发货" starts cdf7fecf = 3455581903 -> 3 (held out)
TRAIN_ONE = ("pdd", "亲，在的哦")
DEV_ONE = ("taobao", "亲，已经给您发货了")
HOLDOUT_ONE = ("douyin", "宝子，明天发货")


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _parts(tmp_path: Path) -> dict[str, Path]:
    parts = {name: tmp_path / f"{name}.jsonl" for name in ("train", "dev", "holdout")}
    _write(parts["train"], [{"id": "train-1", "platform": "jd", "text": "您好", "labels": [], "writer": "A"},
                            {"id": "train-7", "platform": "jd", "text": "在的", "labels": [], "writer": "A"}])
    _write(parts["dev"], [{"id": "dev-3", "platform": "jd", "text": "好的", "labels": [], "writer": "B"}])
    _write(parts["holdout"], [{"id": "holdout-2", "platform": "jd", "text": "稍等", "labels": [], "writer": "C"}])
    return parts


def test_the_bucket_is_the_first_eight_hex_digits_of_the_sha256_mod_100():
    assert bucket(*TRAIN_ONE) == 94 and part_of(*TRAIN_ONE) == "train"
    assert bucket(*DEV_ONE) == 36 and part_of(*DEV_ONE) == "dev"
    assert bucket(*HOLDOUT_ONE) == 3 and part_of(*HOLDOUT_ONE) == "holdout"


def test_new_messages_go_to_their_part_with_ids_continuing_and_the_writer(tmp_path):
    parts = _parts(tmp_path)
    new = tmp_path / "D.jsonl"
    _write(new, [
        {"platform": "pinduoduo", "text": TRAIN_ONE[1], "labels": []},
        {"platform": DEV_ONE[0], "text": DEV_ONE[1], "labels": [{"category": "abuse", "evidence": "发货"}], "note": "x"},
        {"platform": HOLDOUT_ONE[0], "text": HOLDOUT_ONE[1], "labels": []},
    ])
    summary = split([(new, "D")], parts)
    assert summary["appended"] == {"train": 1, "dev": 1, "holdout": 1}
    train, dev, holdout = (_read(parts[n]) for n in ("train", "dev", "holdout"))
    assert train[-1] == {"id": "train-8", "platform": "pdd", "text": TRAIN_ONE[1], "labels": [], "writer": "D"}
    assert dev[-1] == {"id": "dev-4", "platform": "taobao", "text": DEV_ONE[1],
                       "labels": [{"category": "abuse", "evidence": "发货"}], "writer": "D"}
    assert holdout[-1]["id"] == "holdout-3" and holdout[-1]["writer"] == "D"


def test_bad_lines_are_refused_and_a_second_run_appends_nothing(tmp_path, capsys):
    parts = _parts(tmp_path)
    new = tmp_path / "E.jsonl"
    _write(new, [
        {"platform": "jd", "text": "亲，不给开发票", "labels": [{"category": "commitment_breach", "evidence": "不开发票"}]},
        {"platform": "amazon", "text": "hello", "labels": []},
        {"platform": "jd", "text": "亲，好的", "labels": [{"category": "rudeness", "evidence": "好的"}]},
        {"platform": "jd", "text": "您好", "labels": []},  # already in train
        {"platform": "jd", "text": "亲，收到", "labels": []},
        {"platform": "jd", "text": "亲，收到", "labels": []},  # twice in the new file
    ])
    before = {n: len(_read(p)) for n, p in parts.items()}
    argv = [str(new), "--writer", "E"] + [a for n, p in parts.items() for a in (f"--{n}", str(p))]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert sum(summary["appended"].values()) == 1
    assert summary["duplicates"] == 2
    assert summary["refused"] == {"E.jsonl: evidence not in the text": 1, "E.jsonl: unknown platform": 1,
                                  "E.jsonl: unknown category": 1}
    assert "收到" not in json.dumps(summary, ensure_ascii=False)  # counts only, never the messages
    after_first = {n: len(_read(p)) for n, p in parts.items()}
    assert sum(after_first.values()) == sum(before.values()) + 1
    assert main(argv) == 0
    assert {n: len(_read(p)) for n, p in parts.items()} == after_first
