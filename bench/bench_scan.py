"""Scanner throughput vs bare pyahocorasick, and the end-to-end compliance_scan command.

    .venv/bin/python bench/bench_scan.py [--messages 1000000] [--platform pdd] [--no-command]

Generates a synthetic chat corpus (seeded; clean service replies with ~12% violations in every
category and evasion form), pins itself to one CPU, then times over the same raw messages:

  bare        pyahocorasick `iter` over the same patterns as the engine's automaton, one call per message
  dictionary  Scanner.scan_many without the classifier: normalisation + offset map, automaton,
              combinations, homophones, detectors, allow-list and negation, mapping back
  full        the same with the clause classifier (every category's model rule on)
  command     `manage.py compliance_scan --platform …` reading the corpus as JSON lines (process start,
              rule loading, JSON parsing and writing included), on a freshly migrated scratch SQLite
              database — the shipped library and classifier, as a user runs it

and prints the figures side by side with each one's ratio to bare (issue #11: the command ≥ 0.05×).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import ahocorasick  # noqa: E402

from compliance.engine import Scanner  # noqa: E402
from compliance.engine.classifier import ClauseModel  # noqa: E402
from compliance.engine.library import load_library  # noqa: E402

PRODUCTS = ["连衣裙", "运动鞋", "保温杯", "蓝牙耳机", "电饭煲", "面膜", "儿童书包", "羽绒服", "洗发水", "数据线", "床上四件套", "猫粮"]
CLEAN = [
    "亲，您好，请问有什么可以帮您？",
    "亲亲，这款{p}现在有货的，今天下单明天发货哦",
    "您的订单已经发出了，快递单号是{n}，请注意查收",
    "这款{p}的尺码偏小，建议您拍大一码",
    "好的亲，已经给您备注了，我们会尽快安排发货",
    "亲，七天无理由退换货的，收到不满意可以申请退货",
    "最近活动期间订单比较多，发货可能会晚一天，请您谅解",
    "第一次购买的话可以领取店铺新人券哦",
    "我们会在第一时间帮您处理售后问题",
    "在线下单后系统会自动分配仓库发货",
    "这款是全网通版本，三大运营商都能用",
    "亲，发票可以开的，下单时备注抬头和税号就好",
    "麻烦您提供一下订单号，我帮您查询物流",
    "这个颜色是实拍图，会有轻微色差，请以实物为准",
    "谢谢亲的支持，祝您生活愉快",
    "{p}已经补货了，可以放心拍",
    "北京东路的仓库今天已经发出了",
    "USB接口是通用的，可以直接充电",
    "滚筒洗衣机也可以用这款洗衣液",
    "收到货有任何问题随时联系我们哦",
    "亲，价格已经是活动价了，还可以叠加店铺券",
    "好的，我这边帮您申请补发，请耐心等待",
]
DIRTY = [
    "这款{p}是全网最低价，绝对划算",
    "加我微信{w}，给您便宜点",
    "亲，加我薇.信：{w}",
    "可以加V {w} 私聊",
    "我的电话{m}，有问题打给我",
    "联系电话 {ms}",
    "好评返现5元哦亲",
    "五星好评返红包，截图发我",
    "你是不是傻，爱买不买",
    "这是规定，我也没办法",
    "淘寶上也有这款{p}",
    "这个宝贝是我们家最好的",
    "可以线下交易，转账给我就行",
    "QQ号{q}，有事找我",
    "发到我邮箱 kefu{n}@163.com",
    "去这个网站看 www.shop{n}.cn/item",
    "我们不开发票的哦",
    "这款{p}缺货了",
    "ｔａｏｂａｏ搜店名就有",
    "一三八一二三四五六七八 这是我的号",
]


def generate(count: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        pool = DIRTY if rnd.random() < 0.12 else CLEAN
        template = pool[rnd.randrange(len(pool))]
        mobile = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
        out.append(
            template.format(
                p=PRODUCTS[i % len(PRODUCTS)],
                n=rnd.randrange(10**6, 10**12),
                w=f"shop{rnd.randrange(10**4, 10**6)}",
                m=mobile,
                ms=f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}",
                q=rnd.randrange(10**5, 10**10),
            )
        )
    return out


def bench_bare(patterns: list[str], messages: list[str]) -> tuple[float, int]:
    automaton = ahocorasick.Automaton()
    for i, p in enumerate(patterns):
        automaton.add_word(p, i)
    automaton.make_automaton()
    hits = 0
    t0 = time.process_time()
    for text in messages:
        for _hit in automaton.iter(text):
            hits += 1
    return time.process_time() - t0, hits


def bench_engine(scanner: Scanner, messages: list[str]) -> tuple[float, int]:
    t0 = time.process_time()
    results = scanner.scan_many(messages)
    elapsed = time.process_time() - t0
    return elapsed, sum(len(r) for r in results)


def bench_command(platform: str, messages: list[str]) -> tuple[float, float, int]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for i, text in enumerate(messages):
            fh.write(json.dumps({"id": f"m{i}", "text": text}, ensure_ascii=False))
            fh.write("\n")
        path = fh.name
    # A freshly migrated scratch database, as contracts §1 states the command's setting (no demo data).
    scratch = tempfile.mkdtemp(prefix="bench_scan_")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], check=True, env=env, cwd=ROOT)
    cmd = ["taskset", "-c", str(_cpu())] if _has_taskset() else []
    cmd += [sys.executable, str(ROOT / "manage.py"), "compliance_scan", "--platform", platform]
    # warm-up on one line so the shipped library is loaded into the database before timing
    subprocess.run(cmd, input=b'{"id":"w","text":"x"}\n', capture_output=True, check=True, env=env, cwd=ROOT)
    try:
        with open(path, "rb") as src:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall0 = time.perf_counter()
            proc = subprocess.run(cmd, stdin=src, capture_output=True, env=env, cwd=ROOT)
            wall = time.perf_counter() - wall0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode:
            raise SystemExit(proc.stderr.decode()[-2000:])
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return cpu, wall, proc.stdout.count(b"\n")
    finally:
        os.unlink(path)
        shutil.rmtree(scratch, ignore_errors=True)


def _has_taskset() -> bool:
    return subprocess.run(["which", "taskset"], capture_output=True).returncode == 0


def _cpu() -> int:
    return sorted(os.sched_getaffinity(0))[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--platform", default="pdd")
    parser.add_argument("--no-command", action="store_true")
    args = parser.parse_args()
    cpu = _cpu()
    os.sched_setaffinity(0, {cpu})

    library = load_library()[args.platform]
    rules = [r for r in library["rules"] if r["detector"] != "model"]
    dictionary = Scanner(rules, library["aliases"])
    full = Scanner(library["rules"], library["aliases"], model=ClauseModel.load())
    messages = generate(args.messages)
    chars = sum(len(m) for m in messages)
    print(f"corpus: {len(messages):,} messages, {chars:,} characters, platform {args.platform}, "
          f"{len(library['rules'])} rules, {dictionary.pattern_count} automaton patterns, pinned to CPU {cpu}")

    bare_s, bare_hits = bench_bare(dictionary.patterns, messages)
    dict_s, dict_hits = bench_engine(dictionary, messages)
    full_s, full_hits = bench_engine(full, messages)
    bare_rate = len(messages) / bare_s
    print(f"{'':30}{'CPU s':>10}{'messages/s':>14}{'x bare':>8}{'hits':>10}")
    for name, seconds, hits in (
        ("bare pyahocorasick iter", bare_s, bare_hits),
        ("dictionary layer", dict_s, dict_hits),
        ("full engine + classifier", full_s, full_hits),
    ):
        rate = len(messages) / seconds
        print(f"{name:30}{seconds:>10.2f}{rate:>14,.0f}{rate / bare_rate:>8.2f}{hits:>10,}")
    if not args.no_command:
        cmd_cpu, cmd_wall, lines = bench_command(args.platform, messages)
        rate = len(messages) / cmd_cpu
        print(f"{'compliance_scan end to end':30}{cmd_cpu:>10.2f}{rate:>14,.0f}{rate / bare_rate:>8.2f}{'':>10}"
              f"  (CPU time; wall {cmd_wall:.2f} s = {len(messages) / cmd_wall:,.0f} messages/s; "
              f"{lines:,} output lines; process start, rule loading, JSON in/out included)")
        print(f"target: compliance_scan >= 0.05 x bare -> {'met' if rate / bare_rate >= 0.05 else 'NOT met'}")


if __name__ == "__main__":
    main()
