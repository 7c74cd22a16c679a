"""``zhenggai demo``: the whole lifecycle on a throwaway database, for a newcomer.

The built-in 2023 county campaign is started on a fresh SQLite file (in a temporary directory
unless a path is given) on a virtual clock from Monday 2023-07-03 09:00 Asia/Shanghai, and five
realistic items are worked through, in time order:

1. a construction permit held up for months: report (with a confidential reporter) → assign →
   measure → start → measure done → submit → verify → close (销号), then in September the
   回头看 finds the same delays: reopened → new measure → submit → verify → close again;
2. a service centre's 一次性告知 not honoured: submitted, returned for rework by the
   supervision team, fixed properly, then closed;
3. a lead about kickbacks that proved untrue: dismissed with the reason;
4. an investment reward never paid, and 5. the same complaint raised at a forum, merged
   into 4 as a duplicate; 4 stays in rectification.

Every step is printed as it happens (time, 操作, from → to, actor and role, details), then
the 整改台账 and the audit-chain check; then the summary of ``zhenggai simulate`` on the
built-in plan (300 synthetic items, June to December 2023), with lights, 挂牌督办 and 问责;
every report of the simulated campaign (``zhenggai report all``) is written into a folder,
whose path is printed: ``--reports DIR``, or ``zhenggai-reports`` next to the demo database (in
the temporary directory, which then stays, without the database, unless --keep). The reports
are written twice: as of Monday 2023-08-21, inside 整改落实阶段, with items in hand, lights,
overdue units and 挂牌督办 to show, into the subfolder ``2023-08-21-整改落实阶段`` (all but the
一报告四清单, which only the end has); and as of the end of the run (2023-12-31, nearly everything 销号) into the folder itself.

The reporter's identity is sealed with a throwaway key made for the run (举报人信息加密保存); when
the demo database outlives the run (``--keep``, or a path given), the key is written beside it
(``<database>.reporter.key``, mode 0600) so the kept reporter stays readable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import tempfile
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zhenggai.engine import Actor, Engine, NewContact, Reporter, ReporterKeys, VirtualClock
from zhenggai.workflows import load_setup

from ._context import _sqlite_file, shown_db
from ._errors import CliError
from ._labels import Labels
from ._render import event_lines, item_table
from ._simulate import simulate

__all__ = ["DEMO_START", "MID_DAY", "MID_FOLDER", "run_demo"]

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Monday 2023-07-03 09:00 in Shanghai, in the plan's inspection phase (问题查摆阶段).
DEMO_START = dt.datetime(2023, 7, 3, 9, 0, tzinfo=TZ)
CAMPAIGN_KEY = "demo"
#: The simulation the demo ends with: the plan from mobilisation to the end of consolidation.
SIM_FROM, SIM_UNTIL = "2023-06-01", "2023-12-31"
#: Where the reports go by default: a folder of this name next to the demo database.
REPORTS_FOLDER = "zhenggai-reports"
#: The day of the campaign in progress the demo also reports as of (a Monday in 整改落实阶段,
#: 2023-08-01 … 08-31), and the subfolder of the reports folder those go into.
MID_DAY = dt.date(2023, 8, 21)
MID_FOLDER = "2023-08-21-整改落实阶段"

OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
TRACK_LEADER = Actor("赵组长", "track_group_leader")
DECIDER = Actor("孙副县长", "business_environment_group")
SUPERVISION = Actor("孙组长", "supervision_team", "organization_department")
CUSTODIAN = Actor("刘保管员", "custodian", "discipline_commission")
HOUSING = Actor("李科长", "responsible", "housing_construction_bureau")
SERVICE_CENTER = Actor("陈主任", "responsible", "government_service_center")
COMMERCE = Actor("周科长", "responsible", "commerce_bureau")


class _Timeline:
    """Moves the virtual clock and prints the audit events each step appended."""

    def __init__(self, engine: Engine, clock: VirtualClock, labels: Labels) -> None:
        self.engine = engine
        self.clock = clock
        self.labels = labels
        self.printed = 0

    def at(self, when: str) -> None:
        """Move the clock forward to ``when`` (``YYYY-MM-DD HH:MM``, Shanghai time)."""
        self.clock.set(dt.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=TZ))

    def step(self, when: str, action: Callable[[], Any]) -> Any:
        self.at(when)
        result = action()
        events = self.engine.events(campaign=CAMPAIGN_KEY)
        for event in events[self.printed :]:
            for line in event_lines(event, self.labels, item_column=True):
                print(line)
        self.printed = len(events)
        return result

    def heading(self, text: str) -> None:
        print()
        print(f"【{text}】")


def run_demo(
    db: str | None = None, *, keep: bool = False, reports: str | None = None, progress: bool | None = None
) -> int:
    """Run the scripted campaign; prints the timeline, the ledger and the audit check, then
    simulates the built-in plan and writes all its reports into ``reports``.

    ``db`` is a file path (or URL) for the throwaway database; it must not exist yet. Without
    it a temporary directory is used and removed afterwards unless ``keep`` (but for the
    reports folder, when that is inside it). ``reports`` defaults to ``zhenggai-reports``
    next to the database.
    """
    given = db is not None
    with contextlib.ExitStack() as stack:
        if db is None:
            folder = Path(tempfile.mkdtemp(prefix="zhenggai-demo-"))
            db = str(folder / "demo.db")
            report_dir = Path(reports) if reports else folder / REPORTS_FOLDER
            if not keep:
                stack.callback(_remove_all_but, folder, report_dir)
        else:
            if "://" not in db and Path(db).exists():
                raise CliError(f"演示数据库 {db} 已存在; 换一个路径或先删除它 (演示不会改动已有的数据库)")
            path = _sqlite_file(db)
            report_dir = Path(reports) if reports else (path.parent if path else Path.cwd()) / REPORTS_FOLDER
        clock = VirtualClock(DEMO_START)
        keys, key_file = _demo_keys(db, persists=keep or given)
        engine = Engine(
            db, clock=clock, durability="normal", reporter_keys=keys
        )  # a scratch database (see simulate)
        stack.callback(engine.dispose)
        return _play(
            engine,
            clock,
            db,
            keep=keep,
            reports=report_dir.expanduser(),
            key_file=key_file,
            progress=progress,
        )
    raise AssertionError("unreachable")  # pragma: no cover (ExitStack does not swallow)


def _demo_keys(db: str, *, persists: bool) -> tuple[ReporterKeys, Path | None]:
    """The demo's reporter key: made for the run; written beside a SQLite database that outlives
    it (``<database>.reporter.key``, 0600), so the kept reporter can still be read."""
    path = _sqlite_file(db)
    if not persists or path is None:
        return ReporterKeys.generate(), None
    from ._reporter import write_key_file

    key_file = path.with_name(path.name + ".reporter.key")
    text = ReporterKeys.new_key_text()
    write_key_file(key_file, text)
    return ReporterKeys.from_text(text, where=str(key_file)), key_file


def _remove_all_but(folder: Path, keep: Path) -> None:
    """Remove the temporary ``folder``, except ``keep`` (the reports) when it lies inside."""
    import shutil

    if not keep.exists() or not keep.resolve().is_relative_to(folder.resolve()):
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.resolve() == keep.resolve():
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _write_reports(
    folder: Path, *, in_progress: bool = False, progress: bool | None = None
) -> Callable[[Engine, str], None]:
    """What the simulation does on :data:`MID_DAY` (``in_progress``: one line) and last: every
    report of the simulated campaign into ``folder``."""

    def write(engine: Engine, campaign: str) -> None:
        from ._progress import wanted
        from .reports import KINDS, write_reports

        bar = sys.stderr if wanted(progress) else None
        if in_progress:  # the unit packs only at the end: 36 units' files twice would slow the demo
            files = [
                path
                for kind in KINDS
                if kind not in ("all", "unit-pack")
                for path in write_reports(engine, campaign, kind, folder)
            ]
        else:
            files = write_reports(engine, campaign, "all", folder, progress=bar)
        root = folder.resolve()
        print()
        if in_progress:
            day = f"{MID_DAY.year}年{MID_DAY.month}月{MID_DAY.day}日"
            print(
                f"【整改落实阶段报告】截至 {day} (专项行动进行中) 的报告 ({len(files)} 个文件, 一报告四清单只在最后出具) 已写入 {root}"
            )
            return
        print(f"【报告】模拟专项行动的全部报告 ({len(files)} 个文件) 已写入 {root}:")
        packs = [path for path in files if path.parent != root]
        for path in files:
            if path.parent == root:
                print(f"  {path.name}")
        if packs:
            print(
                f"  {packs[0].parent.name}/ ({len(packs) // 2} 个责任单位, 各有自查报告 .docx 和四清单 .xlsx)"
            )
        print("对正式数据库出具同样的报告: zhenggai report all --out DIR (另可 --unit、--track)")

    return write


def _play(
    engine: Engine,
    clock: VirtualClock,
    db: str,
    *,
    keep: bool,
    reports: Path,
    key_file: Path | None,
    progress: bool | None = None,
) -> int:
    setup = load_setup("county_2023")
    campaign = engine.start_campaign(setup, key=CAMPAIGN_KEY)
    labels = Labels.load(engine, campaign)
    t = _Timeline(engine, clock, labels)
    t.printed = len(engine.events(campaign=CAMPAIGN_KEY))
    key = campaign.key

    print(f"演示: {campaign.title} ({campaign.county})")
    print(
        f"  实施方案 {campaign.definition_id} 版本 {campaign.definition_version}; "
        f"{len(setup.units)} 个单位, {len(setup.tracks)} 个专项整治; 时区 {campaign.timezone}"
    )
    print(f"  演示数据库 {shown_db(db)} (虚拟时钟, 自 2023年7月3日 09:00 起)")
    print(
        f"  举报人信息加密保存, 密钥不在数据库中 ({f'密钥文件 {key_file}' if key_file else '演示用临时密钥, 结束即丢弃'})"
    )

    t.heading("问题查摆阶段: 登记问题")
    permit = t.step(
        "2023-07-03 09:30",
        lambda: engine.report(
            key,
            OFFICE,
            title="某商住项目施工许可审批超时两个月",
            description="群众来电反映: 县城某商住项目施工许可申请材料齐全, 超过承诺时限两个月仍未办结。",
            track="construction",
            channel="hotline",
            severity="serious",
            reporter=Reporter(name="张某", phone="138****5678"),
        ),
    )
    window = t.step(
        "2023-07-04 15:20",
        lambda: engine.report(
            key,
            SUPERVISION,
            title="政务服务中心窗口一次性告知不落实",
            description="明察暗访发现: 不动产登记窗口未一次性告知所需材料, 群众往返三次。",
            track="government_services",
            channel="undercover_check",
        ),
    )
    kickback = t.step(
        "2023-07-05 10:00",
        lambda: engine.report(
            key,
            OFFICE,
            title="反映某站所工作人员索要好处费",
            description="连心卡反映: 某乡镇站所工作人员办理审批时暗示收取好处费。",
            track="obstruction",
            channel="liaison_card",
        ),
    )
    reward = t.step(
        "2023-07-06 11:00",
        lambda: engine.report(
            key,
            TRACK_LEADER,
            title="某招商引资项目奖励资金未兑现",
            description="县商务局转来: 2021年签约的招商引资项目, 合同约定的奖励资金至今未兑现。",
            track="legacy_commitments",
            channel="department_referral",
        ),
    )
    reward_dup = t.step(
        "2023-07-07 16:00",
        lambda: engine.report(
            key,
            TRACK_LEADER,
            title="企业座谈会反映招商奖励迟迟不兑现",
            description="企业家座谈会上, 企业反映招商引资奖励资金拖欠两年。",
            track="legacy_commitments",
            channel="forum",
        ),
    )
    t.step("2023-07-07 16:30", lambda: engine.read_reporter(permit.id, CUSTODIAN))
    # 移送: 部门联动 items land with 县纪委县监委 for 初核 before the office assigns them (issue 16).
    t.step(
        "2023-07-07 17:00",
        lambda: engine.preliminary_check(
            reward.id, OFFICE, finding="初核: 反映属实, 属县商务局职责, 建议交办"
        ),
    )

    t.heading("交办, 合并重复问题")
    t.step(
        "2023-07-10 09:00",
        lambda: engine.assign(
            permit.id, OFFICE, unit="housing_construction_bureau", due=dt.date(2023, 8, 15)
        ),
    )
    # 领衔: a county leader in the roster, named by the business-environment group (issue 16).
    leader = engine.add_contact(
        key,
        OFFICE,
        NewContact(unit="government_office", name="钱副县长", role="county_leader", mobile="13900000001"),
    )
    t.step("2023-07-10 09:10", lambda: engine.lead_item(permit.id, DECIDER, leader=leader.id))
    t.step(
        "2023-07-10 09:20",
        lambda: engine.assign(
            window.id, TRACK_LEADER, unit="government_service_center", due=dt.date(2023, 8, 31)
        ),
    )
    t.step(
        "2023-07-10 10:00",
        lambda: engine.assign(reward.id, OFFICE, unit="commerce_bureau", due=dt.date(2023, 8, 31)),
    )
    t.step("2023-07-10 10:05", lambda: engine.merge(reward_dup.id, OFFICE, survivor_id=reward.id))

    t.heading("整改落实: 整改措施、核查撤销、验收、退回重新整改、销号")
    m1 = t.step(
        "2023-07-11 10:00",
        lambda: engine.add_measure(
            permit.id, HOUSING, text="七个工作日内办结该项目施工许可", due=dt.date(2023, 7, 20)
        ),
    )
    t.step("2023-07-11 10:10", lambda: engine.start_rectification(permit.id, HOUSING))
    w1 = t.step(
        "2023-07-12 09:00",
        lambda: engine.add_measure(window.id, SERVICE_CENTER, text="制定各窗口一次性告知清单并上墙公示"),
    )
    t.step("2023-07-12 09:05", lambda: engine.start_rectification(window.id, SERVICE_CENTER))
    t.step(
        "2023-07-14 17:00",
        lambda: engine.dismiss(kickback.id, OFFICE, reason="经核查, 反映问题不属实, 已向反映人反馈核查结果"),
    )
    t.step(
        "2023-07-17 11:00",
        lambda: engine.add_measure(
            reward.id, COMMERCE, text="会同财政局核实奖励资金, 制定兑现计划", due=dt.date(2023, 8, 25)
        ),
    )
    t.step("2023-07-17 11:10", lambda: engine.start_rectification(reward.id, COMMERCE))
    t.step("2023-07-19 16:00", lambda: engine.complete_measure(m1.id, HOUSING))
    t.step("2023-07-19 16:30", lambda: engine.submit_for_verification(permit.id, HOUSING))
    t.step("2023-07-21 15:00", lambda: engine.complete_measure(w1.id, SERVICE_CENTER))
    t.step("2023-07-21 15:10", lambda: engine.submit_for_verification(window.id, SERVICE_CENTER))
    t.step("2023-07-24 10:00", lambda: engine.verify(permit.id, SUPERVISION))
    t.step("2023-07-25 09:30", lambda: engine.close(permit.id, OFFICE))
    t.step(
        "2023-07-26 14:00",
        lambda: engine.return_for_rework(
            window.id, SUPERVISION, reason="暗访复查: 仍有两个窗口未公示告知清单"
        ),
    )
    w2 = t.step(
        "2023-07-27 09:00",
        lambda: engine.add_measure(
            window.id, SERVICE_CENTER, text="逐窗口核查公示情况, 纳入月度考核", due=dt.date(2023, 8, 10)
        ),
    )
    t.step("2023-08-08 17:00", lambda: engine.complete_measure(w2.id, SERVICE_CENTER))
    t.step("2023-08-08 17:10", lambda: engine.submit_for_verification(window.id, SERVICE_CENTER))
    t.step("2023-08-11 10:00", lambda: engine.verify(window.id, TRACK_LEADER))
    t.step("2023-08-14 09:00", lambda: engine.close(window.id, OFFICE))

    t.heading("巩固提升阶段: 回头看")
    t.step(
        "2023-09-12 10:00",
        lambda: engine.follow_up_review(
            permit.id, SUPERVISION, finding="抽查同类商住项目, 施工许可审批仍有超时", due=dt.date(2023, 10, 9)
        ),
    )
    m2 = t.step(
        "2023-09-13 09:00",
        lambda: engine.add_measure(
            permit.id, HOUSING, text="建立审批超时预警, 每周通报办理进度", due=dt.date(2023, 9, 28)
        ),
    )
    t.step("2023-09-26 16:00", lambda: engine.complete_measure(m2.id, HOUSING))
    t.step("2023-09-26 16:30", lambda: engine.submit_for_verification(permit.id, HOUSING))
    t.step("2023-09-28 10:00", lambda: engine.verify(permit.id, TRACK_LEADER))
    t.step("2023-09-28 15:00", lambda: engine.close(permit.id, OFFICE))

    print()
    print("【整改台账】")
    ledger = engine.ledger(key)
    print(item_table([row.item for row in ledger], measures={row.item.id: row.measures for row in ledger}))

    print()
    report = engine.verify_audit(key)
    if report.ok:
        print(f"审计链完整: 共 {report.events} 条审计记录, 逐条哈希校验通过")
    else:
        print(f"审计链不完整: 发现 {len(report.problems)} 处问题")
        for problem in report.problems:
            print(f"  {problem}")
    print()
    print("【模拟】按内置实施方案在虚拟时钟上跑完整个专项行动: 300 件模拟问题, 各单位办理习惯不一,")
    print("调度每天扫描 (到期提醒、黄灯、红灯、挂牌督办、问责、职责催报、回头看抽查、督查抽签)。")
    print(
        f"完整的逐日时间线: zhenggai simulate county_2023 --items 2000 --from {SIM_FROM} --until {SIM_UNTIL} --seed 1"
    )
    simulate(
        "county_2023",
        items=300,
        start=SIM_FROM,
        until=SIM_UNTIL,
        seed=1,
        progress=progress,
        timeline=False,
        then=_write_reports(reports, progress=progress),
        on_day={MID_DAY: _write_reports(reports / MID_FOLDER, in_progress=True)},
    )
    if keep:
        print(f"演示数据库已保留: {shown_db(db)} (可用 zhenggai --db {shown_db(db)} item list 查看)")
        if key_file is not None:
            print(
                f'举报人密钥已保留: {key_file} (配置文件 [reporter] 段写 key_file = "{key_file}" 后, '
                "保管人可用 zhenggai item reporter 编号 查阅)"
            )
    return 0 if report.ok else 1
