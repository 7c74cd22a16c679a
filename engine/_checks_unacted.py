"""Warnings for definition blocks nothing would act on (issue 16): a block the engine reads only
when something else is there too — 领衔 without an operation to decide it, a track's 组长 role
no message about the track reaches, a phase demand addressed to someone the phase's notice does
not reach, a 回头看 task or a 初核 with nobody chasing it when late. Legal, so warnings, not
problems: a county may mean it, but usually a block was written and its trigger forgotten."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from zhenggai.workflows.schema import CampaignSetup

from .calendar import WorkingCalendar

__all__ = ["UNACTED", "unacted_warnings"]


def unacted_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Every block of ``setup`` nothing acts on, as ``path: message`` lines."""
    return [warning for check in UNACTED for warning in check(setup)]


def _leadership(setup: CampaignSetup) -> Iterator[str]:
    """领衔 is decided only through the ``lead`` operation, by ``leadership.decided_by``."""
    lead = setup.leadership
    if lead is None:
        return
    deciders = setup.lifecycle.operations.get("lead")
    if deciders is None:
        yield "leadership: 定义了领衔 (leadership), 但流程的 operations 中没有 lead: 无人能确定领衔领导"
    elif lead.decided_by not in deciders:
        yield (
            f"leadership.decided_by: {lead.decided_by} 不在 operations.lead 的角色中"
            f" ({'、'.join(deciders) or '无'}): 决定领衔的角色无权决定"
        )


def _item_roles(setup: CampaignSetup) -> set[str]:
    """The roles a message about an item or a duty can reach: transitions' and item, duty and
    transfer ladders' notify lists, and the duties' own messages and receivers."""
    named = {n.to for t in setup.lifecycle.transitions for n in t.notify}
    named |= {n.to for ladder in setup.ladders for step in ladder.steps for n in step.notify}
    named |= {n.to for d in setup.duties for n in d.notify} | {d.to for d in setup.duties}
    return named


def _track_leaders(setup: CampaignSetup) -> Iterator[str]:
    """A track's ``leader_role`` (its 组长) should hear about the track's items or duties."""
    reached = _item_roles(setup)
    for i, track in enumerate(setup.tracks):
        if track.leader_role is not None and track.leader_role not in reached:
            yield (
                f"tracks[{i}].leader_role: 专项 {track.id} 的组长角色 {track.leader_role}"
                " 收不到任何问题或职责的消息 (没有触发、督办阶梯或职责通知它)"
            )


def _phase_demands(setup: CampaignSetup) -> Iterator[str]:
    """A demand addressed to someone the phase's start does not notify is shown to nobody."""
    for i, phase in enumerate(setup.phases):
        told = {n.to for action in phase.on_start for n in action.notify}
        for j, demand in enumerate(phase.demands):
            if isinstance(demand, str):
                if phase.demands and not told:
                    yield f"phases[{i}].demands[{j}]: 阶段 {phase.id} 开始时不发通知, 这项要求无人看到"
                continue
            missing = [to for to in demand.to if to not in told]
            if missing:
                yield (
                    f"phases[{i}].demands[{j}].to: 阶段 {phase.id} 开始时不通知 {'、'.join(missing)},"
                    " 发给它们的要求无人看到"
                )


def _unchased(setup: CampaignSetup) -> Iterator[str]:
    """Work with a due date and no ladder: nobody is reminded or chased when it is late."""
    if setup.follow_up is not None and setup.follow_up.ladder is None:
        yield "follow_up.ladder: 回头看任务没有督办阶梯, 到期无人提醒、逾期无人催办"
    for i, channel in enumerate(setup.channels):
        if channel.transfer_to is not None and (channel.transfer is None or channel.transfer.ladder is None):
            yield f"channels[{i}].transfer.ladder: 渠道 {channel.id} 移送后的初核没有督办阶梯, 逾期无人催办"


#: Every kind of unacted block, in the order :func:`unacted_warnings` reports them.
UNACTED: tuple[Callable[[CampaignSetup], Iterator[str]], ...] = (
    _leadership,
    _track_leaders,
    _phase_demands,
    _unchased,
)
