"""``zhenggai serve``: the web workbench and HTTP API (issue 18) under uvicorn.

One process serves one campaign (``--campaign``, or the only one in the database). With
``--with-daemon`` the scheduler daemon (:class:`._daemon.Daemon`, as ``zhenggai run`` starts it)
sweeps on a background thread of the same process and stops with the server; on SQLite it takes
the database's daemon lock, so a second daemon is refused as usual.

``--demo`` builds a fresh demo database in a folder (a temporary one unless ``--demo-dir``): the
built-in plan simulated with :func:`._simulate.simulate`, as ``zhenggai demo`` ends, from
2023-06-01 to 2023-08-21 (整改落实阶段: items in every state, in many units, with lights,
挂牌督办, 延期, 退单 and 回访), its reporter key kept beside the database as ``zhenggai demo
--keep`` does; then demo accounts (the office, the clerks of the two units with the most items
in hand, a supervision team member, the custodian, a county leader, the operator) printed once
with their passwords; then it serves on 127.0.0.1 only, on a clock that starts the next
morning (2023-08-22 09:00) and runs at the pace of the wall clock.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from zhenggai.engine import Accounts, Engine, NewAccount

from ._cmd_accounts import OPERATOR_ROLE, need_web, operator_name, password_table
from ._context import ActorTuple, _campaign_key, open_engine, shown_db
from ._errors import CliError
from ._labels import Labels

__all__ = ["DEMO_NOW", "RunningClock", "build_demo", "cmd_serve"]

#: When the demo workbench's clock starts: the morning after the simulation stops.
DEMO_NOW = dt.datetime(2023, 8, 22, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DEMO_ITEMS = 100
#: Items that wait on a unit (the clerks' inboxes are chosen by how many they hold).
_IN_HAND = frozenset({"assigned", "rectifying", "submitted"})


class RunningClock:
    """A clock that starts at ``start`` and runs at the wall clock's pace (the demo's)."""

    def __init__(self, start: dt.datetime) -> None:
        self._start = start.astimezone(dt.UTC)
        self._origin = time.monotonic()

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=time.monotonic() - self._origin)


def build_demo(folder: Path) -> tuple[str, Any, list[tuple[Any, str]]]:
    """The demo database in ``folder`` (which must not hold one), its reporter keys, and the
    demo accounts with their passwords."""
    from ._demo import SIM_FROM, _demo_keys
    from ._simulate import simulate

    folder.mkdir(parents=True, exist_ok=True)
    db = str(folder / "demo.db")
    if Path(db).exists():
        raise CliError(f"演示数据库 {db} 已存在; 换一个目录 (--demo-dir) 或先删除它")
    keys, _ = _demo_keys(db, persists=True)
    from ._demo import MID_DAY

    print(f"正在生成演示数据库 (模拟 {DEMO_ITEMS} 件问题, {SIM_FROM} 至 {MID_DAY.isoformat()}) …", flush=True)
    simulate(
        "county_2023",
        items=DEMO_ITEMS,
        start=SIM_FROM,
        until=MID_DAY,
        seed=1,
        db=db,
        progress=False,
        timeline=False,
        out=io.StringIO(),
        reporter_keys=keys,
    )
    with open_engine(db, clock=RunningClock(DEMO_NOW), reporter_keys=keys) as engine:
        key = _campaign_key(engine, None)
        made = Accounts(engine).add_many(key, demo_accounts(engine, key), by=operator_name())
    return db, keys, made


def demo_accounts(engine: Engine, key: str) -> list[NewAccount]:
    """The demo's people: the office, two units' clerks, supervision, custodian, leader, operator."""
    labels = Labels.load(engine, key)
    held = collections.Counter(i.unit for i in engine.items(key) if i.unit and i.state in _IN_HAND)
    units = [unit for unit, _ in held.most_common(2)] or ["housing_construction_bureau"]
    clerks = [
        NewAccount(f"unit{n}", f"{labels.units.get(unit, unit)}经办人", ("responsible",), unit)
        for n, unit in enumerate(units, start=1)
    ]
    return [
        NewAccount("office", "王主任", ("leading_group_office",), "discipline_commission"),
        *clerks,
        NewAccount("supervision", "孙组长", ("supervision_team",), "organization_department"),
        NewAccount("custodian", "刘保管员", ("custodian",), "discipline_commission"),
        NewAccount("leader", "钱副县长", ("county_leader",), "government_office"),
        NewAccount("admin", "系统管理员", (OPERATOR_ROLE,)),
    ]


def cmd_serve(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai serve: the workbench until Ctrl-C or SIGTERM."""
    need_web("fastapi", "uvicorn", "argon2", "multipart")
    import uvicorn

    from .web import WebSettings, create_app

    clock = None
    keys = None
    host = args.host
    if args.demo:
        folder = (
            Path(args.demo_dir).expanduser()
            if args.demo_dir
            else Path(tempfile.mkdtemp(prefix="zhenggai-web-"))
        )
        db, keys, made = build_demo(folder)
        clock = RunningClock(DEMO_NOW)
        host = "127.0.0.1"
        with open_engine(db, reporter_keys=keys) as engine:
            labels = Labels.load(engine, made[0][0].campaign)
        print()
        print("【演示账号】密码只显示这一次:")
        print(password_table(made, labels))
        print(f"演示数据库: {shown_db(db)} (虚拟时钟自 2023年8月22日 09:00 起)")
    else:
        db = args.serve_db or db
        from ._reporter import configured_keys

        keys = configured_keys(args.config)
    with open_engine(db, clock=clock, reporter_keys=keys) as engine:
        campaign = _campaign_key(engine, args.campaign)
        settings = WebSettings(campaign=campaign, secure_cookies=args.secure_cookies)
        app = create_app(engine, settings)
        daemon = None
        if args.with_daemon:
            from ._daemon import Daemon

            daemon = Daemon(engine, interval=args.interval)
            daemon.start()
            print(f"守护进程 {daemon.name} 已在本进程中启动: 每 {args.interval:g} 秒扫描一次", flush=True)
        server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=args.port, log_level="warning", access_log=False)
        )
        print(
            f"网页工作台 (专项行动 {campaign}): http://{host}:{args.port}/  "
            f"接口文档 /api/docs, OpenAPI /api/openapi.json; Ctrl-C 停止",
            flush=True,
        )
        # uvicorn stops on SIGTERM, then raises it again: here it ends the run, not the process,
        # so the daemon stops and the engine is disposed (exit code 0).
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
        try:
            server.run()
        finally:
            signal.signal(signal.SIGTERM, previous)
            if daemon is not None:
                daemon.stop()
                print(f"守护进程 {daemon.name} 已停止 (共扫描 {daemon.sweeps} 次)", flush=True)
    print("网页工作台已停止", flush=True)
    return 0
