"""``zhenggai simulate``: a campaign played on the virtual clock with synthetic items and
people. The done-when run (2,000 items on the built-in plan, 2023-06-01..12-31) shows every
kind of step in its timeline; the same seed prints the same text; bad input is one clear line."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from zhenggai.adapters._simulate import simulate
from zhenggai.adapters.cli import main

from .test_cli import Run, run_script, weekends_plan


def zhenggai(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    """``zhenggai ARGS`` in-process: exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


@pytest.fixture(scope="module")
def full_run() -> str:
    """The issue's done-when run, through the installed console script."""
    result = run_script(
        "simulate",
        "county_2023",
        "--items",
        "2000",
        "--from",
        "2023-06-01",
        "--until",
        "2023-12-31",
        "--seed",
        "42",
    )
    assert result.code == 0, result.err
    return result.out


def test_the_full_run_shows_every_kind_of_step(full_run: str) -> None:
    """Reminders, lights, 挂牌督办, 问责, the units without their 一报告四清单 when inspection
    ends, duties, the 回头看 draw and its reopenings, supervision draws, paused clocks."""
    for shown in (
        "到期前提醒: 问题",
        "黄灯预警: 问题",
        "红灯预警 (逾期): 问题",
        "挂牌督办: 问题",
        "提请问责: 问题",
        "阶段结束: 问题查摆阶段 — ",
        '未完成「报送"一报告四清单"」, 按职责督办阶梯催报, 2023-08-07 起挂牌督办: ',
        "职责督办 部门联动信息报送",
        "职责完成: ",
        "回头看抽查: 从 ",
        "回头看重新整改: 问题 ",
        "督查抽签 (不打招呼): 第1组 → ",
        "暂停计时: 问题 ",
        "恢复计时: 问题 ",
        "阶段开始: 巩固提升阶段",
        # issue 16: the plan's people at work
        "移送 ",
        "初核 ",
        "领衔: 问题 ",
        "领衔调研完成: 问题 ",
        "回头看核查 (任务 ",
        "登记为明察暗访问题",
        # issue 17: the month-end 考核 on the first working day of each month
        "月度考核: 2023-07 确定 ",
    ):
        assert shown in full_run, shown
    assert full_run.startswith(
        "模拟: 2023年持续深化作风整顿优化营商环境专项行动 (county_2023 版本 2023.1), 2000 件问题"
    )
    assert "2023年8月1日(星期二)\n  阶段结束: 问题查摆阶段" in full_run  # the day after inspection ends


def test_the_summary_counts_add_up(full_run: str) -> None:
    summary = full_run[full_run.index("【模拟汇总】") :]
    # the 2000 simulated problems and the 明察暗访 items the 督查 visits found (issue 16)
    found = sum(int(n) for n in re.findall(r"督查: 第\d督查组明察暗访.+?, 发现问题 (\d+) 个", full_run))
    items = 2000 + found
    assert found > 0 and f"问题 {items} 件" in summary
    assert "回头看核查" in full_run

    def total(line_start: str) -> int:
        line = next(x for x in summary.splitlines() if x.strip().startswith(line_start))
        return sum(int(n) for n in re.findall(r" (\d+)(?: ·|$)", line))

    assert total("按状态:") == total("按预警:") == total("按督办等级:") == items
    messages = int(re.search(r"消息 (\d+) 条", summary).group(1))  # type: ignore[union-attr]
    channels = [
        int(n) for n in re.findall(r"^  (?:sms|email|wecom|dingtalk) (\d+) 条", summary, re.MULTILINE)
    ]
    assert sum(channels) == messages and len(channels) == 4
    assert "被引擎拒绝" not in summary  # every simulated act was one the engine allows
    # 挂牌督办 and 问责 reach only the people each item concerns (issue 16)
    line = next(x for x in summary.splitlines() if x.startswith("挂牌督办和提请问责通知 "))
    by_kind = dict(re.findall(r"(\S+) (\d+)", line.split("按接收人: ")[1]))
    assert by_kind["越界"] == "0"
    assert all(int(by_kind[k]) > 0 for k in ("责任单位", "一把手", "本专项组长")), line
    assert "领衔领导" in by_kind  # the few led items are seldom listed: a count, perhaps 0
    assert "问责 " in summary.split("按督办等级:")[1].splitlines()[0]
    # 考核 (issue 17): every month of the phases up to November scored; some units carded, few
    scored = re.search(r"考核 (\d+) 个月 \(2023-06~2023-11\): 黄牌 (\d+) 张, 红牌 (\d+) 张", summary)
    assert scored is not None, summary
    months, yellow, red = (int(n) for n in scored.groups())
    assert months == 6 and 0 < yellow + red < months * 40 // 4
    # 回访/满意度 (issue 17): about half the items name a reporter; each closed one is called
    # back (a few late), about 75% 满意, 18% 基本满意, 7% 不满意 (reopened, rectified again).
    line = next(x for x in summary.splitlines() if x.strip().startswith("回访 "))
    called, late, _, satisfied, basically, unsatisfied = (
        int(n) for n in re.findall(r"(\d+)(?: 件|、|,)", line)[:6]
    )
    assert called > 200 and 0 < late < called * 0.2, line
    assert 0.65 < satisfied / called < 0.85 and 0.10 < basically / called < 0.26, line
    assert 0 < unsatisfied / called < 0.14, line
    assert "回访不满意: 问题 " in full_run and ", 重新整改" in full_run


