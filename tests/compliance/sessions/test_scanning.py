"""Scanning as tasks: on import, re-scan of a window, nightly; idempotent, chunked, retry-safe."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from agency.models import Job
from compliance.models import ChatMessage, Hit
from compliance.sessions import tasks
from compliance.sessions.selectors import current_hits
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.services.scanning import rescan_queue, shop_scan
from compliance.sessions.sessionfile import SHANGHAI
from tests.compliance.factories import WordScanner
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return ShopFactory(code="scan-shop", platform="pdd")


def chat(n: int, start=datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)) -> bytes:
    lines = []
    for i in range(n):
        at = start + timedelta(minutes=i)
        lines.append(json.dumps({
            "session_id": f"s{i}", "buyer": f"b{i}",
            "messages": [
                {"id": f"m{i}-1", "sender": "buyer", "sent_at": at.isoformat(), "text": "加你微信可以吗"},
                {"id": f"m{i}-2", "sender": "agent", "agent": "a01", "sent_at": (at + timedelta(seconds=30)).isoformat(),
                 "text": "亲，不能加微信哦，我们的商品是最好的" if i % 2 == 0 else "亲，好的"},
                {"id": f"m{i}-3", "sender": "system", "sent_at": (at + timedelta(seconds=40)).isoformat(),
                 "text": "系统：买家已添加微信"},
            ],
        }, ensure_ascii=False))
    return "\n".join(lines).encode()


def hit_set():
    return sorted(current_hits().values_list("message__external_id", "rule", "start", "end", "matched", "ruleset__version"))


def test_import_queues_a_scan_of_the_new_messages(shop, library, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sessions_import_file(shop=shop, data=chat(4), fmt="jsonl")
    assert not ChatMessage.objects.filter(shop=shop, scanned_ruleset__isnull=True).exists()
    # agent messages 0 and 2 have 微信 + 最好; buyer messages are scanned as buyer (no hits); system skipped
    assert hit_set() == sorted(
        [(f"m{i}-2", "test.other_platform", 5, 7, "微信", 1) for i in (0, 2)]
        + [(f"m{i}-2", "test.absolute_claim", 15, 17, "最好", 1) for i in (0, 2)]
    )
    hit = Hit.objects.get(message__external_id="m0-2", category="absolute_claim")
    assert (hit.severity, hit.suggestion) == ("violation", "很好")


def test_scanning_twice_leaves_the_same_hits(shop, library):
    sessions_import_file(shop=shop, data=chat(6), fmt="jsonl", scan=False)
    shop_scan(shop=shop, chunk_size=4)
    first = hit_set()
    summary = shop_scan(shop=shop, since=datetime(2026, 1, 1, tzinfo=SHANGHAI), rescan=True)
    assert summary["messages"] == 0  # already scanned by this version: nothing to do
    ChatMessage.objects.update(scanned_ruleset=None)  # force: everything scanned again by the same version
    shop_scan(shop=shop, chunk_size=5)
    assert hit_set() == first
    assert Hit.objects.count() == len(first)


def test_a_worker_dying_mid_scan_leaves_whole_chunks_and_a_rerun_finishes(shop, library):
    sessions_import_file(shop=shop, data=chat(6), fmt="jsonl", scan=False)
    real = library.scanner

    class Dies(WordScanner):
        def scan_many(self, texts, roles):
            if self.calls == 1:
                raise RuntimeError("worker lost")
            return super().scan_many(texts, roles)

    library.scanner = Dies()
    with pytest.raises(RuntimeError):
        shop_scan(shop=shop, chunk_size=6)
    done = ChatMessage.objects.filter(shop=shop, scanned_ruleset__isnull=False).count()
    assert done == 6  # exactly the first chunk
    library.scanner = real
    tasks.scan_new_messages.delay(shop_id=shop.pk)
    assert ChatMessage.objects.filter(shop=shop, scanned_ruleset__isnull=True).count() == 0
    clean = hit_set()
    ChatMessage.objects.update(scanned_ruleset=None)
    Hit.objects.all().delete()
    shop_scan(shop=shop)
    assert hit_set() == clean


def test_a_new_version_rescans_the_window_and_keeps_old_hits(shop, library, django_capture_on_commit_callbacks):
    sessions_import_file(shop=shop, data=chat(4), fmt="jsonl", scan=False)
    shop_scan(shop=shop)
    v1_hits = Hit.objects.filter(ruleset__version=1).count()
    assert v1_hits == 4
    library.version = 2
    library.scanner = WordScanner({"微信": ("other_platform", "severe", None)})  # v2 dropped 最好
    with django_capture_on_commit_callbacks(execute=True):
        job_id = rescan_queue(platform="pdd", since=datetime(2026, 11, 1, 9, 2, tzinfo=SHANGHAI))
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.DONE and job.result["messages"] == 6  # sessions 2 and 3 (3 messages each)
    assert Hit.objects.filter(ruleset__version=1).count() == v1_hits  # history unchanged
    current = hit_set()
    assert ("m0-2", "test.absolute_claim", 15, 17, "最好", 1) in current  # outside the window: still v1
    assert ("m2-2", "test.other_platform", 5, 7, "微信", 2) in current
    assert not [h for h in current if h[0] == "m2-2" and h[5] == 1]


def test_nightly_scan_picks_up_unscanned_messages(shop, library):
    sessions_import_file(shop=shop, data=chat(3), fmt="jsonl", scan=False)
    summary = tasks.nightly_scan.delay().get()
    assert summary["unscanned_tasks"] == 1  # 9 messages: one chunk, one task
    assert not ChatMessage.objects.filter(scanned_ruleset__isnull=True).exists()


def test_a_large_backlog_is_shared_by_several_scan_tasks(shop, library, settings):
    settings.SCAN_CHUNK_SIZE = 2
    sessions_import_file(shop=shop, data=chat(3), fmt="jsonl", scan=False)
    summary = tasks.nightly_scan.delay().get()
    assert summary["unscanned_tasks"] == 5  # 9 messages in chunks of 2
    assert not ChatMessage.objects.filter(scanned_ruleset__isnull=True).exists()
    assert Hit.objects.filter(ruleset__version=1).count() == 4  # sessions 0 and 2: 微信 and 最好, once each
