"""Knowledge-base search on PostgreSQL: the pg_trgm GIN index against a plain scan, side by side.

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_knowledge_search.py [--rows 100000] [--repeat 7]

Builds a throwaway merchant with `--rows` knowledge entries (synthetic Chinese product, policy and script
text), runs the agent-facing `knowledge_search` for several queries, first as deployed (trigram index
available) and then with the trigram index dropped inside a rolled-back transaction: the baseline a LIKE '%…%'
has without the index (what SQLite always does). Prints median milliseconds per query and the plan used,
then deletes everything it made. Needs a migrated PostgreSQL database (migration 0004 makes the index).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from agency.models import Role, User  # noqa: E402
from clients.handover.knowledge import entry_search_text, knowledge_search  # noqa: E402
from clients.handover.search_index import INDEX_NAME  # noqa: E402
from clients.models import Engagement, HandoverBatch, KnowledgeEntry, Merchant, Shop  # noqa: E402

NOUNS = ["餐桌", "沙发", "枕头", "四件套", "毛毯", "收纳箱", "地垫", "台灯", "帐篷", "睡袋", "登山杖", "冲锋衣",
         "保温杯", "焖烧罐", "折叠椅", "床垫", "窗帘", "衣柜", "拖鞋", "浴巾"]
ADJECTIVES = ["北欧", "加厚", "轻量化", "实木", "记忆棉", "全棉", "防水", "碳纤维", "可折叠", "大容量", "静音", "复古"]
PHRASES = ["七天无理由退货", "质量问题包换", "48小时内发货", "江浙沪次日达", "一年质保", "支持价格保护",
           "可开电子发票", "运费险", "破损包赔", "偏远地区另议", "大件送货上门", "赠品随机"]
QUERIES = ["无理由退货", "记忆棉枕头", "碳纤维登山杖", "偏远地区", "LK-012345", "羽绒服", "退货"]


def synthetic_rows(n: int, rng: random.Random):
    for i in range(n):
        title = f"{rng.choice(ADJECTIVES)}{rng.choice(ADJECTIVES)}{rng.choice(NOUNS)}"
        body = "；".join(rng.sample(PHRASES, 4)) + f"。规格{rng.randint(1, 9)}号，型号{rng.randint(100, 999)}"
        sku = f"LK-{i:06d}"
        yield title, body, sku


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="also print EXPLAIN ANALYZE of each search")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("this benchmark needs PostgreSQL (set DATABASE_URL)", file=sys.stderr)
        return 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [INDEX_NAME])
        if not cursor.fetchone():
            print(f"index {INDEX_NAME} missing: run `manage.py migrate` first", file=sys.stderr)
            return 2

    rng = random.Random(2026)
    user = User.objects.create(username="bench-knowledge-manager", role=Role.MANAGER)
    merchant = Merchant.objects.create(code="bench-knowledge", name="基准测试商家")
    shop = Shop.objects.create(merchant=merchant, code="bench-knowledge-shop", name="基准店铺", platform="pdd")
    engagement = Engagement.objects.create(merchant=merchant, title="基准项目", stage=Engagement.Stage.LIVE)
    batch = HandoverBatch.objects.create(engagement=engagement, shop=shop, kind="product", title="基准商品",
                                         status=HandoverBatch.Status.ACKNOWLEDGED, in_force=True)
    try:
        start = time.perf_counter()
        KnowledgeEntry.objects.bulk_create(
            (KnowledgeEntry(batch=batch, kind="product", title=t, body=b, sku=s, position=i,
                            search_text=entry_search_text(title=t, body=b, sku=s))
             for i, (t, b, s) in enumerate(synthetic_rows(args.rows, rng))),
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE clients_knowledgeentry")
        print(f"{args.rows} entries written in {time.perf_counter() - start:.1f} s; median of {args.repeat} runs\n")
        print(f"{'query':<16}{'hits':>7}{'with ms':>10}{'without ms':>12}{'speed-up':>10}  plan with the index")
        for query in QUERIES:
            def run(q=query):
                return len(list(knowledge_search(user=user, query=q, limit=50)))

            hits = run()
            plan = knowledge_search(user=user, query=query, limit=50).explain()
            used = ("trigram index" if INDEX_NAME in plan else "pk order, stops at the limit" if "_pkey" in plan
                    else "seq scan" if "Seq Scan" in plan else "other")
            with_index = timed(run, args.repeat)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {INDEX_NAME}")  # only inside this transaction: rolled back below
                without = timed(run, args.repeat)
                transaction.set_rollback(True)
            if args.explain:
                print(knowledge_search(user=user, query=query, limit=50).explain(analyze=True))
            print(f"{query:<16}{hits:>7}{with_index:>10.1f}{without:>12.1f}{without / with_index:>9.1f}x  {used}")
        print("\n'with' = as deployed; 'without' = the same search with the pg_trgm index dropped (in a")
        print("transaction, rolled back): the baseline of a plain LIKE '%…%'. Words found in many entries are")
        print("served by reading in handover order and stopping at 50; queries under 3 characters never use trigrams.")
    finally:
        KnowledgeEntry.objects.filter(batch=batch).delete()
        batch.delete()
        engagement.delete()
        shop.delete()
        merchant.delete()
        user.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
