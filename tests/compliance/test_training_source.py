"""Platform-rule exam questions come from the published rule library, and every "violating reply" they
teach is one the scanner really flags under that rule, while the compliant options stay clean."""

import pytest

from compliance.rules.services import scanner_for
from compliance.rules.training import rule_facts_for_training
from staffing.training.services import course_generate_platform

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("platform", ["pdd", "jd", "tmall"])
def test_generated_questions_are_checked_by_the_scanner(platform):
    facts = rule_facts_for_training(platform)
    assert len(facts) >= 10
    assert len({f.category for f in facts}) >= 4
    course = course_generate_platform(platform=platform)
    _version, scanner = scanner_for(platform=platform)
    questions = list(course.questions.all())
    assert {q.key for q in questions} == {f.rule for f in facts}
    for q in questions:
        hits = scanner.scan_many(q.choices)
        assert any(h["rule"] == q.key for h in hits[q.answer]), (q.key, q.choices[q.answer])
        for index, found in enumerate(hits):
            if index != q.answer:
                assert found == [], (q.choices[index], found)
