"""Find the product's features and their modules by the one layout every feature follows.

An app (`clients`, `staffing`, …) is made of feature packages (`clients/sales/`, `staffing/rosters/`, …), each
with the same file names: `models.py`, `services.py`, `selectors.py`, `views.py`, `urls.py`, `tasks.py`,
`nav.py`, `demo.py`, `api/`. The shell, Celery and `demo_data` find a feature's `nav`, `tasks` and `demo`
modules here by walking the apps' folders, so adding a feature never means adding an import elsewhere.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.conf import settings

# Folders inside an app that are never features.
_NOT_FEATURES = frozenset({"migrations", "management", "templatetags", "templates", "static", "locale", "api",
                           "__pycache__"})


def _our_app_roots() -> list[tuple[str, Path]]:
    """(dotted name, folder) of every installed app that lives in this repository."""
    base = Path(settings.BASE_DIR).resolve()
    roots = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base in path.parents and ".venv" not in path.parts and "site-packages" not in path.parts:
            roots.append((config.name, path))
    return roots


@cache
def _package_folders() -> dict[str, Path]:
    """Every app package and every package inside it (by dotted name), apps first, in a stable order."""
    found: dict[str, Path] = {}
    for name, root in _our_app_roots():
        found.setdefault(name, root)
        for init in sorted(root.rglob("__init__.py")):
            folder = init.parent
            relative = folder.relative_to(root).parts
            if not relative or any(part in _NOT_FEATURES or part.startswith(".") for part in relative):
                continue
            found.setdefault(".".join((name, *relative)), folder)
    return found


def feature_packages() -> tuple[str, ...]:
    """Every app package and every feature package inside it, apps first, in a stable order."""
    return tuple(_package_folders())


def feature_module_names(module: str) -> list[str]:
    """The dotted names of every feature's `module` (e.g. "tasks"), whether a file or a package."""
    names = []
    for package, folder in _package_folders().items():
        if (folder / f"{module}.py").exists() or (folder / module / "__init__.py").exists():
            names.append(f"{package}.{module}")
    return names


def feature_modules(module: str) -> list[ModuleType]:
    """Import and return every feature's `module` (nav, demo, …)."""
    return [import_module(name) for name in feature_module_names(module)]
