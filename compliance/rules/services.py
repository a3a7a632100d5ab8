"""The rule library on the Django side: versions, drafts, publishing, custom rules, cached scanners.

Interface other parts rely on (keep it stable):

    scanner_for(*, platform, shop=None) -> (RuleSet, Scanner)
        the platform's active published version plus, with a shop, its merchant's and its own custom
        rules; cached per process, keyed by the version and the custom rules' ids/update times.
        Loads the shipped library on a fresh database.
    ruleset_load_shipped(*, by=None) -> list[RuleSet]
        idempotent: publishes a new version of a platform only when the shipped YAML changed.
    ruleset_publish(*, ruleset, by) -> RuleSet

A published version is never edited: drafts are copies (`ruleset_draft_create`), and every hit keeps the
RuleSet that found it, so publishing never changes past results.

Custom rules (a merchant's own, `CustomRule`) are not versioned: they are scanned together with whichever
platform version scans a message, and their hits are stored under that version. Saving one can queue a
re-scan of the affected shops (`register_custom_rule_hook`); that re-scan keeps each message on the
version that scanned it (see `compliance.sessions.services.scanning.shops_rescan_custom_rules`), so a custom rule
changes its own hits and never moves a message to another platform version.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from agency.services import audit_record
from clients.models import Shop
from compliance.engine import RuleError, Scanner, cached_scanner
from compliance.engine.classifier import ClauseModel, model_from_bytes, shipped_model_bytes
from compliance.engine.library import PLATFORMS, content_hash, load_library
from compliance.rules.models import ClassifierModel, ClassifierSwitch, CustomRule, Rule, RuleSet

RULE_FIELDS = (
    "category", "severity", "terms", "evasion", "allow", "detector", "suggestion", "explanation",
    "platform_rule", "penalty", "combination", "unless", "scope", "question", "homophones",
    "negatable",
)
# library key -> Rule field, where they differ
_LIBRARY_KEYS = {"combination": "all"}


class RuleSetError(ValueError):
    pass


# Called after a version is published (on commit) as hook(ruleset=..., by=..., rescan_days=...).
# The scanning side registers its re-scan task here (a window of `rescan_days` days; 0 = none).
PUBLISH_HOOKS: list[Callable[..., object]] = []


def register_publish_hook(hook) -> None:
    if hook not in PUBLISH_HOOKS:
        PUBLISH_HOOKS.append(hook)


# Called inside `custom_rule_save`'s transaction as hook(rule=..., shop_ids=..., by=..., rescan_days=...),
# with the shops the rule covered before or covers now; returns the id of the job it queued, or None.
# The scanning side registers its re-scan here (the job row is written in the transaction, the task is
# queued on commit).
CUSTOM_RULE_HOOKS: list[Callable[..., int | None]] = []


def register_custom_rule_hook(hook) -> None:
    if hook not in CUSTOM_RULE_HOOKS:
        CUSTOM_RULE_HOOKS.append(hook)


# ---------------------------------------------------------------------------------------- reading
def active_ruleset(*, platform: str) -> RuleSet | None:
    return (
        RuleSet.objects.filter(platform=platform, status=RuleSet.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )


def _engine_rules(ruleset: RuleSet) -> list[dict]:
    return [r.as_engine_dict() for r in ruleset.rules.filter(enabled=True)]


def classifier_switched_off(*, platform: str) -> frozenset[str]:
    """The categories whose classifier a manager switched off on this platform."""
    return frozenset(
        ClassifierSwitch.objects.filter(platform=platform, enabled=False).values_list("category", flat=True)
    )


def _classifier_of(ruleset: RuleSet) -> ClauseModel | None:
    if ruleset.classifier_id is None:
        return None
    data = ClassifierModel.objects.filter(pk=ruleset.classifier_id).values_list("data", flat=True).first()
    return model_from_bytes(bytes(data)) if data is not None else None


def _build_scanner(ruleset: RuleSet, extra: list[dict], off: frozenset[str]) -> Scanner:
    rules = [
        r for r in _engine_rules(ruleset) if not (r.get("detector") == "model" and r["category"] in off)
    ]
    return Scanner(rules + extra, ruleset.aliases, model=_classifier_of(ruleset))


def scanner_for_ruleset(*, ruleset: RuleSet) -> Scanner:
    """The scanner of one version alone (its rules, combinations and classifier, less the categories
    whose classifier a manager switched off). Published versions never change, so they are cached;
    drafts change with every edit and are built afresh (they are only used for previews)."""
    off = classifier_switched_off(platform=ruleset.platform)
    if ruleset.status == RuleSet.Status.DRAFT:
        return _build_scanner(ruleset, [], off)
    key = ("ruleset", ruleset.pk, ruleset.platform, ruleset.version, ruleset.content_hash, off)
    return cached_scanner(key, lambda: _build_scanner(ruleset, [], off))


def custom_rules_for(*, shop) -> list[CustomRule]:
    return list(
        CustomRule.objects.filter(active=True, merchant_id=shop.merchant_id)
        .filter(Q(shop__isnull=True) | Q(shop=shop))
        .order_by("id")
    )


def scanner_for(*, platform: str, shop=None) -> tuple[RuleSet, Scanner]:
    if platform not in PLATFORMS:
        raise RuleSetError(f"unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
    ruleset = active_ruleset(platform=platform)
    if ruleset is None:
        ruleset_load_shipped()
        ruleset = active_ruleset(platform=platform)
        assert ruleset is not None  # the shipped library has just been published for every platform
    return ruleset, scanner_for_version(ruleset=ruleset, shop=shop)


def scanner_for_version(*, ruleset: RuleSet, shop=None) -> Scanner:
    """One published version (current or older) plus, with a shop, its merchant's and its own active
    custom rules as they are now. Cached per process like `scanner_for`."""
    customs = custom_rules_for(shop=shop) if shop is not None else []
    if not customs:
        return scanner_for_ruleset(ruleset=ruleset)
    off = classifier_switched_off(platform=ruleset.platform)
    key = (
        "ruleset+custom", ruleset.pk, ruleset.platform, ruleset.version, ruleset.content_hash, off,
        tuple((c.pk, c.updated_at.timestamp()) for c in customs),
    )

    def build() -> Scanner:
        return _build_scanner(ruleset, [c.as_engine_dict() for c in customs], off)

    return cached_scanner(key, build)


def ruleset_digest(*, ruleset: RuleSet) -> str:
    """A digest of the version's enabled rules and aliases: equal digests scan alike (a draft's digest
    tells whether it changed since an impact preview was computed)."""
    rules = _engine_rules(ruleset)
    model = (
        ClassifierModel.objects.filter(pk=ruleset.classifier_id).values_list("sha256", flat=True).first() or ""
        if ruleset.classifier_id is not None else ""
    )
    return content_hash([{**r, "suggestion": r["suggestion"] or ""} for r in rules], ruleset.aliases, model)


# ---------------------------------------------------------------------------------------- writing
def _next_version(platform: str) -> int:
    return (RuleSet.objects.filter(platform=platform).aggregate(v=Max("version"))["v"] or 0) + 1


def _retire_others(ruleset: RuleSet) -> None:
    RuleSet.objects.filter(platform=ruleset.platform, status=RuleSet.Status.PUBLISHED).exclude(pk=ruleset.pk).update(
        status=RuleSet.Status.RETIRED
    )


def ruleset_load_shipped(*, by=None) -> list[RuleSet]:
    """Load `compliance/rules/library/` into one published version per platform whose content changed."""
    library = load_library()
    classifier = _shipped_classifier()
    result = []
    for platform in PLATFORMS:
        pack = library[platform]
        digest = content_hash(pack["rules"], pack["aliases"], classifier.sha256 if classifier else "")
        for _attempt in range(3):
            try:
                result.append(_load_platform(platform, pack, digest, by, classifier))
                break
            except IntegrityError:  # another process loaded the same version at the same moment
                continue
        else:  # pragma: no cover - only under heavy contention
            raise RuleSetError(f"could not load the shipped rules for {platform}")
    return result


def _shipped_classifier() -> ClassifierModel | None:
    """The shipped clause classifier as a stored model (by content: loading twice stores it once)."""
    data = shipped_model_bytes()
    if data is None:
        return None
    model = model_from_bytes(data)
    found = ClassifierModel.objects.filter(sha256=model.digest).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ClassifierModel.objects.create(sha256=model.digest, data=data, meta=model.meta)
    except IntegrityError:  # another process stored it at the same moment
        return ClassifierModel.objects.get(sha256=model.digest)


@transaction.atomic
def _load_platform(platform: str, pack: dict, digest: str, by, classifier: ClassifierModel | None = None) -> RuleSet:
    latest = (
        RuleSet.objects.select_for_update()
        .filter(platform=platform, source=RuleSet.Source.SHIPPED)
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.content_hash == digest:
        return latest
    Scanner(pack["rules"], pack["aliases"])  # refuse to publish something the engine cannot compile
    ruleset = RuleSet.objects.create(
        classifier=classifier,
        platform=platform,
        version=_next_version(platform),
        status=RuleSet.Status.PUBLISHED,
        published_at=timezone.now(),
        source=RuleSet.Source.SHIPPED,
        content_hash=digest,
        aliases=pack["aliases"],
        notes="内置规则库",
        created_by=by if by is not None and getattr(by, "is_authenticated", False) else None,
        published_by=by if by is not None and getattr(by, "is_authenticated", False) else None,
    )
    Rule.objects.bulk_create(
        [
            Rule(ruleset=ruleset, rule_id=r["id"], **{f: r[_LIBRARY_KEYS.get(f, f)] for f in RULE_FIELDS})
            for r in pack["rules"]
        ]
    )
    _retire_others(ruleset)
    if by is not None:
        audit_record(actor=by, verb="ruleset.load_shipped", target=ruleset, data={"version": ruleset.version})
    return ruleset


@transaction.atomic
def ruleset_draft_create(*, platform: str, by) -> RuleSet:
    """The platform's open draft, or a new one copied from the active version."""
    existing = RuleSet.objects.filter(platform=platform, status=RuleSet.Status.DRAFT).order_by("-version").first()
    if existing is not None:
        return existing
    base = active_ruleset(platform=platform)
    if base is None:
        ruleset_load_shipped(by=by)
        base = active_ruleset(platform=platform)
        assert base is not None  # the shipped library has just been published for every platform
    draft = RuleSet.objects.create(
        platform=platform,
        version=_next_version(platform),
        status=RuleSet.Status.DRAFT,
        source=RuleSet.Source.EDITED,
        aliases=base.aliases,
        classifier=base.classifier,
        based_on=base,
        created_by=by,
    )
    Rule.objects.bulk_create(
        [
            Rule(ruleset=draft, rule_id=r.rule_id, enabled=r.enabled, **{f: getattr(r, f) for f in RULE_FIELDS})
            for r in base.rules.all()
        ]
    )
    audit_record(actor=by, verb="ruleset.draft", target=draft, data={"based_on": base.version})
    return draft