def test_about_one_item_in_ten_has_a_co_unit_that_mostly_finishes_on_time(full_run: str) -> None:
    """协办 (issue 17, 3): about 10% of the items get a co-unit; most parts are done on time,
    a few late (their ladder fires in the timeline), a few waived; the lead's 提请验收 waits
    for them and is never refused (the summary lists no refusal)."""
    summary = full_run[full_run.index("【模拟汇总】") :]
    found = re.search(r"协办: (\d+) 项, 按期完成 (\d+), 逾期 (\d+), 免除 (\d+)", summary)
    assert found is not None, summary
    parts, on_time, late, waived = (int(n) for n in found.groups())
    assert 120 <= parts <= 280  # ~10% of the ~1,900 items assigned
    assert on_time >= 0.7 * parts
    assert 0 < late <= 0.25 * parts and 0 < waived <= 0.15 * parts
    assert on_time + late + waived <= parts
    assert "协办逾期催办: 问题 " in full_run and "协办逾期红灯预警: 问题 " in full_run
    assert "被引擎拒绝" not in summary


def test_extensions_and_instructions_come_at_plausible_rates(full_run: str) -> None:
    """Issue 17: about 5–8% of the items' units ask for an extension (most approved, some refused,
    some too late and refused); leaders instruct on a few in a hundred, a few items start on
    领导批示交办."""
    summary = full_run[full_run.index("【模拟汇总】") :]
    items = int(re.search(r"问题 (\d+) 件", summary).group(1))  # type: ignore[union-attr]
    asked, approved, refused, pending, late = map(
        int,
        re.search(  # type: ignore[union-attr]
            r"延期申请 (\d+) 件: 批准 (\d+) 件, 未批准 (\d+) 件, 待审批 (\d+) 件; 逾期后申请被拒 (\d+) 件",
            summary,
        ).groups(),
    )
    assert asked == approved + refused + pending
    assert 0.04 <= (asked + late) / items <= 0.09, (asked, late, items)
    assert approved > refused > 0 and late > 0
    count, instructed, started = map(
        int,
        re.search(r"领导批示 (\d+) 条, 涉及问题 (\d+) 件 \(其中领导批示交办 (\d+) 件\)", summary).groups(),  # type: ignore[union-attr]
    )
    assert 0.02 <= instructed / items <= 0.06 and count >= instructed
    assert 0 < started < instructed
    assert "交办 " in summary and "领导批示 " in summary.split("消息 ")[1]  # the units were told


