"""The shape of the code: no import cycles between our modules, and the pure engines where the checks look.

The layers between the apps and the engines' ban on Django are import-linter contracts (`lint-imports`,
pyproject.toml); what those cannot say is checked here with grimp, the graph import-linter builds on.
"""

from __future__ import annotations

import tomllib
from collections import deque
from pathlib import Path

import grimp
import pytest

PACKAGES = ("agency", "clients", "staffing", "compliance")
ROOT = Path(__file__).resolve().parent.parent

# The modules that must stay free of Django (ARCHITECTURE.md, "Pure engines"): mypy checks them with the
# --strict flags and import-linter forbids them django, rest_framework and celery.
PURE_ENGINES = (
    "agency.charts",
    "compliance.engine",
    "compliance.masking",
    "compliance.highlight",
    "staffing.forecasting.erlang",
    "staffing.forecasting.forecast",
    "staffing.forecasting.accuracy",
    "staffing.rosters.solver",
    "compliance.quality.metrics.definitions",
    "compliance.quality.qa.autoqa",
    "compliance.quality.alerts.robots",
    "compliance.sessions.sessionfile",
    "compliance.precheck.jsonlines",
    "staffing.training.grading",
    "compliance.quality.qa.scoring",
    "clients.sales.pricing",
    "clients.handover.products",
    "compliance.adherence.engine",
    "compliance.intraday.engine",
    "compliance.quality.sales.engine",
    "clients.statements.engine",
)


def _is_migration(module: str) -> bool:
    return "migrations" in module.split(".")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # Imports inside functions count (they still tie the modules together at run time); imports under
    # `if TYPE_CHECKING:` do not (they never run).
    return grimp.build_graph(*PACKAGES, cache_dir=None, exclude_type_checking_imports=True)


def _edges(graph: grimp.ImportGraph) -> dict[str, list[str]]:
    ours = {m for m in graph.modules if m.split(".")[0] in PACKAGES and not _is_migration(m)}
    return {m: sorted(x for x in graph.find_modules_directly_imported_by(m) if x in ours) for m in sorted(ours)}


def _strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion: the groups of two or more modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if i < len(successors):
                work.append((node, i + 1))
                nxt = successors[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(groups)


def _shortest_loop(edges: dict[str, list[str]], group: list[str]) -> list[str]:
    """One concrete loop through the group's first module, as short as possible."""
    members = set(group)
    start = group[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in edges[node]:
            if nxt not in members:
                continue
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return group  # unreachable for a strongly connected group


def _describe(graph: grimp.ImportGraph, loop: list[str]) -> str:
    steps = [loop[0]]
    for importer, imported in zip(loop, loop[1:], strict=False):
        lines = sorted({d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)})
        steps.append(f"{imported} (imported at {importer} l.{', l.'.join(map(str, lines))})")
    return "\n      -> ".join(steps)


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    """Modules that import each other, even from inside a function, cannot be understood, tested or moved
    apart; where two pieces need each other, one offers a registry or a hook (ARCHITECTURE.md)."""
    edges = _edges(graph)
    groups = _strongly_connected(edges)
    report = [
        f"  {' <-> '.join(group)}\n    e.g. {_describe(graph, _shortest_loop(edges, group))}" for group in groups
    ]
    assert not groups, f"{len(groups)} import cycle(s) between our modules:\n" + "\n".join(report)


def test_pure_engines_are_checked(graph: grimp.ImportGraph) -> None:
    """Every pure engine exists under its name, is one of the import-linter contract's sources and gets
    mypy's strict flags: a renamed engine would otherwise silently fall out of both checks."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "pure-engines")
    linted: set[str] = set()
    for expression in contract["source_modules"]:
        linted |= graph.find_matching_modules(expression) if "*" in expression else {expression}
    strict = next(
        set(o["module"])
        for o in config["tool"]["mypy"]["overrides"]
        if o.get("disallow_untyped_defs") and o.get("disallow_any_generics")
    )
    problems = []
    for engine in PURE_ENGINES:
        if engine not in graph.modules:
            problems.append(f"{engine}: no such module")
            continue
        if engine not in linted:
            problems.append(f"{engine}: not a source of the import-linter contract 'pure-engines'")
        if engine not in strict:
            problems.append(f"{engine}: not in the strict mypy override in pyproject.toml")
    assert not problems, "pure engines out of the checks:\n  " + "\n  ".join(problems)
