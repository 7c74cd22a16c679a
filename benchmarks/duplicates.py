#!/usr/bin/env python
"""关联研判 (issue 19, point 1): the cost of a report's duplicate search as a track grows.

What is measured
----------------
One campaign of the built-in ``county_2023`` plan; its ``construction`` track is filled, untimed,
with N items (``--sizes``, default 500, 5,000 and 50,000) bulk-inserted through the store (one
item reported through the API is the template of every row). Titles and descriptions are made
of the phrases a county's problem list is made of: a town or a bureau, a kind of problem of the
track (the plan's scope and the simulator's titles), an enterprise's or a project's name, a sum,
a date, so that common bigrams (施工, 审批, 拖欠, 工程款 …) are shared by thousands of items as in
life, and names are not. One report in ten is a reworded copy of a recent item (关联研判 flags
it).

Then, per size, in one run:

* **report**: :meth:`Engine.report` as shipped: the item, 关联研判 (``_reports.find_duplicates``:
  the newest 500 non-merged items of the track scored by bigram Jaccard in Python, their gram
  sets from the engine's cache), the duplicate rows and the audit event, in one transaction.
* **find**: ``find_duplicates`` alone on the rows just reported (one transaction).

The engine's gram cache is warmed first (one untimed pass), as in a long-running daemon. A
side's figure is the median milliseconds per call (wall) and the mean client CPU. The target:
cost per report independent of the track's size (report at the largest size ÷ at the smallest
≤ 1.5×). The scan is bounded by its window of 500, so this is what the benchmark checks; it does
NOT find duplicates older than the newest 500 items of a track, and this script does not
pretend otherwise.

Issue 19 asked for an index of character n-grams instead of the scan. One was built and
measured on branch ``s1`` (``zg_title_gram`` + ``zg_gram_count``, prefix filtering; the same
script there times index and scan side by side, and the index over the whole track): at the
window of 500 it was no cheaper than the scan, its probe grew with the track on PostgreSQL, it
added ~1.2 KB of index rows per item, and widening the window to the whole track cost 215× /
239× from 500 to 50,000 items. It was not merged; the figures are in BENCHMARKS.md (section
"关联研判: the scan, bounded by its window") and the code stays on branch ``s1``.

Usage::

    python benchmarks/duplicates.py [--backend sqlite|postgresql|all] [--sizes 500,5000,50000]
                                    [--reports R] [--smoke] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

if __name__ == "__main__":
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from sqlalchemy import func, select, update
from zhenggai.engine import Actor, Engine, VirtualClock
from zhenggai.engine._reports import find_duplicates
from zhenggai.engine._statements import DUPLICATE_WINDOW, ITEM
from zhenggai.workflows import load_setup

PLAN = "county_2023"
TRACK = "construction"
START = dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
DEFAULT_PG = "postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai"
FLAT_TARGET = 1.5
SEED = 19

# ------------------------------------------------------------------------------ the texts

PLACES = [
    *(
        f"{n}镇"
        for n in [
            "城关",
            "东坝",
            "西河",
            "南湖",
            "北山",
            "柳林",
            "石桥",
            "清水",
            "黄土",
            "白马",
            "龙泉",
            "杨家",
            "大河",
            "新集",
            "马庄",
        ]
    ),
    *(f"{n}乡" for n in ["高岭", "桃源", "双河", "红旗", "青山", "李家", "五里", "沙坪"]),
    "县住建局",
    "县自然资源局",
    "县交通运输局",
    "县水利局",
    "县发改局",
    "县城投公司",
    "县行政审批局",
    "经开区管委会",
]
KINDS = [
    "施工许可审批超时",
    "工程款拖欠未结算",
    "竣工验收久拖不决",
    "农民工工资拖欠",
    "招投标设置不合理门槛",
    "质量保证金逾期未退还",
    "工程变更签证久拖不批",
    "图纸审查反复退回",
    "消防验收推诿扯皮",
    "规划许可办理缓慢",
    "项目用地手续迟迟不办",
    "中介服务收费不规范",
    "审计结算拖延不办",
    "政府投资项目欠款",
    "履约保证金重复收取",
]
OBJECTS = [
    "道路改造工程",
    "安置房项目",
    "污水管网工程",
    "学校教学楼",
    "农贸市场",
    "产业园标准厂房",
    "河道治理工程",
    "乡村振兴示范点",
    "老旧小区改造",
    "县医院住院楼",
    "供水工程",
    "体育馆",
]
FIRMS = [
    "宏达",
    "鑫源",
    "华建",
    "恒通",
    "盛世",
    "腾飞",
    "瑞丰",
    "金鼎",
    "长城",
    "新锐",
    "永安",
    "中联",
    "富华",
    "远景",
    "博远",
    "天成",
]
SAYS = ["企业反映", "群众来电反映", "施工单位负责人反映", "12345热线转办", "县人大代表反映", "督查组暗访发现"]
DETAILS = [
    "多次催办无果, 相关科室以材料不全为由推脱",
    "已超过承诺办结时限一个多月, 至今无明确答复",
    "影响企业资金周转, 拖欠农民工工资风险较高",
    "经初步核实, 情况基本属实, 责任科室未按规定办理",
    "窗口人员要求补充与审批无关的证明材料",
    "项目已完工投入使用, 结算款项仍未支付",
]


def text(rng: random.Random) -> tuple[str, str]:
    """A title and a description of the construction track, as a county's list has them."""
    place, kind, obj = rng.choice(PLACES), rng.choice(KINDS), rng.choice(OBJECTS)
    firm = "".join(rng.sample(FIRMS, 2)) + rng.choice(["建筑", "建设", "路桥", "建材", "劳务"]) + "有限公司"
    title = f"{place}{obj}{kind}"
    description = (
        f"{rng.choice(SAYS)}: {firm}承建的{place}{obj}, {kind}, 涉及金额约{rng.randint(12, 980)}万元, "
        f"自{rng.randint(2019, 2023)}年{rng.randint(1, 12)}月起{rng.choice(DETAILS)}。"
    )
    return title, description


