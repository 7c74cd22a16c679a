"""The setup's errors: every reference, order and date problem that keeps a campaign from
running, one section of the definition per function, gathered by :func:`check_setup`."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping

from zhenggai.workflows.schema import (
    LADDER_ACTIONS,
    OUTCOME_KEYS,
    UNIT_WILDCARDS,
    CampaignSetup,
    DutySpec,
    LadderSpec,
    OutcomeTargets,
    PhaseAction,
    PhaseSpec,
)

from ._attachment_checks import attachment_problems
from ._callback_checks import CALLBACK_RECIPIENTS, callback_problems
from ._checks_common import (
    DUTY_UNIT_SELECTORS,
    LADDER_RECIPIENTS,
    PHASE_RECIPIENTS,
    duplicates,
    notify_problems,
    unknown,
)
from ._checks_people import people_problems
from ._checks_work import work_problems
from ._co_unit_checks import PART_RECIPIENTS, co_handling_problems
from ._extension_checks import extension_problems
from ._instruction_checks import instruction_problems
from ._research_checks import RESEARCH_RECIPIENTS, research_problems
from ._score_checks import scoring_problems
from ._send_back_checks import send_back_problems
from ._transfer_checks import TRANSFER_RECIPIENTS, transfer_problems
from .calendar import WorkingCalendar
from .lifecycle import UNIT_RECIPIENTS, check_lifecycle

__all__ = ["DOCUMENT_GUARDS", "check_setup"]

#: Escalation order of the ladder actions (``notify`` stands outside it).
_RANK = {action: i for i, action in enumerate(a for a in LADDER_ACTIONS if a != "notify")}
#: What a document lifecycle's guards may read: a document has a unit, a due date and the
#: trigger's input, but no measures, survivor or assignment.
DOCUMENT_GUARDS = frozenset({"has_reason", "actor_outside_unit", "due_not_passed"})


#: Who a ladder's steps may notify besides the roles, by the subject it runs on (an item's
#: ladder and a duty's: LADDER_RECIPIENTS).
_SUBJECT_RECIPIENTS = {
    "transfer": TRANSFER_RECIPIENTS,
    "research": RESEARCH_RECIPIENTS,
    "part": PART_RECIPIENTS,
    "callback": CALLBACK_RECIPIENTS,
}


def check_setup(setup: CampaignSetup, *, calendar: WorkingCalendar | None = None) -> list[str]:
    """Every problem that keeps ``setup`` from running, as ``path: message`` lines.
    ``calendar``: the working days it is checked on (default: the definition's own on the
    installed statutory data; the engine passes its database's, with the years loaded there)."""
    roles = {r.id: r for r in setup.roles}
    ladders = {ladder.id: ladder for ladder in setup.ladders}
    problems = _timezone_problems(setup.timezone)
    problems += check_lifecycle(setup.lifecycle, roles, setup.lifecycle.operations)
    problems += _role_problems(setup)
    problems += duplicates("units", [u.id for u in setup.units], "单位")
    problems += _channel_problems(setup)
    problems += _track_problems(setup, roles)
    problems += _phase_problems(setup)
    problems += _calendar_problems(setup, calendar or WorkingCalendar(setup.calendar))
    problems += _organisation_problems(setup, roles)
    problems += duplicates("ladders", [ladder.id for ladder in setup.ladders], "督办阶梯")
    for i, ladder in enumerate(setup.ladders):
        problems += _ladder_problems(f"ladders[{i}]", ladder, setup, roles)
    problems += _deadline_problems(setup, ladders)
    problems += _document_problems(setup, roles, ladders)
    problems += _outcome_problems(setup)
    problems += _duty_problems(setup, roles, ladders)
    problems += _follow_up_problems(setup, roles)
    problems += _supervision_problems(setup, roles)
    problems += _notification_problems(setup, roles)
    problems += work_problems(setup)
    problems += people_problems(setup)
    problems += extension_problems(setup)
    problems += scoring_problems(setup)
    problems += attachment_problems(setup)
    problems += instruction_problems(setup)
    return problems


def _role_problems(setup: CampaignSetup) -> list[str]:
    """Role ids unique, none the engine's own ``system``."""
    problems = duplicates("roles", [r.id for r in setup.roles], "角色")
    for i, role in enumerate(setup.roles):
        if role.id == "system":
            problems.append(f"roles[{i}].id: 角色 system 为引擎保留")
    return problems


def _channel_problems(setup: CampaignSetup) -> list[str]:
    """Source channels and severities unique; a channel's transfer and source units known."""
    problems = duplicates("channels", [c.id for c in setup.channels], "来源渠道")
    problems += duplicates("severities", [s.id for s in setup.severities], "问题程度")
    units = {u.id for u in setup.units}
    for i, channel in enumerate(setup.channels):
        if channel.transfer_to is not None and channel.transfer_to not in units:
            problems.append(
                f"channels[{i}].transfer_to: 来源渠道 {channel.id}: 未知单位 {channel.transfer_to}"
            )
        problems += unknown(f"channels[{i}].source_units", channel.source_units, units, "单位")
    problems += transfer_problems(setup)
    return problems


def _timezone_problems(name: str) -> list[str]:
    """The timezone is an IANA zone the installed tzdata knows (due dates are dates there)."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [f"timezone: 未知时区 {name} (须为 IANA 时区名, 如 Asia/Shanghai)"]
    return []


def _track_problems(setup: CampaignSetup, roles: Mapping[str, object]) -> list[str]:
    problems = duplicates("tracks", [t.id for t in setup.tracks], "专项")
    known = {u.id for u in setup.units} | set(UNIT_WILDCARDS) | {g.id for g in setup.unit_groups}
    for i, track in enumerate(setup.tracks):
        for k, unit in enumerate(track.units):
            if unit not in known:
                problems.append(f"tracks[{i}].units[{k}]: 专项 {track.id}: 未知单位 {unit}")
            elif unit in track.units[:k]:
                problems.append(f"tracks[{i}].units[{k}]: 专项 {track.id}: 单位 {unit} 重复列出")
        if track.units[0] in UNIT_WILDCARDS:
            problems.append(
                f"tracks[{i}].units[0]: 专项 {track.id}: 牵头单位须为具体单位, 不能是 {track.units[0]}"
            )
        if track.leader_role is not None and track.leader_role not in roles:
            problems.append(f"tracks[{i}].leader_role: 专项 {track.id}: 未知角色 {track.leader_role}")
    return problems


def _phase_problems(setup: CampaignSetup) -> list[str]:
    """Phases: unique ids, start not after end, in order, each starting the day after the
    previous one ends (no gap, no overlap), none before the campaign's start; their actions'
    references."""
    problems = duplicates("phases", [p.id for p in setup.phases], "阶段")
    duties = {d.id: d for d in setup.duties}
    ladders = {ladder.id: ladder for ladder in setup.ladders}
    for i, phase in enumerate(setup.phases):
        problems += _phase_date_problems(setup, i, phase)
        for when in ("on_start", "on_end"):
            for j, action in enumerate(getattr(phase, when)):
                problems += _phase_action_problems(
                    setup, f"phases[{i}].{when}[{j}]", phase, when, action, duties, ladders
                )
    return problems


def _phase_date_problems(setup: CampaignSetup, i: int, phase: PhaseSpec) -> list[str]:
    """The ``i``-th phase's dates: start not after end; the first not before the campaign's
    start, any other the day after the previous one ends."""
    problems: list[str] = []
    if phase.end < phase.start:
        problems.append(
            f"phases[{i}].end: 阶段 {phase.name} 的结束日期 {phase.end} 早于开始日期 {phase.start}"
        )
    if i == 0:
        if setup.start is not None and phase.start < setup.start:
            problems.append(f"phases[0].start: 阶段 {phase.name} 早于专项行动开始日期 {setup.start}")
        return problems
    prev = setup.phases[i - 1]
    expected = prev.end + dt.timedelta(days=1)
    if phase.start < expected:
        problems.append(
            f"phases[{i}].start: 阶段 {phase.name} 与上一阶段 {prev.name} 重叠 "
            f"(上一阶段至 {prev.end} 结束, 本阶段 {phase.start} 开始)"
        )
    elif phase.start > expected:
        problems.append(
            f"phases[{i}].start: 阶段 {phase.name} 与上一阶段 {prev.name} 之间有空档 "
            f"({expected} 至 {phase.start - dt.timedelta(days=1)})"
        )
    return problems


def _phase_action_problems(
    setup: CampaignSetup,
    path: str,
    phase: PhaseSpec,
    when: str,
    action: PhaseAction,
    duties: Mapping[str, DutySpec],
    ladders: Mapping[str, LadderSpec],
) -> list[str]:
    """One action at a phase's start or end (``when``): a notice with a message, or the
    escalation of a duty that is due by then, on a duty ladder."""
    problems = notify_problems(f"{path}.notify", action.notify, PHASE_RECIPIENTS, setup)
    if action.action == "notify":
        if not action.notify:
            problems.append(f"{path}.notify: 通知动作须指定消息")
        return problems
    if action.duty is None:
        problems.append(f"{path}.duty: 须指定检查的职责")
        return problems
    duty = duties.get(action.duty)
    if duty is None:
        problems.append(f"{path}.duty: 未知职责 {action.duty}")
        return problems
    last_due = duty.due if duty.due is not None else duty.end
    day = phase.start if when == "on_start" else phase.end
    if last_due is not None and last_due > day:
        problems.append(
            f"{path}.duty: 职责 {duty.id} 到 {last_due} 才到期, 不能在阶段 {phase.name} "
            f"{'开始' if when == 'on_start' else '结束'} ({day}) 时督办未完成的单位"
        )
    ladder_id = action.ladder or duty.ladder
    if ladder_id is None:
        problems.append(f"{path}.ladder: 须指定督办阶梯 (职责 {duty.id} 也没有)")
    elif ladder_id not in ladders:
        problems.append(f"{path}.ladder: 未知督办阶梯 {ladder_id}")
    elif ladders[ladder_id].subject != "duty":
        problems.append(f"{path}.ladder: 督办阶梯 {ladder_id} 不是职责督办阶梯")
    return problems


def _calendar_problems(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Every dated field (phases, duty dates, the campaign start, the county's own days) lies in
    a year the calendar knows; no day is both a county holiday and a county working day, or
    listed twice."""
    problems: list[str] = []
    coverage = calendar.describe_coverage()
    dated: list[tuple[str, dt.date]] = []
    if setup.start is not None:
        dated.append(("start", setup.start))
    for i, phase in enumerate(setup.phases):
        dated += [(f"phases[{i}].start", phase.start), (f"phases[{i}].end", phase.end)]
    for i, duty in enumerate(setup.duties):
        dated += [(f"duties[{i}].{f}", getattr(duty, f)) for f in ("due", "start", "end") if getattr(duty, f)]
    for field in ("extra_holidays", "extra_workdays"):
        dated += [
            (f"calendar.{field}[{i}].date", o.date) for i, o in enumerate(getattr(setup.calendar, field))
        ]
    for path, day in dated:
        if not calendar.covers(day.year):
            problems.append(
                f"{path}: 日期 {day} 超出工作日历已知的年份 ({coverage}); "
                f"先用 zhenggai calendar load 载入 {day.year} 年的节假日安排"
            )
    seen: dict[dt.date, str] = {}
    for field in ("extra_holidays", "extra_workdays"):
        for i, override in enumerate(getattr(setup.calendar, field)):
            path = f"calendar.{field}[{i}].date"
            if override.date in seen:
                problems.append(f"{path}: 日期 {override.date} 已在 {seen[override.date]} 中列出")
            else:
                seen[override.date] = field
    return problems


def _organisation_problems(setup: CampaignSetup, roles: Mapping[str, object]) -> list[str]:
    problems: list[str] = []
    units = {u.id for u in setup.units}
    phases = {p.id for p in setup.phases}
    group = setup.leading_group
    if group is not None:
        if group.office_unit not in units:
            problems.append(f"leading_group.office_unit: 未知单位 {group.office_unit}")
        if group.office_role not in roles:
            problems.append(f"leading_group.office_role: 未知角色 {group.office_role}")
    lead = setup.leadership
    if lead is not None:
        problems += unknown("leadership.roles", lead.roles, roles, "角色")
        if lead.decided_by not in roles:
            problems.append(f"leadership.decided_by: 未知角色 {lead.decided_by}")
        if lead.phase is not None and lead.phase not in phases:
            problems.append(f"leadership.phase: 未知阶段 {lead.phase}")
    problems += research_problems(setup)
    problems += send_back_problems(setup)
    problems += co_handling_problems(setup)
    problems += callback_problems(setup)
    return problems


def _ladder_problems(
    path: str, ladder: LadderSpec, setup: CampaignSetup, roles: Mapping[str, object]
) -> list[str]:
    """Steps in order (offsets strictly increasing, escalation never stepping back, each
    escalation once), their states and recipients known."""
    problems = duplicates(f"{path}.steps", [s.id for s in ladder.steps], "督办步骤")
    lifecycle = setup.lifecycle
    if ladder.subject == "document" and setup.documents is not None:
        lifecycle = setup.documents.lifecycle
    states = {s.id for s in lifecycle.states}
    final = lifecycle.final_states
    if ladder.subject in ("item", "document"):
        if not ladder.states:
            problems.append(f"{path}.states: 问题督办阶梯须指定适用的状态")
        for k, state in enumerate(ladder.states):
            if state not in states:
                problems.append(f"{path}.states[{k}]: 未知状态 {state}")
            elif state in final:
                problems.append(f"{path}.states[{k}]: 终止状态 {state} 无须督办")
    elif ladder.states:
        problems.append(f"{path}.states: 职责督办阶梯不按问题状态运行, 不应列出状态")
    extra = _SUBJECT_RECIPIENTS.get(ladder.subject, LADDER_RECIPIENTS)
    prev_offset: int | None = None
    top: tuple[int, str] | None = None
    for j, step in enumerate(ladder.steps):
        step_path = f"{path}.steps[{j}]"
        if prev_offset is not None and step.offset <= prev_offset:
            problems.append(
                f"{step_path}.offset: 督办阶梯 {ladder.id} 顺序错误: 步骤 {step.id} 的时点 ({step.offset} 天) "
                f"须晚于上一步骤 ({prev_offset} 天)"
            )
        prev_offset = step.offset
        if step.action != "notify":
            rank = _RANK[step.action]
            if top is not None and rank <= top[0]:
                problems.append(
                    f"{step_path}.action: 督办阶梯 {ladder.id} 顺序错误: {LADDER_ACTIONS[step.action]} "
                    f"不能排在{LADDER_ACTIONS[top[1]]}之后"
                )
            else:
                top = (rank, step.action)
        problems += notify_problems(f"{step_path}.notify", step.notify, extra, setup)
    return problems


def _deadline_problems(setup: CampaignSetup, ladders: Mapping[str, LadderSpec]) -> list[str]:
    rules = setup.deadlines
    if rules is None:
        return []
    problems: list[str] = []
    if rules.default.track is not None or rules.default.severity is not None:
        problems.append("deadlines.default: 默认整改时限不能限定专项或问题程度 (请写在 rules 中)")
    tracks = {t.id for t in setup.tracks}
    severities = {s.id for s in setup.severities}
    seen: dict[tuple[str | None, str | None], int] = {}
    for i, rule in enumerate(rules.rules):
        path = f"deadlines.rules[{i}]"
        if rule.track is None and rule.severity is None:
            problems.append(
                f"{path}: 须指定专项 (track) 或问题程度 (severity); 适用全部问题的时限写在 default 中"
            )
        if rule.track is not None and rule.track not in tracks:
            problems.append(f"{path}.track: 未知专项 {rule.track}")
        if rule.severity is not None and rule.severity not in severities:
            problems.append(f"{path}.severity: 未知问题程度 {rule.severity}")
        key = (rule.track, rule.severity)
        if key in seen:
            problems.append(f"{path}: 与 deadlines.rules[{seen[key]}] 适用范围相同")
        seen.setdefault(key, i)
    if rules.ladder is not None:
        if rules.ladder not in ladders:
            problems.append(f"deadlines.ladder: 未知督办阶梯 {rules.ladder}")
        elif ladders[rules.ladder].subject != "item":
            problems.append(f"deadlines.ladder: 督办阶梯 {rules.ladder} 不是问题督办阶梯")
    return problems


def _document_problems(
    setup: CampaignSetup, roles: Mapping[str, object], ladders: Mapping[str, LadderSpec]
) -> list[str]:
    """The document-review lifecycle (规范性文件清理): a lifecycle of its own, checked like the
    items' (paths under ``documents.``), with only document guards, no effects, a decision in
    every final state, the listing operation, and a ladder of subject ``document``."""
    docs = setup.documents
    if docs is None:
        return [
            f"ladders[{i}].subject: 没有 documents (规范性文件清理), 不能有文件督办阶梯"
            for i, ladder in enumerate(setup.ladders)
            if ladder.subject == "document"
        ]
    spec = docs.lifecycle
    # Of the items' operations a document needs only ``report`` (listing), checked below.
    problems = [
        f"documents.{p}"
        for p in check_lifecycle(spec, roles, spec.operations)
        if not (p.startswith("lifecycle.operations.") and "未指定可执行" in p)
    ]
    for i, t in enumerate(spec.transitions):
        for k, guard in enumerate(t.guards):
            if guard not in DOCUMENT_GUARDS:
                problems.append(
                    f"documents.lifecycle.transitions[{i}].guards[{k}]: 文件清理的流转不能使用条件 "
                    f"{guard} (可用: {', '.join(sorted(DOCUMENT_GUARDS))})"
                )
        for k, effect in enumerate(t.effects):
            problems.append(
                f"documents.lifecycle.transitions[{i}].effects[{k}]: 文件清理的流转没有效果 "
                f"({effect}); 清理结论就是终止状态"
            )
        for k, n in enumerate(t.notify):
            if n.to == "previous_unit":
                problems.append(
                    f"documents.lifecycle.transitions[{i}].notify[{k}].to: 文件不会改派, 没有原责任单位"
                )
    if not spec.operations.get("report"):
        problems.append("documents.lifecycle.operations.report: 未指定可登记待清理文件的角色")
    if not spec.final_states:
        problems.append("documents.lifecycle.states: 须有终止状态 (清理结论, 如 保留 / 修订 / 废止)")
    if docs.due.track is not None or docs.due.severity is not None:
        problems.append("documents.due: 文件清理时限不分专项和问题程度")
    if docs.ladder is not None:
        if docs.ladder not in ladders:
            problems.append(f"documents.ladder: 未知督办阶梯 {docs.ladder}")
        elif ladders[docs.ladder].subject != "document":
            problems.append(f"documents.ladder: 督办阶梯 {docs.ladder} 不是文件督办阶梯 (subject: document)")
    return problems


def _outcome_problems(setup: CampaignSetup) -> list[str]:
    """The outcome vocabularies (问责处理, 长效机制类别) without repeats, targets not negative and
    per track only for tracks the definition has."""
    spec = setup.outcomes
    if spec is None:
        return []
    problems = duplicates("outcomes.accountability", [a.id for a in spec.accountability], "问责处理方式")
    problems += duplicates("outcomes.mechanism_kinds", [k.id for k in spec.mechanism_kinds], "长效机制类别")
    tracks = {t.id for t in setup.tracks}
    targets: list[tuple[str, OutcomeTargets]] = [("outcomes.targets", spec.targets)]
    for track, by_track in spec.targets.by_track.items():
        path = f"outcomes.targets.by_track.{track}"
        if track not in tracks:
            problems.append(f"{path}: 未知专项 {track}")
        targets.append((path, by_track))
    for path, values in targets:
        for key, label in OUTCOME_KEYS.items():
            value = values.target(key)
            if value is not None and value < 0:
                problems.append(f"{path}.{key}: {label}目标不能为负数 ({value})")
    return problems


def _duty_problems(
    setup: CampaignSetup, roles: Mapping[str, object], ladders: Mapping[str, LadderSpec]
) -> list[str]:
    problems = duplicates("duties", [d.id for d in setup.duties], "职责")
    units = {u.id for u in setup.units}
    first = setup.phases[0].start if setup.phases else setup.start
    last = setup.phases[-1].end if setup.phases else None
    for i, duty in enumerate(setup.duties):
        path = f"duties[{i}]"
        for k, unit in enumerate(duty.units):
            if unit not in units and unit not in DUTY_UNIT_SELECTORS:
                problems.append(f"{path}.units[{k}]: 职责 {duty.id}: 未知单位 {unit}")
        if duty.to not in roles and duty.to not in units:
            problems.append(f"{path}.to: 职责 {duty.id}: 未知角色或单位 {duty.to}")
        problems += _duty_schedule_problems(path, duty)
        problems += _duty_date_problems(path, duty, first, last)
        if duty.ladder is not None:
            if duty.ladder not in ladders:
                problems.append(f"{path}.ladder: 未知督办阶梯 {duty.ladder}")
            elif ladders[duty.ladder].subject != "duty":
                problems.append(f"{path}.ladder: 督办阶梯 {duty.ladder} 用于问题, 不能用于职责")
        problems += notify_problems(f"{path}.notify", duty.notify, frozenset({"responsible_unit"}), setup)
    return problems


def _duty_schedule_problems(path: str, duty: DutySpec) -> list[str]:
    """A duty is due once (``due``) or recurs (``every`` from ``start`` to ``end``, on a weekday
    when weekly), not both, with only the fields its kind uses."""
    problems: list[str] = []
    if (duty.due is None) == (duty.every is None):
        problems.append(f"{path}: 职责 {duty.id} 须二选一: 指定到期日 (due) 或周期 (every)")
    if duty.every is not None:
        for field in ("start", "end"):
            if getattr(duty, field) is None:
                problems.append(
                    f"{path}.{field}: 周期性职责 {duty.id} 须指定{'起始' if field == 'start' else '截止'}日期"
                )
        if duty.start is not None and duty.end is not None and duty.end < duty.start:
            problems.append(f"{path}.end: 职责 {duty.id} 的截止日期 {duty.end} 早于起始日期 {duty.start}")
        if duty.every in ("week", "fortnight") and duty.weekday is None:
            problems.append(f"{path}.weekday: 按周的职责 {duty.id} 须指定星期几 (1-7)")
        if duty.every == "month" and duty.weekday is not None:
            problems.append(f"{path}.weekday: 按月的职责 {duty.id} 按起始日期的日子到期, 不指定星期几")
    elif duty.weekday is not None or duty.start is not None or duty.end is not None:
        problems.append(f"{path}: 一次性职责 {duty.id} 只需到期日 (due), 不用 weekday/start/end")
    return problems


def _duty_date_problems(path: str, duty: DutySpec, first: dt.date | None, last: dt.date | None) -> list[str]:
    """A duty's dates lie within the campaign: from its start (``first``) to the last phase's end."""
    problems: list[str] = []
    for field in ("due", "start", "end"):
        day = getattr(duty, field)
        if day is None:
            continue
        if first is not None and day < first:
            problems.append(f"{path}.{field}: 职责 {duty.id} 的日期 {day} 早于专项行动开始 ({first})")
        if last is not None and day > last:
            problems.append(f"{path}.{field}: 职责 {duty.id} 的日期 {day} 晚于最后阶段结束 ({last})")
    return problems


def _follow_up_problems(setup: CampaignSetup, roles: Mapping[str, object]) -> list[str]:
    rule = setup.follow_up
    if rule is None:
        return []
    problems: list[str] = []
    if rule.phase not in {p.id for p in setup.phases}:
        problems.append(f"follow_up.phase: 未知阶段 {rule.phase}")
    states = {s.id for s in setup.lifecycle.states}
    for k, state in enumerate(rule.states):
        if state not in states:
            problems.append(f"follow_up.states[{k}]: 未知状态 {state}")
        elif state not in setup.lifecycle.final_states:
            problems.append(f"follow_up.states[{k}]: 回头看只抽查已办结的问题, {state} 不是终止状态")
    if rule.role not in roles:
        problems.append(f"follow_up.role: 未知角色 {rule.role}")
    transitions = [t for t in setup.lifecycle.transitions if t.trigger == rule.trigger]
    if not transitions:
        problems.append(f"follow_up.trigger: 流程中没有触发 {rule.trigger}")
    else:
        if not any(set(t.source) & set(rule.states) for t in transitions):
            problems.append(
                f"follow_up.trigger: 触发 {rule.trigger} 不能从抽查的状态 ({', '.join(rule.states)}) 发起"
            )
        if rule.role in roles and not any(rule.role in t.roles for t in transitions):
            problems.append(f"follow_up.role: 角色 {rule.role} 无权执行触发 {rule.trigger}")
    return problems


def _supervision_problems(setup: CampaignSetup, roles: Mapping[str, object]) -> list[str]:
    rule = setup.supervision
    if rule is None:
        return []
    problems: list[str] = []
    units = {u.id for u in setup.units}
    if rule.role not in roles:
        problems.append(f"supervision.role: 未知角色 {rule.role}")
    if rule.lead_unit not in units:
        problems.append(f"supervision.lead_unit: 未知单位 {rule.lead_unit}")
    elif rule.lead_unit not in rule.drawn_from:
        problems.append(f"supervision.lead_unit: 牵头单位 {rule.lead_unit} 须在抽调单位 (drawn_from) 之中")
    problems += unknown("supervision.drawn_from", rule.drawn_from, units, "单位")
    problems += duplicates("supervision.drawn_from", rule.drawn_from, "抽调单位", with_id=False)
    if rule.members < rule.teams:
        problems.append(f"supervision.members: {rule.members} 人不够组成 {rule.teams} 个督查组")
    if rule.units_per_draw > len(setup.units):
        problems.append(
            f"supervision.units_per_draw: 每次抽查 {rule.units_per_draw} 个单位, 多于全部 {len(setup.units)} 个单位"
        )
    problems += unknown("supervision.phases", rule.phases, {p.id for p in setup.phases}, "阶段")
    return problems


def _notification_problems(setup: CampaignSetup, roles: Mapping[str, object]) -> list[str]:
    problems: list[str] = []
    recipients = set(roles) | UNIT_RECIPIENTS | LADDER_RECIPIENTS | PHASE_RECIPIENTS | PART_RECIPIENTS
    seen: set[str] = set()
    for i, route in enumerate(setup.notifications.routes):
        if route.to not in recipients:
            problems.append(f"notifications.routes[{i}].to: 未知接收方 {route.to}")
        if route.to in seen:
            problems.append(f"notifications.routes[{i}].to: 接收方 {route.to} 的发送路由重复定义")
        seen.add(route.to)
    problems += notify_problems("calendar.alert", setup.calendar.alert, frozenset(), setup)
    for i, quiet in enumerate(setup.notifications.quiet_hours):
        if quiet.start == quiet.end:
            problems.append(f"notifications.quiet_hours[{i}].end: 免打扰时段的开始与结束相同")
    for i, unit in enumerate(setup.units):
        for k, contact in enumerate(unit.contacts):
            for j, channel in enumerate(contact.channels):
                if channel not in ("email", "sms", "wecom", "dingtalk", "console", "file"):
                    problems.append(
                        f"units[{i}].contacts[{k}].channels[{j}]: 未知发送渠道 {channel} "
                        "(可用: email, sms, wecom, dingtalk, console, file)"
                    )
    return problems