def test_the_same_seed_prints_the_same_and_another_seed_differs(tmp_path: Path) -> None:
    runs = []
    for seed in (5, 5, 6):
        out = io.StringIO()
        assert (
            simulate(
                "county_2023",
                items=150,
                start="2023-06-01",
                until="2023-10-31",
                seed=seed,
                out=out,
                progress=False,
            )
            == 0
        )
        runs.append(out.getvalue())
    assert runs[0] == runs[1] and runs[0] != runs[2]
    assert "随机种子 5" in runs[0]


def test_it_plays_the_hotline_definition_and_on_postgresql(db_url: str) -> None:
    """Another lifecycle (办结 closes; no verification), on the database under test."""
    out = io.StringIO()
    sim_db = db_url if db_url.startswith("postgresql") else db_url.replace(".db", "-sim.db")
    if not sim_db.startswith("postgresql"):
        Path(sim_db.removeprefix("sqlite:///")).unlink(missing_ok=True)
    assert (
        simulate(
            "hotline_2024",
            items=60,
            start="2024-03-01",
            until="2024-04-30",
            seed=3,
            db=sim_db,
            out=out,
            progress=False,
        )
        == 0
    )
    text = out.getvalue()
    assert "YY县营商环境投诉热线常态化受理" in text and "问题 60 件" in text and "被引擎拒绝" not in text
    assert "已办结" in text


def test_the_cli_shows_progress_on_stderr_and_refuses_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def cli(*argv: str) -> Run:
        return zhenggai(capsys, *argv)

    result = cli(
        "simulate",
        "county_2023",
        "--items",
        "20",
        "--from",
        "2023-07-01",
        "--until",
        "2023-07-10",
        "--seed",
        "1",
        "--progress",
        "--summary-only",
    )
    assert result.code == 0, result.err
    assert "模拟进度 |" in result.err and "10/10 天 [已用 " in result.err  # tqdm, on stderr only
    assert "【模拟汇总】" in result.out and "2023年7月3日(星期一)" not in result.out  # no timeline
    backwards = cli("simulate", "county_2023", "--from", "2023-07-10", "--until", "2023-07-01")
    assert backwards.code == 1 and "--until 2023-07-01 早于 --from 2023-07-10" in backwards.err
    uncovered = cli(
        "simulate", "county_2023", "--items", "5", "--from", "2099-01-01", "--until", "2099-02-01"
    )
    assert uncovered.code == 1 and "工作日历不含 2099 年" in uncovered.err
    negative = cli("simulate", "county_2023", "--items", "-3")
    assert negative.code == 2 and "不能为负数" in negative.err
    unknown = cli("simulate", "no_such_plan")
    assert unknown.code == 1 and "no_such_plan" in unknown.err
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"")
    taken = cli("simulate", "county_2023", "--sim-db", str(existing))
    assert taken.code == 1 and "已存在" in taken.err


def test_a_definition_the_people_cannot_work_is_refused(tmp_path: Path) -> None:
    """Without a transition that needs all measures done there is nothing to finish with."""
    text = Path(weekends_plan()).read_text(encoding="utf-8")
    plan = tmp_path / "no_submit.yaml"
    no_submit = text.replace("guards: [all_measures_done, co_parts_done]", "guards: [co_parts_done]")
    assert no_submit != text
    plan.write_text(no_submit, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(Exception, match="无法模拟"):
        simulate(
            str(plan),
            items=5,
            start=dt.date(2099, 8, 3),
            until=dt.date(2099, 8, 20),
            seed=1,
            out=out,
            progress=False,
        )


def test_units_attach_evidence_to_about_half_their_measures(full_run: str) -> None:
    """佐证材料 (issue 17): units attach a scan or a photo to about half of the measures they
    set down (rework and 回头看 measures come without), each accepted by its content."""
    summary = full_run[full_run.index("【模拟汇总】") :]
    found = re.search(r"佐证材料 (\d+) 份 \(整改措施 (\d+) 项, 约 (\d+)% 附有佐证材料\)", summary)
    assert found is not None, summary
    files, measures, share = (int(g) for g in found.groups())
    assert 0 < files < measures and 25 <= share <= 65
