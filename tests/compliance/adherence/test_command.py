"""`manage.py adherence` (contracts §10): files in, JSON lines out; bad input exits 2 with nothing out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.compliance.adherence import crafted

ROOT = Path(__file__).resolve().parents[3]


def _files(tmp_path: Path, *, with_shop_field: bool) -> tuple[Path, Path]:
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps({"slot_minutes": 30, "shift_templates": crafted.TEMPLATES,
                                  "assignments": crafted.ASSIGNMENTS}), encoding="utf-8")
    sessions = tmp_path / "sessions.jsonl"
    lines = []
    for session_id, shop, messages in crafted.SESSIONS:
        row = {"session_id": session_id, "buyer": "b", "messages": messages}
        if with_shop_field or shop != "A":
            row["shop"] = shop
        lines.append(json.dumps(row, ensure_ascii=False))
    sessions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return roster, sessions


def test_command_prints_one_line_per_assignment(tmp_path, capsys):
    roster, sessions = _files(tmp_path, with_shop_field=False)  # shop A's lines rely on --shop
    call_command("adherence", "--roster", str(roster), "--sessions", str(sessions), "--shop", "A")
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out == crafted.EXPECTED
    assert list(out[0]) == ["agent", "date", "shift", "shop", "demand_slots", "active_demand_slots", "adherence",
                            "first_activity", "last_activity", "late_minutes", "no_show", "idle_waits"]


def test_command_grace_option(tmp_path, capsys):
    roster, sessions = _files(tmp_path, with_shop_field=True)
    call_command("adherence", "--roster", str(roster), "--sessions", str(sessions), "--grace-minutes", "0")
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["late_minutes"] for r in out] == [20, None, 3, 2, 0, 25, 0]


def test_bad_lines_exit_2_and_print_nothing(tmp_path):
    roster, sessions = _files(tmp_path, with_shop_field=True)
    sessions.write_text(sessions.read_text() + '{"session_id": "x", "messages": [{"sender": "buyer", "sent_at": "yesterday"}]}\nnot json\n')
    done = subprocess.run(
        [sys.executable, "manage.py", "adherence", "--roster", str(roster), "--sessions", str(sessions)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"{sessions}:10: shop: the line names no shop" in done.stderr
    assert f"{sessions}:11: not valid JSON" in done.stderr


def test_bad_roster_names_the_field(tmp_path):
    roster, sessions = _files(tmp_path, with_shop_field=True)
    roster.write_text(json.dumps({"shift_templates": crafted.TEMPLATES, "assignments": [{"agent": "a", "shop": "A",
                                                                                         "date": "2026-12-01", "shift": "Z"}]}))
    with pytest.raises(CommandError, match=r"assignments\[0\]\.shift: unknown shift 'Z'") as caught:
        call_command("adherence", "--roster", str(roster), "--sessions", str(sessions))
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="No such file"):
        call_command("adherence", "--roster", str(tmp_path / "nope.json"), "--sessions", str(sessions))
