"""A scratch PostgreSQL database beside DATABASE_URL's for one benchmark run: created empty, migrated, and
dropped at the end unless the run keeps it (`--keep`)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from urllib.parse import urlparse, urlunparse


@dataclass(frozen=True)
class ScratchDatabase:
    admin_url: str
    name: str

    def drop(self) -> None:
        _recreate(self.admin_url, self.name, drop_only=True)


def _scratch_url(base: str, suffix: str) -> tuple[str, str, str]:
    parsed = urlparse(base)
    name = parsed.path.lstrip("/") or "agency"
    scratch = f"{name}_{suffix}"
    admin = urlunparse(parsed._replace(path="/postgres"))
    return urlunparse(parsed._replace(path=f"/{scratch}")), admin, scratch


def _recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def django_on_scratch(*, bench: str, suffix: str) -> ScratchDatabase:
    """Point Django at a fresh database `<DATABASE_URL's name>_<suffix>`, set it up and migrate it."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/agency")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{bench} needs DATABASE_URL to point at PostgreSQL")
    url, admin, name = _scratch_url(base, suffix)
    _recreate(admin, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return ScratchDatabase(admin, name)
