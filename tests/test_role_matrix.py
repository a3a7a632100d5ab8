"""The role matrix: every URL pattern of the site × every role → the status a GET answers.

This table is the one place that says who may open what. The test walks every URL pattern Django knows
(the admin aside, which is Django's own staff check), so a new page or endpoint that is not in the table
fails it, and every cell is checked. Ids in the URLs name no object (999999, `no-such`): a role that may use
the page gets past the role check and meets a 404 (or the page itself), a role that may not gets a 403
before any lookup, an anonymous visitor goes to the login page (pages) or gets a 401 (API).

Columns: anonymous, manager, inspector, agent, team lead (an agent who leads a team), merchant user.
Rules the table holds (issue 12): inspectors see no commercial terms (quotes, contracts, price books, PDFs);
agents and merchants get 403 on staff pages (/jobs/, /quality/disputes/ unless leading a team); merchants
cannot import sessions; the API schema and docs are behind login.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from agency.models import Team
from tests.factories import AgentFactory, InspectorFactory, ManagerFactory, MerchantUserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "manager", "inspector", "agent", "lead", "merchant")

# URL name → the method tried and the status each role gets, in the order of ROLES. A page or endpoint that
# only takes POST is tried with an empty POST (CSRF checks are off in the test client): the role check must
# still answer before anything is looked up or written.
MATRIX: dict[str, str] = {
    # name: method anonymous manager inspector agent lead merchant
    # sales attribution (contracts §8) and monthly statements (§9): statements are commercial, so not for inspectors
    "clients:contract-billing": "GET 302 404 403 403 403 403",
    "clients:statement-list": "GET 302 200 403 403 403 200",
    "clients:statement-detail": "GET 302 404 403 403 403 404",
    "clients:statement-pdf": "GET 302 404 403 403 403 404",
    "clients:statement-xlsx": "GET 302 404 403 403 403 404",
    "clients:statement-confirm": "POST 302 403 403 403 403 404",
    "clients:statement-dispute": "POST 302 403 403 403 403 404",
    "clients:statement-issue": "POST 302 404 403 403 403 403",
    "clients:statement-recompute": "POST 302 404 403 403 403 403",
    "clients:statement-revise": "POST 302 404 403 403 403 403",
    "clients:statements-generate": "POST 302 302 403 403 403 403",
    "quality:order-detail": "GET 302 404 404 404 404 404",
    "quality:order-import": "GET 302 200 200 403 403 200",
    "quality:order-list": "GET 302 200 200 200 200 200",
    "quality:sales-overview": "GET 302 200 200 200 200 200",
    "quality:sales-shop": "GET 302 404 404 403 403 404",
    "sales-api-day-list": "GET 401 200 200 200 200 200",
    "sales-api-order-detail": "GET 401 404 404 404 404 404",
    "sales-api-order-import": "POST 401 400 400 403 403 400",
    "sales-api-order-list": "GET 401 200 200 200 200 200",
    "statement-list": "GET 401 200 403 403 403 200",
    "statement-detail": "GET 401 404 403 403 403 404",
    "statement-confirm": "POST 401 403 403 403 403 404",
    "statement-dispute": "POST 401 403 403 403 403 404",
    "statement-issue": "POST 401 404 403 403 403 403",
    "statement-revise": "POST 401 404 403 403 403 403",
    "statement-generate": "POST 401 400 403 403 403 403",
    "api-docs": "GET 401 200 200 200 200 200",
    "api-schema": "GET 401 200 200 200 200 200",
    "api-token": "POST 400 400 400 400 400 400",
    "clients:amendment-pdf": "GET 302 404 403 403 403 404",
    "clients:contract-amend": "GET 302 405 403 403 403 403",
    "clients:contract-create": "GET 302 405 403 403 403 403",
    "clients:contract-detail": "GET 302 404 403 403 403 403",
    "clients:contract-list": "GET 302 200 403 403 403 200",
    "clients:contract-pdf": "GET 302 404 403 403 403 404",
    "clients:contract-signed-pdf": "GET 302 404 403 403 403 404",
    "clients:contract-send": "GET 302 405 403 403 403 403",
    "clients:contract-sign": "GET 302 405 403 403 403 403",
    "clients:engagement-board": "GET 302 200 403 403 403 403",
    "clients:engagement-create": "GET 302 200 403 403 403 403",
    "clients:engagement-detail": "GET 302 404 403 403 403 403",
    "clients:engagement-edit": "GET 302 404 403 403 403 403",
    "clients:engagement-note": "GET 302 405 403 403 403 403",
    "clients:engagement-stage": "GET 302 405 403 403 403 403",
    "clients:golive": "GET 302 404 404 404 404 404",
    "clients:golive-confirm": "POST 302 404 404 404 404 404",
    "clients:handover-acknowledge": "POST 302 404 404 404 404 404",
    "clients:handover-create": "POST 302 400 403 403 403 400",
    "clients:handover-detail": "GET 302 404 404 404 404 404",
    "clients:handover-entry-add": "POST 302 404 404 404 404 404",
    "clients:handover-entry-remove": "POST 302 404 404 404 404 404",
    "clients:handover-import": "POST 302 404 404 404 404 404",
    "clients:handover-list": "GET 302 200 200 200 200 200",
    "clients:handover-new-version": "POST 302 404 404 404 404 404",
    "clients:knowledge": "GET 302 200 200 200 200 200",
    "clients:portal": "GET 302 200 200 200 200 200",
    "clients:portal-contract": "GET 302 403 403 403 403 404",
    "clients:portal-engagement": "GET 302 404 404 404 404 404",
    "clients:portal-quote": "GET 302 403 403 403 403 404",
    "clients:portal-quote-accept": "GET 302 403 403 403 403 405",
    "clients:portal-quote-decline": "GET 302 403 403 403 403 405",
    "clients:price-books": "GET 302 200 403 403 403 403",
    "clients:quote-create": "GET 302 405 403 403 403 403",
    "clients:quote-detail": "GET 302 404 403 403 403 403",
    "clients:quote-list": "GET 302 200 403 403 403 200",
    "clients:quote-pdf": "GET 302 404 403 403 403 404",
    "clients:quote-send": "GET 302 405 403 403 403 403",
    "clients:shop-detail": "GET 302 404 404 404 404 404",
    "clients:shop-list": "GET 302 200 200 200 200 200",
    "compliance-check": "POST 401 400 400 400 400 400",
    "compliance:adherence": "GET 302 200 200 302 302 200",
    "compliance:adherence-agent": "GET 302 404 404 404 404 404",
    "compliance:adherence-compute": "POST 302 302 403 403 403 403",
    "compliance:adherence-shop": "GET 302 404 404 404 404 404",
    "compliance:intraday": "GET 302 200 403 403 403 403",
    "compliance:intraday-refresh": "POST 302 302 403 403 403 403",
    "compliance:intraday-accept": "POST 302 404 403 403 403 403",
    "compliance:floor": "GET 302 200 200 200 200 200",
    "compliance:classifier-switch": "POST 302 302 403 403 403 403",
    "compliance:custom-rule-create": "GET 302 200 403 403 403 403",
    "compliance:custom-rule-edit": "GET 302 404 403 403 403 403",
    "compliance:custom-rules": "GET 302 200 200 403 403 200",
    "compliance:draft-create": "POST 302 302 403 403 403 403",
    "compliance:precheck": "GET 302 200 200 200 200 200",
    "compliance:precheck-result": "POST 302 200 200 200 200 200",
    "compliance:rule-create": "GET 302 404 403 403 403 403",
    "compliance:rule-edit": "GET 302 404 403 403 403 403",
    "compliance:rule-library": "GET 302 200 200 200 200 403",
    "compliance:ruleset-detail": "GET 302 404 404 404 404 403",
    "compliance:ruleset-impact": "GET 302 404 403 403 403 403",
    "compliance:ruleset-publish": "POST 302 404 403 403 403 403",
    "compliance:retention": "GET 302 200 403 403 403 403",
    "compliance:session-detail": "GET 302 404 404 403 403 404",
    "compliance:session-import": "GET 302 200 200 403 403 403",
    "compliance:session-list": "GET 302 200 200 403 403 200",
    "compliance:violation-export": "GET 302 200 200 403 403 200",
    "compliance:violation-list": "GET 302 200 200 403 403 200",
    "contract-detail": "GET 401 404 403 403 403 404",
    "contract-list": "GET 401 200 403 403 403 200",
    "contract-sign": "GET 401 405 403 403 403 405",
    "dashboard": "GET 302 200 200 200 200 200",
    "engagement-detail": "GET 401 404 403 403 403 404",
    "engagement-go-live": "GET 401 404 404 404 404 404",
    "engagement-list": "GET 401 200 403 403 403 200",
    "handover-batch-detail": "GET 401 404 404 404 404 404",
    "handover-batch-list": "GET 401 200 200 200 200 200",
    "job-detail": "GET 302 404 404 404 404 404",
    "job-download": "GET 302 404 404 404 404 404",
    "job-retry": "POST 302 404 404 404 404 404",
    "job-list": "GET 302 200 200 403 403 403",
    "knowledge-search": "GET 401 200 200 200 200 200",
    "login": "GET 200 302 302 302 302 302",
    "logout": "POST 302 302 302 302 302 302",
    "qa-review-detail": "GET 401 404 404 404 404 404",
    "qa-review-dispute": "POST 401 404 404 404 404 404",
    "qa-review-list": "GET 401 200 200 200 200 200",
    "qa-session-autoqa": "GET 401 404 404 404 404 404",
    "quality-alert-list": "GET 401 200 200 403 403 200",
    "quality-session-detail": "GET 401 404 404 404 404 404",
    "quality-session-list": "GET 401 404 404 404 404 404",
    "quality-shop-days": "GET 401 404 404 404 404 404",
    "quality:alert": "GET 302 404 404 404 404 404",
    "quality:alert-ack": "POST 302 404 404 403 403 403",
    "quality:alert-list": "GET 302 200 200 403 403 403",
    "quality:alerts-bulk-ack": "POST 302 302 302 403 403 403",
    "quality:inbox": "GET 302 200 200 403 403 403",
    "quality:inbox-read": "POST 302 302 302 403 403 403",
    "quality:notification-rules": "GET 302 200 200 403 403 403",
    "quality:notification-rule": "GET 302 404 404 403 403 403",
    "quality:notification-rule-delete": "POST 302 404 404 403 403 403",
    "quality:autoqa": "GET 302 200 200 403 403 403",
    "quality:autoqa-check": "POST 302 404 403 403 403 403",
    "quality:autoqa-rescore": "POST 302 302 403 403 403 403",
    "quality:calibration": "GET 302 200 200 403 403 403",
    "quality:calibration-detail": "GET 302 404 404 403 403 403",
    "quality:disputes": "GET 302 200 200 403 200 403",
    "quality:metrics-recompute": "POST 302 302 403 403 403 403",
    "quality:my-quality": "GET 302 403 403 200 200 403",
    "quality:merchant-data-export": "GET 302 403 403 403 403 200",
    "quality:overview": "GET 302 200 200 403 403 200",
    "quality:queue": "GET 302 200 200 403 403 403",
    "quality:review": "GET 302 404 404 403 403 403",
    "quality:review-detail": "GET 302 404 404 404 404 404",
    "quality:reviews": "GET 302 200 200 200 200 200",
    "quality:sampling": "GET 302 200 200 403 403 403",
    "quality:sampling-run": "POST 302 404 404 403 403 403",
    "quality:scorecard-detail": "GET 302 404 404 403 403 403",
    "quality:scorecard-edit": "GET 302 404 404 403 403 403",
    "quality:scorecard-new": "GET 302 200 200 403 403 403",
    "quality:scorecards": "GET 302 200 200 403 403 403",
    "quality:scores": "GET 302 200 200 403 403 403",
    "quality:session": "GET 302 404 404 404 404 404",
    "quality:session-metrics": "GET 302 404 404 404 404 404",
    "quality:shop": "GET 302 404 404 404 404 404",
    "quality:shop-report": "GET 302 404 404 404 404 404",
    "quality:shop-sessions": "GET 302 404 404 404 404 404",
    "quality:shop-sessions-csv": "GET 302 404 404 404 404 404",
    "quality:sla-profile-edit": "GET 302 404 403 403 403 403",
    "quality:sla-profiles": "GET 302 200 200 403 403 403",
    "quote-accept": "GET 401 405 403 403 403 405",
    "quote-decline": "GET 401 405 403 403 403 405",
    "quote-detail": "GET 401 404 403 403 403 404",
    "quote-list": "GET 401 200 403 403 403 200",
    "quote-revise": "GET 401 405 403 403 403 405",
    "quote-send": "GET 401 405 403 403 403 405",
    "session-detail": "GET 401 404 404 403 403 404",
    "session-import": "GET 401 405 405 403 403 403",
    "session-list": "GET 401 200 200 403 403 200",
    "set_language": "GET 302 302 302 302 302 302",
    "shop-detail": "GET 401 404 404 404 404 404",
    "shop-list": "GET 401 200 200 200 200 200",
    "staffing-attempts": "GET 401 200 200 200 200 200",
    # the roster API: the pages' scopes (agents have "my shifts", merchants see rosters but no agents' time)
    "roster-list": "GET 401 200 200 403 403 200",
    "roster-detail": "GET 401 404 404 403 403 404",
    "roster-solve": "POST 401 404 403 403 403 403",
    "roster-coverage": "GET 401 404 404 403 403 404",
    "roster-publish": "POST 401 404 403 403 403 403",
    "shift-list": "GET 401 200 200 200 200 403",
    "shift-detail": "GET 401 404 404 404 404 403",
    "shift-swap-options": "GET 401 403 403 404 404 403",
    "leave-list": "GET 401 200 403 200 200 403",
    "leave-detail": "GET 401 404 403 404 404 403",
    "leave-cancel": "POST 401 403 403 404 404 403",
    "leave-approve": "POST 401 404 403 403 403 403",
    "leave-decline": "POST 401 404 403 403 403 403",
    "swap-list": "GET 401 200 403 200 200 403",
    "swap-detail": "GET 401 404 403 404 404 403",
    "swap-accept": "POST 401 403 403 404 404 403",
    "swap-withdraw": "POST 401 403 403 404 404 403",
    "swap-approve": "POST 401 404 403 403 403 403",
    "swap-reject": "POST 401 404 403 403 403 403",
    "staffing-erlang": "POST 401 400 400 400 400 400",
    "staffing-forecast": "GET 401 404 404 404 404 404",
    "staffing-forecast-accuracy": "GET 401 404 404 403 403 404",
    "staffing:attempt-detail": "GET 302 404 404 404 404 404",
    "staffing:course-detail": "GET 302 404 404 404 404 403",
    "staffing:exam-detail": "GET 302 404 404 404 404 403",
    "staffing:exam-start": "POST 302 404 404 404 404 404",
    "staffing:forecast-index": "GET 302 200 200 403 403 200",
    "staffing:forecast-shop": "GET 302 404 404 404 404 404",
    "staffing:leave-balance": "POST 302 302 403 403 403 403",
    "staffing:leave-cancel": "POST 302 403 403 404 404 403",
    "staffing:leave-decide": "POST 302 404 403 403 403 403",
    "staffing:leave-preferences": "POST 302 403 403 302 302 403",
    "staffing:leave-queue": "GET 302 200 403 403 403 403",
    "staffing:leave-request": "POST 302 403 403 302 302 403",
    "staffing:my-leave": "GET 302 302 302 200 200 302",
    "staffing:my-shifts": "GET 302 404 404 200 200 404",
    "staffing:plan-detail": "GET 302 404 404 403 403 403",
    "staffing:plan-list": "GET 302 200 200 403 403 403",
    "staffing:promotion-list": "GET 302 200 200 403 403 403",
    "staffing:roster-agents": "GET 302 404 404 404 404 404",
    "staffing:roster-demand": "POST 302 404 403 403 403 403",
    "staffing:roster-detail": "GET 302 404 404 404 404 404",
    "staffing:roster-list": "GET 302 200 200 302 302 200",
    "staffing:roster-publish": "POST 302 404 403 403 403 403",
    "staffing:roster-shop": "GET 302 404 404 404 404 404",
    "staffing:roster-solve": "POST 302 404 403 403 403 403",
    "staffing:swap-decide": "POST 302 404 403 403 403 403",
    "staffing:swap-list": "GET 302 200 403 403 403 403",
    "staffing:swap-answer": "POST 302 403 403 404 404 403",
    "staffing:swap-cancel": "POST 302 403 403 404 404 403",
    "staffing:roster-rules": "GET 302 200 403 403 403 403",
    "staffing:shift-template-new": "GET 302 200 403 403 403 403",
    "staffing:shift-template-edit": "GET 302 404 403 403 403 403",
    "staffing:roster-adopt-rules": "POST 302 404 403 403 403 403",
    "staffing:swap-request": "POST 302 404 404 404 404 404",
    "staffing:training": "GET 302 200 200 200 200 403",
}


def _patterns(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), namespace + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern):
            yield namespace + (p.name or ""), prefix + str(p.pattern)


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _example(name: str, value_kind: str) -> str:
    if value_kind == "int" or name in {"pk", "number", "entry_pk", "rule_pk", "session_id"}:
        return "999999"
    if name == "month":
        return "2026-11"
    return "no-such"


def concrete_url(pattern: str) -> str:
    """The pattern with example values: ids that name nothing."""
    url = _GROUP.sub(lambda m: _example(m.group(1), "int" if m.group(1) != "code" else "slug"), pattern)
    url = _CONVERTER.sub(lambda m: _example(m.group(2), m.group(1) or "str"), url)
    url = url.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + url


def site_urls() -> dict[str, str]:
    return {name: concrete_url(pattern) for name, pattern in _patterns(get_resolver().url_patterns)}


@pytest.fixture
def people(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    lead = AgentFactory(username="rm-lead", code="rm-lead")
    Team.objects.create(name="rm-team", lead=lead)
    return {
        "anonymous": None,
        "manager": ManagerFactory(username="rm-manager"),
        "inspector": InspectorFactory(username="rm-inspector"),
        "agent": AgentFactory(username="rm-agent", code="rm-agent"),
        "lead": lead,
        "merchant": MerchantUserFactory(username="rm-merchant"),
    }


def observed(people, urls: dict[str, str]) -> dict[str, str]:
    """For each URL, "GET s s s s s s"; a URL that answers every GET with 405 is tried with POST instead."""
    result = {}
    clients = {}
    for role, user in people.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        clients[role] = client
    # Logging out ends the session the other URLs need: it goes last.
    for name, url in sorted(urls.items(), key=lambda item: (item[0] == "logout", item[0])):
        method = MATRIX.get(name, "GET").split()[0]
        codes = [clients[role].generic(method, url).status_code for role in ROLES]
        if name not in MATRIX and set(codes[1:]) == {405}:
            method = "POST"
            codes = [clients[role].generic(method, url).status_code for role in ROLES]
        result[name] = " ".join([method, *map(str, codes)])
    return result


@pytest.mark.slow
def test_every_url_answers_every_role_as_the_matrix_says(people):
    urls = site_urls()
    seen = observed(people, urls)
    table = "\n".join(f'    "{name}": "{seen[name]}",' for name in sorted(seen))
    assert set(urls) == set(MATRIX), (
        f"not in the matrix: {sorted(set(urls) - set(MATRIX))}; gone from the site: {sorted(set(MATRIX) - set(urls))}"
        f"\nobserved:\n{table}"
    )
    wrong = {name: f"{urls[name]} expected {MATRIX[name]} got {seen[name]}" for name in urls if seen[name] != MATRIX[name]}
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in wrong.items()) + "\nobserved:\n" + table


def _column(role: str) -> dict[str, str]:
    index = ROLES.index(role) + 1
    return {name: row.split()[index] for name, row in MATRIX.items()}


def test_the_matrix_keeps_the_rules_of_issue_12():
    """The table itself holds the rules, so regenerating it from a regression would fail here."""
    inspector, agent, merchant = _column("inspector"), _column("agent"), _column("merchant")
    commercial = [n for n in MATRIX if any(w in n for w in ("quote", "contract", "price-book", "amendment"))]
    assert len(commercial) >= 20
    assert {n: inspector[n] for n in commercial if inspector[n] != "403"} == {}
    assert {n: agent[n] for n in commercial if agent[n] != "403"} == {}
    for staff_page in ("job-list", "quality:disputes", "quality:alert-list", "quality:queue", "quality:calibration"):
        assert agent[staff_page] == merchant[staff_page] == "403", staff_page
    assert merchant["compliance:session-import"] == merchant["session-import"] == "403"
    assert _column("lead")["quality:disputes"] == "200"  # a team lead resolves their team's disputes
    assert _column("anonymous")["api-schema"] == _column("anonymous")["api-docs"] == "401"
