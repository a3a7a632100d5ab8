"""The layout is found, not listed: every feature's nav, tasks and demo modules are discovered by folder."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from agency.features import feature_module_names, feature_packages

APPS = ("agency", "clients", "staffing", "compliance")


def _files_named(name: str) -> set[str]:
    base = Path(settings.BASE_DIR)
    found = set()
    for app_name in APPS:
        for path in (base / app_name).rglob(f"{name}.py"):
            parts = path.relative_to(base).with_suffix("").parts
            if not {"migrations", "management", "api"} & set(parts):
                found.add(".".join(parts))
    return found


def test_every_tasks_nav_and_demo_module_in_the_tree_is_discovered():
    for name in ("tasks", "nav", "demo"):
        assert set(feature_module_names(name)) == _files_named(name), name


def _declared_tasks() -> set[str]:
    declared = set()
    for module_name in feature_module_names("tasks"):
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if hasattr(value, "apply_async") and getattr(value, "__module__", "") == module_name:
                declared.add(value.name)
    return declared


def test_a_fresh_worker_process_registers_every_task_and_every_scheduled_one():
    """What a worker does at start (import the default modules) must find every feature's tasks: a fresh
    process, so nothing imported by this test run can hide a task that only a hand import would load."""
    script = (
        "import django, json; django.setup(); from agency.celery import app; "
        "app.loader.import_default_modules(); print(json.dumps(sorted(app.tasks)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agency.settings"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         cwd=settings.BASE_DIR, check=True).stdout
    registered = set(json.loads(out.strip().splitlines()[-1]))
    declared = _declared_tasks()
    assert len(declared) >= 10
    assert declared <= registered, declared - registered
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered


def test_apps_come_before_their_features():
    packages = feature_packages()
    assert packages.index("clients") < packages.index("clients.sales")
    assert "compliance.quality" in packages
