"""``zhenggai check`` warns about definition blocks nothing acts on (issue 16): the built-in plan
has none; each block with its trigger taken away gives its warning, located in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import zhenggai.workflows
from zhenggai.adapters.cli import main
from zhenggai.engine._checks_unacted import unacted_warnings
from zhenggai.engine._checks_warnings import WARNINGS, setup_warnings
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import CampaignSetup, DemandSpec


def unacted(setup: CampaignSetup) -> list[str]:
    """The unacted-block warnings among all of ``setup``'s warnings."""
    others = {w for check in WARNINGS if check is not unacted_warnings for w in check(setup, calendar(setup))}
    return [w for w in setup_warnings(setup) if w not in others]


def calendar(setup: CampaignSetup) -> WorkingCalendar:
    return WorkingCalendar(setup.calendar)


@pytest.mark.parametrize("definition", ["county_2023", "hotline_2024"])
def test_the_builtin_definitions_leave_no_block_unacted(definition: str) -> None:
    assert unacted(load_setup(definition)) == []


def test_leadership_without_the_lead_operation() -> None:
    plan = load_setup("county_2023")
    operations = {k: v for k, v in plan.lifecycle.operations.items() if k != "lead"}
    setup = plan.model_copy(
        update={"lifecycle": plan.lifecycle.model_copy(update={"operations": operations})}
    )
    assert unacted(setup) == [
        "leadership: 定义了领衔 (leadership), 但流程的 operations 中没有 lead: 无人能确定领衔领导"
    ]
    operations["lead"] = ["leading_group_office"]
    setup = plan.model_copy(
        update={"lifecycle": plan.lifecycle.model_copy(update={"operations": operations})}
    )
    assert unacted(setup) == [
        (
            "leadership.decided_by: business_environment_group 不在 operations.lead 的角色中"
            " (leading_group_office): 决定领衔的角色无权决定"
        )
    ]


def test_a_track_leader_no_message_reaches() -> None:
    """Take track_group_leader out of every item, ladder and duty message: each of the six
    tracks' 组长 hears nothing of its track."""
    plan = load_setup("county_2023")

    def without(notify: list) -> list:  # type: ignore[type-arg]
        return [n for n in notify if n.to != "track_group_leader"]

    ladders = [
        x.model_copy(update={"steps": [s.model_copy(update={"notify": without(s.notify)}) for s in x.steps]})
        for x in plan.ladders
    ]
    duties = [
        d.model_copy(update={"notify": without(d.notify)})
        for d in plan.duties
        if d.to != "track_group_leader"
    ]
    transitions = [t.model_copy(update={"notify": without(t.notify)}) for t in plan.lifecycle.transitions]
    setup = plan.model_copy(
        update={
            "ladders": ladders,
            "duties": duties,
            "lifecycle": plan.lifecycle.model_copy(update={"transitions": transitions}),
        }
    )
    warnings = unacted(setup)
    assert len(warnings) == 6
    assert warnings[0] == (
        "tracks[0].leader_role: 专项 obstruction 的组长角色 track_group_leader"
        " 收不到任何问题或职责的消息 (没有触发、督办阶梯或职责通知它)"
    )


def test_a_demand_addressed_to_someone_the_phase_does_not_tell() -> None:
    plan = load_setup("county_2023")
    first = plan.phases[0]
    phase = first.model_copy(
        update={"demands": [*first.demands, DemandSpec(text="组织专题学习", to=["custodian"])]}
    )
    setup = plan.model_copy(update={"phases": [phase, *plan.phases[1:]]})
    j = len(first.demands)
    assert unacted(setup) == [
        f"phases[0].demands[{j}].to: 阶段 mobilization 开始时不通知 custodian, 发给它们的要求无人看到"
    ]
    silent = first.model_copy(update={"on_start": [], "demands": ["召开动员部署会议"]})
    setup = plan.model_copy(update={"phases": [silent, *plan.phases[1:]]})
    assert unacted(setup) == ["phases[0].demands[0]: 阶段 mobilization 开始时不发通知, 这项要求无人看到"]


def test_review_tasks_and_transfers_with_nobody_chasing_them() -> None:
    plan = load_setup("county_2023")
    assert plan.follow_up is not None
    channels = [
        c.model_copy(update={"transfer": None}) if c.transfer_to is not None else c for c in plan.channels
    ]
    setup = plan.model_copy(
        update={
            "follow_up": plan.follow_up.model_copy(update={"ladder": None}),
            "ladders": [x for x in plan.ladders if x.subject not in ("review", "transfer")],
            "channels": channels,
        }
    )
    assert unacted(setup) == [
        "follow_up.ladder: 回头看任务没有督办阶梯, 到期无人提醒、逾期无人催办",
        "channels[0].transfer.ladder: 渠道 department_referral 移送后的初核没有督办阶梯, 逾期无人催办",
    ]


def test_check_prints_the_warning_located_in_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """From the command line: the definition file without ``lead``, the warning at its line."""
    text = zhenggai.workflows.builtin_path("county_2023").read_text(encoding="utf-8")
    start = text.index("    # 四、(二): 县优化营商环境工作领导小组 decides")
    end = text.index("    lead: [business_environment_group]\n") + len(
        "    lead: [business_environment_group]\n"
    )
    mine = tmp_path / "no_lead.yaml"
    mine.write_text(text[:start] + text[end:], encoding="utf-8")
    code = main(["check", str(mine)])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = [line for line in out.splitlines() if "leadership:" in line]
    assert len(lines) == 1 and "无人能确定领衔领导" in lines[0] and f"{mine}:" in lines[0]
