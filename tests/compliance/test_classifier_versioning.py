"""The clause classifier as part of the versioned rule set, the managers' switch, and how its hits are
shown: library loading, the pre-send check (page and API) and the §1 hit shape."""

from __future__ import annotations

import re

import pytest

from compliance.engine.classifier import ClauseModel
from compliance.models import ClassifierModel, ClassifierSwitch, RuleSet
from compliance.rules.services import ruleset_load_shipped

from .test_engine import MODEL_ABUSE

URL = "/api/compliance/check/"


@pytest.mark.django_db
def test_loading_stores_the_shipped_classifier_once_and_every_version_points_at_it(shipped_library):
    digest = ClauseModel.load().digest
    assert ClassifierModel.objects.count() == 1
    stored = ClassifierModel.objects.get()
    assert stored.sha256 == digest and bytes(stored.data)
    assert stored.meta["seed"] and (stored.meta.get("cv") or stored.meta["dev"])["abuse"]["threshold"] <= 1.0
    assert {rs.classifier_id for rs in shipped_library} == {stored.pk}
    assert ruleset_load_shipped() == shipped_library  # unchanged library and model: no new version
    assert RuleSet.objects.count() == 5
    rules = RuleSet.objects.get(platform="pdd").rules
    assert rules.filter(detector="model").count() == 8
    combo = rules.get(rule_id="cb.fa-piao.ju-jue")
    assert combo.combination and combo.unless and combo.as_engine_dict()["all"] == combo.combination


@pytest.mark.django_db
def test_classifier_hits_through_the_api_keep_the_contract_shape(api_client_for, agent, shipped_library):
    response = api_client_for(agent).post(URL, {"platform": "pdd", "text": MODEL_ABUSE}, format="json")
    assert response.status_code == 200
    hits = response.json()["hits"]
    model_hits = [h for h in hits if h["rule"] == "ml.abuse"]
    assert model_hits and model_hits[0]["category"] == "abuse"
    for hit in hits:
        assert set(hit) == {"category", "rule", "start", "end", "matched", "severity", "suggestion"}
        assert MODEL_ABUSE[hit["start"] : hit["end"]] == hit["matched"]


@pytest.mark.django_db
def test_manager_switches_a_category_model_off_and_on_per_platform(client, manager, agent, api_client_for, shipped_library):
    api = api_client_for(agent)

    def model_rules(platform):
        response = api.post(URL, {"platform": platform, "text": MODEL_ABUSE}, format="json")
        return {h["rule"] for h in response.json()["hits"] if h["rule"].startswith("ml.")}

    assert model_rules("pdd") == {"ml.abuse"}
    client.force_login(manager)
    page = client.get("/compliance/rules/?platform=pdd").content.decode()
    assert 'id="classifier"' in page and re.search(r'data-category="abuse"\s+data-enabled="1"', page)
    response = client.post("/compliance/rules/classifier/", {"platform": "pdd", "category": "abuse", "enabled": "0"})
    assert response.status_code == 302
    assert ClassifierSwitch.objects.get(platform="pdd", category="abuse").enabled is False
    assert model_rules("pdd") == set()  # the scan follows at once
    assert model_rules("taobao") == {"ml.abuse"}  # another platform keeps its model
    page = client.get("/compliance/rules/?platform=pdd").content.decode()
    assert re.search(r'data-category="abuse"\s+data-enabled="0"', page)
    client.post("/compliance/rules/classifier/", {"platform": "pdd", "category": "abuse", "enabled": "1"})
    assert model_rules("pdd") == {"ml.abuse"}


@pytest.mark.django_db
def test_only_managers_switch_and_bad_input_changes_nothing(client, manager, agent, shipped_library):
    client.force_login(agent)
    response = client.post("/compliance/rules/classifier/", {"platform": "pdd", "category": "abuse", "enabled": "0"})
    assert response.status_code in (302, 403)
    assert not ClassifierSwitch.objects.exists()
    client.force_login(manager)
    response = client.post("/compliance/rules/classifier/", {"platform": "pdd", "category": "nope", "enabled": "0"})
    assert response.status_code == 302
    assert not ClassifierSwitch.objects.exists()
    response = client.post("/compliance/rules/classifier/", {"platform": "ebay", "category": "abuse", "enabled": "0"})
    assert response.status_code == 302
    assert not ClassifierSwitch.objects.exists()


@pytest.mark.django_db
def test_precheck_page_explains_model_hits_with_their_confidence(client, agent, shipped_library):
    client.force_login(agent)
    response = client.post("/compliance/check/result/", {"platform": "pdd", "text": MODEL_ABUSE})
    assert response.status_code == 200
    body = response.content.decode()
    assert "ml.abuse" in body and "置信度" in body
    hit = next(h for h in response.context["hits"] if h["rule"] == "ml.abuse")
    assert hit["explanation"] and hit["platform_rule"] and hit["suggestion"]
    assert 0 < hit["confidence"] <= 1