def _clean_list(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", "\n").replace(",", "\n").splitlines()
    return [v.strip() for v in values or [] if v and v.strip()]


@transaction.atomic
def rule_save(*, ruleset: RuleSet, by, rule_id: str, data: dict, rule: Rule | None = None) -> Rule:
    """Create or change a rule of a draft. Published versions are read-only."""
    if ruleset.status != RuleSet.Status.DRAFT:
        raise RuleSetError("只能修改草稿版本的规则")
    fields = {f: data[f] for f in RULE_FIELDS if f in data}
    for key in ("terms", "allow", "unless"):
        if key in fields:
            fields[key] = _clean_list(fields[key])
    candidate = {**(rule.as_engine_dict() if rule else {}), "id": rule_id, **fields}
    if "combination" in fields:
        candidate["all"] = fields["combination"]
    try:
        Scanner([candidate], ruleset.aliases)
    except RuleError as exc:
        raise RuleSetError(str(exc)) from exc
    if rule is None:
        if ruleset.rules.filter(rule_id=rule_id).exists():
            raise RuleSetError(f"规则编号 {rule_id} 已存在")
        rule = Rule(ruleset=ruleset, rule_id=rule_id)
    for key, value in fields.items():
        setattr(rule, key, value if value is not None else "")
    if "enabled" in data:
        rule.enabled = bool(data["enabled"])
    rule.save()
    audit_record(actor=by, verb="rule.save", target=rule, data={"ruleset": ruleset.pk, "rule": rule_id})
    return rule


@transaction.atomic
def ruleset_publish(*, ruleset: RuleSet, by, notes: str = "", rescan_days: int = 0) -> RuleSet:
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.status != RuleSet.Status.DRAFT:
        raise RuleSetError("只能发布草稿版本")
    rules = _engine_rules(ruleset)
    try:
        Scanner(rules, ruleset.aliases)
    except RuleError as exc:
        raise RuleSetError(str(exc)) from exc
    ruleset.status = RuleSet.Status.PUBLISHED
    ruleset.published_at = timezone.now()
    ruleset.published_by = by
    ruleset.content_hash = ruleset_digest(ruleset=ruleset)
    if notes:
        ruleset.notes = notes
    ruleset.save()
    _retire_others(ruleset)
    audit_record(actor=by, verb="ruleset.publish", target=ruleset, data={"version": ruleset.version, "rescan_days": rescan_days})
    published = ruleset
    for hook in list(PUBLISH_HOOKS):
        transaction.on_commit(partial(hook, ruleset=published, by=by, rescan_days=rescan_days))
    return ruleset


@transaction.atomic
def classifier_switch_set(*, platform: str, category: str, enabled: bool, by) -> ClassifierSwitch:
    """Switch the classifier of one category on one platform on or off (scans and the pre-send check
    follow at once: the scanner cache is keyed by the switches)."""
    if platform not in PLATFORMS:
        raise RuleSetError(f"unknown platform {platform!r}")
    if category not in dict(Rule._meta.get_field("category").choices or []):
        raise RuleSetError(f"unknown category {category!r}")
    switch, _created = ClassifierSwitch.objects.update_or_create(
        platform=platform, category=category, defaults={"enabled": enabled, "updated_by": by}
    )
    audit_record(
        actor=by, verb="classifier.switch", target=switch,
        data={"platform": platform, "category": category, "enabled": enabled},
    )
    return switch


def custom_rule_shop_ids(*, merchant_id: int, shop_id: int | None) -> set[int]:
    """The shops a custom rule applies to: its shop, or all of its merchant's shops."""
    if shop_id is not None:
        return {shop_id}
    return set(Shop.objects.filter(merchant_id=merchant_id).values_list("pk", flat=True))


@transaction.atomic
def custom_rule_save(
    *, merchant, by, data: dict, shop=None, rule: CustomRule | None = None, rescan_days: int = 0,
) -> CustomRule:
    """Create or change a merchant's own rule.

    With `rescan_days` > 0 the registered hooks queue a re-scan of the last `rescan_days` days of every
    shop the rule covered before or covers now (so hits of a narrowed, edited or deactivated rule go
    away); the queued job ids are left on the returned rule as `rescan_job_ids`.
    """
    terms = _clean_list(data.get("terms"))
    allow = _clean_list(data.get("allow"))
    if shop is not None and shop.merchant_id != merchant.pk:
        raise RuleSetError("店铺不属于该商家")
    if rule is not None and rule.merchant_id != merchant.pk:
        raise RuleSetError("自定义规则不能转给其他商家")
    candidate = {
        "id": "custom.new",
        "category": data.get("category"),
        "severity": data.get("severity"),
        "terms": terms,
        "allow": allow,
    }
    try:
        Scanner([candidate])
    except RuleError as exc:
        raise RuleSetError(str(exc).replace("rule custom.new: ", "")) from exc
    shop_ids = custom_rule_shop_ids(merchant_id=rule.merchant_id, shop_id=rule.shop_id) if rule is not None else set()
    rule = rule or CustomRule(merchant=merchant, created_by=by)
    rule.shop = shop
    rule.category = data["category"]
    rule.severity = data["severity"]
    rule.terms = terms
    rule.allow = allow
    rule.suggestion = data.get("suggestion") or ""
    rule.explanation = data.get("explanation") or ""
    rule.active = bool(data.get("active", True))
    rule.save()
    audit_record(
        actor=by, verb="custom_rule.save", target=rule, merchant_id=merchant.pk,
        data={"terms": terms, "rescan_days": rescan_days},
    )
    rule.rescan_job_ids = []
    if rescan_days > 0:
        shop_ids |= custom_rule_shop_ids(merchant_id=rule.merchant_id, shop_id=rule.shop_id)
        for hook in list(CUSTOM_RULE_HOOKS):
            job_id = hook(rule=rule, shop_ids=sorted(shop_ids), by=by, rescan_days=rescan_days)
            if job_id is not None:
                rule.rescan_job_ids.append(job_id)
    return rule
