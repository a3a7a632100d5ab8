"""Commands run against a database that was never migrated say so instead of failing with a traceback."""

import pytest

from tests.agency.test_settings import run_manage


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["compliance_scan", "--platform", "pdd"], '{"id": "m1", "text": "加我微信"}\n'),
        (["load_rules"], ""),
    ],
)
def test_unmigrated_database_is_named_with_the_fix(tmp_path, args, stdin):
    database = tmp_path / "never-migrated.sqlite3"
    result = run_manage(*args, stdin=stdin, DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 1
    assert "the database is not migrated" in result.stderr
    assert "manage.py migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_migrated_database_runs_the_command(tmp_path):
    database = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    assert run_manage("migrate", "--noinput", DATABASE_URL=database).returncode == 0
    result = run_manage("load_rules", DATABASE_URL=database)
    assert result.returncode == 0, result.stderr
    assert "pdd: v1" in result.stdout