def reworded(rng: random.Random, title: str, description: str) -> tuple[str, str]:
    """A second report of the same problem: a few characters changed."""
    chars = list(description)
    for _ in range(3):
        chars[rng.randrange(len(chars))] = rng.choice("的了和在有为与及")
    return title[:-1] + rng.choice("难慢拖"), "".join(chars)


# ------------------------------------------------------------------------------ databases


def pg_unavailable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as err:  # noqa: BLE001 - any failure to reach the server means: not available
        return f"PostgreSQL not reachable at {url}: {type(err).__name__}: {err}"
    return None


@contextlib.contextmanager
def database(backend: str, pg_url: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="zhenggai-bench-dup-") as folder:
            yield f"sqlite:///{folder}/dup.db"
        return
    import psycopg

    schema = f"zg_bench_dup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in pg_url else "?"
        yield f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def fill(engine: Engine, key: str, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` items in the track, bulk-inserted through the store (untimed); their texts."""
    template = engine.report(key, OFFICE, title="模板", description="模板", track=TRACK, channel="hotline")
    rt = engine._rt
    with rt.store.read() as conn:
        row = dict(conn.execute(select(ITEM).where(ITEM.c.id == template.id)).mappings().one())
        base = int(conn.execute(select(func.max(ITEM.c.id))).scalar_one())
    texts: list[tuple[str, str]] = []
    for i in range(n):
        if i % 10 == 9 and texts:
            texts.append(reworded(rng, *texts[max(0, len(texts) - rng.randint(1, 300))]))
        else:
            texts.append(text(rng))
    rows = []
    step = dt.timedelta(seconds=max(1, 180 * 86400 // max(n, 1)))
    for i, (title, description) in enumerate(texts):
        rows.append(
            {
                **row,
                "id": base + 1 + i,
                "title": title,
                "description": description,
                "number": f"BENCH-{i:06d}",
                "created_at": row["created_at"] + i * step,
            }
        )
    with rt.store.write() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(ITEM.insert(), rows[start : start + 2000])
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('zg_item', 'id'), (SELECT max(id) FROM zg_item))"
            )
        # The template is no candidate of anything (it would be the oldest item anyway).
        conn.execute(update(ITEM).where(ITEM.c.id == template.id).values(merged_into_id=base + 1))
    with rt.store.read() as conn:
        conn.exec_driver_sql("ANALYZE")
    return texts


# ------------------------------------------------------------------------------ measuring


@dataclass
class Side:
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def timed(self, run: Callable[[], Any]) -> Any:
        c0, t0 = time.process_time(), time.perf_counter()
        out = run()
        self.ms.append((time.perf_counter() - t0) * 1000)
        self.cpu_ms.append((time.process_time() - c0) * 1000)
        return out

    def summary(self) -> dict[str, float]:
        return {"ms": statistics.median(self.ms), "cpu_ms": statistics.fmean(self.cpu_ms)}


SIDES = ("report", "find")


def measure(backend: str, url: str, n: int, reports: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed + n)
    clock = VirtualClock(START)
    engine = Engine(url, clock=clock, durability="normal")
    try:
        key = f"dup{n}"
        engine.start_campaign(load_setup(PLAN), key=key)
        t0 = time.perf_counter()
        texts = fill(engine, key, n, rng)
        fill_s = time.perf_counter() - t0
        rt = engine._rt
        sides = {name: Side() for name in SIDES}

        def new_text() -> tuple[str, str]:
            if rng.random() < 0.1:
                return reworded(rng, *texts[-rng.randint(1, min(300, len(texts)))])
            return text(rng)

        def report(title: str, description: str) -> int:
            clock.advance(dt.timedelta(seconds=1))
            view = engine.report(
                key, OFFICE, title=title, description=description, track=TRACK, channel="hotline"
            )
            return int(view.id)

        # Warm the gram cache (the window's texts), untimed.
        with rt.store.transaction() as tx:
            camp = rt.campaign(tx, key)
            warm = {"id": 0, "track": TRACK, "title": "预热", "description": "预热"}
            find_duplicates(tx, rt.st, camp, warm, None, rt.grams)
        made: list[dict[str, Any]] = []
        for _ in range(reports):
            title, description = new_text()
            item_id = sides["report"].timed(functools.partial(report, title, description))
            made.append({"id": item_id, "track": TRACK, "title": title, "description": description})
        flags = 0
        with rt.store.transaction() as tx:
            camp = rt.campaign(tx, key)
            for row in made:
                found = sides["find"].timed(
                    functools.partial(find_duplicates, tx, rt.st, camp, row, None, rt.grams)
                )
                flags += len(found)
        return {
            "backend": backend,
            "items": n,
            "reports": reports,
            "window": DUPLICATE_WINDOW,
            "fill_s": round(fill_s, 2),
            "flags": flags,
            **{name: side.summary() for name, side in sides.items()},
        }
    finally:
        engine.dispose()


def table(results: Sequence[dict[str, Any]]) -> str:
    lines = [
        f"{'backend':<11}{'items':>7}  "
        + "".join(f"{name:>18}" for name in SIDES)
        + f"{'flags':>7}   (ms per call, median; cpu ms mean)"
    ]
    for r in results:
        cells = "".join(f"{r[s]['ms']:>9.2f} ({r[s]['cpu_ms']:>5.2f})" for s in SIDES)
        lines.append(f"{r['backend']:<11}{r['items']:>7}  {cells}{r['flags']:>7}")
    for backend in dict.fromkeys(r["backend"] for r in results):
        mine = [r for r in results if r["backend"] == backend]
        small, large = mine[0], mine[-1]
        for s in SIDES:
            ratio = large[s]["ms"] / small[s]["ms"]
            cpu = large[s]["cpu_ms"] / small[s]["cpu_ms"]
            verdict = ""
            if s == "report":
                verdict = f" (target ≤ {FLAT_TARGET}×: {'met' if ratio <= FLAT_TARGET else 'missed'})"
            lines.append(
                f"  {backend} {s}: {large['items']} ÷ {small['items']} items = "
                f"{ratio:.2f}× wall, {cpu:.2f}× cpu{verdict}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all")
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--reports", type=int, default=40, help="timed reports per size")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("ZHENGGAI_BENCH_PG_URL")
        or os.environ.get("ZHENGGAI_TEST_PG_URL")
        or DEFAULT_PG,
    )
    parser.add_argument("--smoke", action="store_true", help="tiny: 50 and 200 items, 4 reports")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sizes = [50, 200] if args.smoke else [int(s) for s in args.sizes.split(",")]
    reports = 4 if args.smoke else args.reports
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for backend in backends:
        if backend == "postgresql":
            reason = pg_unavailable(args.pg_url)
            if reason is not None:
                if args.backend == "postgresql":
                    print(f"error: {reason}", file=sys.stderr)
                    return 1
                skipped[backend] = reason
                print(f"skipped postgresql: {reason}", file=sys.stderr)
                continue
        for n in sizes:
            with database(backend, args.pg_url) as url:
                results.append(measure(backend, url, n, reports, SEED))
            print(json.dumps(results[-1], ensure_ascii=False), file=sys.stderr)
    out = io.StringIO()
    print(
        f"zhenggai 关联研判: track of N items, {reports} reports per size, window {DUPLICATE_WINDOW} (Python {sys.version.split()[0]})",
        file=out,
    )
    print(table(results), file=out)
    sys.stdout.write(out.getvalue())
    if args.json is not None:
        args.json.write_text(
            json.dumps({"results": results, "skipped": skipped}, ensure_ascii=False, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
