"""Read the shipped rule library (`compliance/rules/library/*.yaml`) into plain rule dicts per platform.

No Django here. `load_library()` returns {platform: {"name", "rules": [rule dict], "aliases": {...}}}
where every rule dict carries the engine keys (see `scanner.py`) plus `platform_rule`, `penalty` and
`explanation` for people. Bad files raise `LibraryError` naming the file and the rule.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from compliance.engine.scanner import CATEGORIES, DETECTORS, SEVERITIES

PLATFORMS = ("taobao", "tmall", "pdd", "jd", "douyin")
RULES_DIR = Path(__file__).resolve().parent.parent / "rules" / "library"
_RULE_KEYS = {
    "id", "category", "terms", "severity", "suggestion", "explanation", "allow", "evasion", "detector",
    "platforms", "platform_rule", "penalty", "all", "unless", "scope", "question", "homophones", "negatable",
}


class LibraryError(ValueError):
    pass


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise LibraryError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise LibraryError(f"{path.name}: expected a mapping at the top")
    return data


def _platforms_of(spec: object, where: str) -> dict[str, dict[str, Any]]:
    if spec is None:
        return {p: {} for p in PLATFORMS}
    if isinstance(spec, list):
        spec = {p: {} for p in spec}
    if not isinstance(spec, dict):
        raise LibraryError(f"{where}: platforms must be a list or a mapping")
    for p in spec:
        if p not in PLATFORMS:
            raise LibraryError(f"{where}: unknown platform {p!r}")
    return {p: dict(v or {}) for p, v in spec.items()}


def _finish(rule: dict[str, Any], where: str) -> dict[str, Any]:
    unknown = set(rule) - _RULE_KEYS
    if unknown:
        raise LibraryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if rule.get("category") not in CATEGORIES:
        raise LibraryError(f"{where}: category {rule.get('category')!r} is not one of {', '.join(CATEGORIES)}")
    if rule.get("severity") not in SEVERITIES:
        raise LibraryError(f"{where}: severity {rule.get('severity')!r} is not one of {', '.join(SEVERITIES)}")
    if rule.get("detector") and rule["detector"] not in DETECTORS:
        raise LibraryError(f"{where}: unknown detector {rule['detector']!r}")
    if not rule.get("detector") and not rule.get("terms") and not rule.get("all"):
        raise LibraryError(f"{where}: needs terms or a detector (or all: a combination)")
    return {
        "id": str(rule["id"]),
        "category": rule["category"],
        "severity": rule["severity"],
        "terms": [str(t) for t in rule.get("terms") or []],
        "evasion": bool(rule.get("evasion")),
        "allow": [str(a) for a in rule.get("allow") or []],
        "detector": rule.get("detector") or "",
        "suggestion": rule.get("suggestion") or "",
        "explanation": rule.get("explanation") or "",
        "platform_rule": rule.get("platform_rule") or "",
        "penalty": rule.get("penalty") or "",
        "all": [[str(t) for t in group] for group in rule.get("all") or []],
        "unless": [str(t) for t in rule.get("unless") or []],
        "scope": rule.get("scope") or "clause",
        "question": bool(rule.get("question")),
        "homophones": bool(rule.get("homophones")),
        "negatable": bool(rule.get("negatable")),
    }


def load_library(rules_dir: Path | str | None = None) -> dict[str, dict[str, Any]]:
    base = Path(rules_dir) if rules_dir else RULES_DIR
    aliases_raw = _read(base / "aliases.yaml")
    aliases = {str(k): [str(v) for v in (vals or [])] for k, vals in aliases_raw.items()}
    out: dict[str, dict[str, Any]] = {}
    category_info: dict[str, dict[Any, Any]] = {}  # category -> its platform_rule and penalty
    for platform in PLATFORMS:
        data = _read(base / f"{platform}.yaml")
        if data.get("platform") != platform:
            raise LibraryError(f"{platform}.yaml: platform field must be {platform!r}")
        out[platform] = {"name": data.get("name") or platform, "rules": [], "aliases": aliases}
        category_info[platform] = data.get("categories") or {}
        for n, rule in enumerate(data.get("rules") or [], start=1):
            where = f"{platform}.yaml rule #{n} ({rule.get('id', '?')})"
            info = category_info[platform].get(rule.get("category"), {})
            merged = {"platform_rule": info.get("platform_rule"), "penalty": info.get("penalty"), **rule}
            out[platform]["rules"].append(_finish(merged, where))
    for path in sorted((base / "shared").glob("*.yaml")):
        data = _read(path)
        category = data.get("category")
        defaults = dict(data.get("defaults") or {})
        default_platforms = defaults.pop("platforms", None)
        for n, rule in enumerate(data.get("rules") or [], start=1):
            where = f"shared/{path.name} rule #{n} ({rule.get('id', '?')})"
            rule = dict(rule)
            platforms = _platforms_of(rule.pop("platforms", default_platforms), where)
            for platform, overrides in platforms.items():
                info = category_info[platform].get(category, {})
                merged = {
                    "category": category,
                    "platform_rule": info.get("platform_rule"),
                    "penalty": info.get("penalty"),
                    **defaults,
                    **rule,
                    **overrides,
                }
                out[platform]["rules"].append(_finish(merged, where))
    for platform, pack in out.items():
        seen = set()
        for rule in pack["rules"]:
            if rule["id"] in seen:
                raise LibraryError(f"{platform}: rule id {rule['id']} appears twice")
            seen.add(rule["id"])
    return out


def content_hash(rules: list[dict[str, Any]], aliases: dict[str, list[str]], model: str = "") -> str:
    """A stable digest of what a rule set would scan with (used to make loading idempotent); `model` is
    the classifier's sha256, part of the version like the rules."""
    content: dict[str, Any] = {"rules": sorted(rules, key=lambda r: r["id"]), "aliases": aliases}
    if model:
        content["model"] = model
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
