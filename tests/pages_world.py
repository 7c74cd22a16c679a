"""A small campaign for the page tests (issue 18): one database per test module, a few items in
several states built through the engine, accounts for a unit's clerk, another unit's clerk, the
office and the custodian, and a signed-in TestClient for each."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from zhenggai.adapters.web import WebSettings, create_app
from zhenggai.engine import Accounts, Actor, Engine, NewAccount, Reporter, ReporterKeys, VirtualClock
from zhenggai.testing import DEFAULT_START, items_only
from zhenggai.workflows import load_setup

KEY = "pg"
UNIT = "housing_construction_bureau"  # 县住建局: the clerk's unit
OTHER = "natural_resources_bureau"  # 县自然资源局
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
REPORTER_NAME = "赵举报人"
#: A one-pixel PNG (a real file the definition accepts by its content).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class World:
    engine: Engine
    clock: VirtualClock
    accounts: Accounts
    passwords: dict[str, str] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)


def report(engine: Engine, title: str, *, reporter: Reporter | None = None) -> int:
    return engine.report(
        KEY,
        OFFICE,
        title=title,
        description=f"{title}的情况说明",
        track="government_services",
        channel="self_inspection",
        reporter=reporter,
    ).id


def build(tmp: Path) -> World:
    clock = VirtualClock(DEFAULT_START)
    engine = Engine(tmp / "pages.db", clock=clock, reporter_keys=ReporterKeys.generate())
    engine.start_campaign(items_only(load_setup("county_2023")), key=KEY)
    world = World(engine, clock, Accounts(engine))
    for username, name, role, unit in (
        ("li", "李科员", "responsible", UNIT),
        ("zhou", "周科员", "responsible", OTHER),
        ("wang", "王主任", "leading_group_office", "discipline_commission"),
        ("bao", "包保管", "custodian", "discipline_commission"),
    ):
        _, password = world.accounts.add(KEY, NewAccount(username, name, (role,), unit))
        world.passwords[username] = password
    e = engine
    world.items["new"] = report(e, "待交办的问题")
    world.items["mine"] = report(
        e, "住建局审批超时", reporter=Reporter(name=REPORTER_NAME, phone="13900000000")
    )
    e.assign(world.items["mine"], OFFICE, unit=UNIT, due="2023-08-31")
    world.items["other"] = report(e, "自然资源局窗口推诿")
    e.assign(world.items["other"], OFFICE, unit=OTHER, due="2023-08-31")
    world.items["co"] = report(e, "联合整治项目")
    e.assign(world.items["co"], OFFICE, unit=OTHER, due="2023-08-31")
    e.add_co_unit(world.items["co"], OFFICE, unit=UNIT, part="核实住建审批材料")
    return world


def sign_in(world: World, username: str, home: str = "/") -> tuple[TestClient, str]:
    """A client of a fresh app signed in as ``username`` (landing on ``home``), and its CSRF token."""
    client = TestClient(create_app(world.engine, WebSettings(KEY)))
    data = {"username": username, "password": world.passwords[username], "next": home}
    page = client.post("/login", data=data)
    assert page.status_code == 200
    return client, csrf_of(page.text)


def flashes(html: str) -> list[str]:
    """The messages a page shows (the last form's outcome, a refusal)."""
    return re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', html)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def png_file(name: str = "整改照片.png") -> tuple[str, io.BytesIO, str]:
    return (name, io.BytesIO(PNG), "image/png")


def today(world: World) -> dt.date:
    return world.clock.now().date()


#: Tables a refused request may write: who asked (the access log), the sign-in bookkeeping.
BOOKKEEPING = frozenset({"zg_access_log", "zg_idempotency", "zg_web_session", "zg_api_token", "zg_account"})


def fingerprint(engine: Engine) -> dict[str, str]:
    """A digest of every table's rows but the sign-in bookkeeping: equal means nothing changed."""
    digests = {}
    with engine.store.read() as conn:
        for table in sa.inspect(conn).get_table_names():
            if table.startswith("zg_") and table not in BOOKKEEPING:
                rows = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).all()
                digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def run_to(engine: Engine, item_id: int, clerk: Actor, state: str) -> None:
    """Take an assigned item through a measure and 提请验收 to ``state`` (submitted, verified, closed)."""
    done = engine.add_measure(item_id, clerk, text="整改到位")
    engine.start_rectification(item_id, clerk)
    engine.complete_measure(done.id, clerk)
    engine.submit_for_verification(item_id, clerk)
    if state in ("verified", "closed"):
        engine.verify(item_id, OFFICE)
    if state == "closed":
        engine.close(item_id, OFFICE)
