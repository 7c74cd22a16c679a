"""Static analysis of a campaign setup: what keeps it from running (errors), and what is legal
but probably a mistake (warnings).

Every problem is a ``path: message`` line whose path points at the offending element
(``ladders[0].steps[2].offset``), so a loader can turn it into ``file:line`` (see
:func:`zhenggai.engine.lifecycle.split_problem`). The engine runs :func:`check_setup` before it
starts or migrates a campaign; ``zhenggai check`` adds template checks and the warnings.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from zhenggai.workflows.schema import (
    LADDER_ACTIONS,
    OUTCOME_KEYS,
    UNIT_WILDCARDS,
    CampaignSetup,
    LadderSpec,
    NotifySpec,
    OutcomeTargets,
)

from .calendar import WorkingCalendar
from .deadlines import add_days, occurrences, offset_day, stated_day
from .errors import CalendarError
from .lifecycle import OPERATIONS, UNIT_RECIPIENTS, check_lifecycle
from .messages import message_uses

__all__ = [
    "DUTY_UNIT_SELECTORS",
    "LADDER_RECIPIENTS",
    "PHASE_RECIPIENTS",
    "check_setup",
    "setup_warnings",
]

#: Besides unit ids, who a duty can be laid on: every unit, the county-level units, every
#: track's lead unit (牵头单位).
DUTY_UNIT_SELECTORS: Mapping[str, str] = {**UNIT_WILDCARDS, "lead_units": "各专项整治牵头单位"}
#: Recipients (besides roles) of a ladder step: the unit answerable and its track's lead unit.
LADDER_RECIPIENTS = frozenset({"responsible_unit", "lead_unit"})
#: Recipients (besides roles) of a phase action's messages.
PHASE_RECIPIENTS = frozenset({"all_units", "lead_units"})
#: Escalation order of the ladder actions (``notify`` stands outside it).
_RANK = {action: i for i, action in enumerate(a for a in LADDER_ACTIONS if a != "notify")}


def check_setup(setup: CampaignSetup, *, calendar: WorkingCalendar | None = None) -> list[str]:
    """Every problem that keeps ``setup`` from running, as ``path: message`` lines.
    ``calendar``: the working days it is checked on (default: the definition's own on the
    installed statutory data; the engine passes its database's, with the years loaded there)."""
    roles = {r.id: r for r in setup.roles}
    problems = _timezone_problems(setup.timezone)
    problems += check_lifecycle(setup.lifecycle, roles, setup.lifecycle.operations)
    problems += _duplicates("roles", [r.id for r in setup.roles], "角色")
    for i, role in enumerate(setup.roles):
        if role.id == "system":
            problems.append(f"roles[{i}].id: 角色 system 为引擎保留")
    problems += _duplicates("units", [u.id for u in setup.units], "单位")
    problems += _duplicates("channels", [c.id for c in setup.channels], "来源渠道")
    problems += _duplicates("severities", [s.id for s in setup.severities], "问题程度")
    units = {u.id for u in setup.units}
    for i, channel in enumerate(setup.channels):
        if channel.transfer_to is not None and channel.transfer_to not in units:
            problems.append(f"channels[{i}].transfer_to: 来源渠道 {channel.id}: 未知单位 {channel.transfer_to}")
        problems += _unknown(f"channels[{i}].source_units", channel.source_units, units, "单位")
    problems += _track_problems(setup, roles)
    problems += _phase_problems(setup)
    problems += _calendar_problems(setup, calendar or WorkingCalendar(setup.calendar))
    problems += _organisation_problems(setup, roles)
    ladders = {ladder.id: ladder for ladder in setup.ladders}
    problems += _duplicates("ladders", [ladder.id for ladder in setup.ladders], "督办阶梯")
    for i, ladder in enumerate(setup.ladders):
        problems += _ladder_problems(f"ladders[{i}]", ladder, setup, roles)
    problems += _deadline_problems(setup, ladders)
    problems += _document_problems(setup, roles, ladders)
    problems += _outcome_problems(setup)
    problems += _duty_problems(setup, roles, ladders)
    problems += _follow_up_problems(setup, roles)
    problems += _supervision_problems(setup, roles)
    problems += _notification_problems(setup, roles)
    return problems


def setup_warnings(setup: CampaignSetup, *, calendar: WorkingCalendar | None = None) -> list[str]:
    """Legal but suspicious things, as ``path: message`` lines (they do not stop a campaign)."""
    calendar = calendar or WorkingCalendar(setup.calendar)
    warnings: list[str] = []
    used_roles = _used_roles(setup)
    for i, role in enumerate(setup.roles):
        if role.id not in used_roles:
            warnings.append(f"roles[{i}].id: 角色 {role.id} 未被任何触发、操作、职责或通知使用")
    if not any(u in UNIT_WILDCARDS for t in setup.tracks for u in t.units):
        named = _named_units(setup)
        for i, unit in enumerate(setup.units):
            if unit.id not in named:
                warnings.append(f"units[{i}].id: 单位 {unit.id} 未列入任何专项、职责或机构")
    used_ladders = {setup.deadlines.ladder} if setup.deadlines is not None else set()
    used_ladders |= {setup.documents.ladder} if setup.documents is not None else set()
    used_ladders |= {d.ladder for d in setup.duties}
    used_ladders |= {a.ladder for p in setup.phases for a in (*p.on_start, *p.on_end)}
    for i, ladder in enumerate(setup.ladders):
        if ladder.id not in used_ladders:
            warnings.append(f"ladders[{i}].id: 督办阶梯 {ladder.id} 未被使用 (期限规则、职责或阶段均未引用)")
        for j, step in enumerate(ladder.steps):
            if step.action == "remind" and step.offset > 0:
                warnings.append(f"ladders[{i}].steps[{j}].offset: 到期提醒排在到期之后 ({step.offset} 天)")
    warnings += _outcome_warnings(setup)
    used_messages = {use.kind for use in message_uses(setup)}
    for kind in setup.notifications.templates:
        if kind not in used_messages:
            warnings.append(f"notifications.templates.{kind}: 消息模板 {kind} 未被使用")
    sms_routed = any("sms" in r.delivery for r in setup.notifications.routes)
    for kind, template in setup.notifications.templates.items():
        if sms_routed and kind in used_messages and template.sms_template is None:
            warnings.append(f"notifications.templates.{kind}: 有短信发送路由, 但模板 {kind} 未填短信模板编号 (sms_template)")
    warnings += _day_off_warnings(setup, calendar)
    warnings += _unknown_year_warnings(setup, calendar)
    if setup.calendar.base == "cn_statutory" and not setup.calendar.alert:
        warnings.append("calendar: 未设置 alert: 缺少某年节假日安排时只记入审计并在 zhenggai status 中显示, 不通知任何人")
    for field, is_off in (("extra_holidays", True), ("extra_workdays", False)):
        for i, day in enumerate(getattr(setup.calendar, field)):
            if calendar.covers(day.date.year) and calendar.is_statutory_holiday(day.date) == is_off:
                kind = "休息日" if is_off else "工作日"
                warnings.append(f"calendar.{field}[{i}].date: {day.date} 本来就是{kind}")
    for i, unit in enumerate(setup.units):
        for k, contact in enumerate(unit.contacts):
            if not contact.email and not contact.mobile:
                warnings.append(f"units[{i}].contacts[{k}]: 联系人 {contact.name} 没有邮箱也没有手机号, 收不到消息")
    for path, notify in _notify_lists(setup):
        seen: set[tuple[str, str]] = set()
        for k, n in enumerate(notify):
            if (n.message, n.to) in seen:
                warnings.append(f"{path}[{k}]: 消息 {n.message} 重复发给 {n.to} (只会发送一次)")
            seen.add((n.message, n.to))
    silent = [u.name for u in setup.units if not u.contacts]
    if silent:
        shown = "、".join(silent[:3]) + (f" 等 {len(silent)} 个单位" if len(silent) > 3 else "")
        warnings.append(
            f"units: {shown} 未填联系人: 发给它们的消息无人接收 (记为死信), 上线前请补充 contacts"
        )
    return warnings


# ------------------------------------------------------------------------------------ sections


def _timezone_problems(name: str) -> list[str]:
    """The timezone is an IANA zone the installed tzdata knows (due dates are dates there)."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [f"timezone: 未知时区 {name} (须为 IANA 时区名, 如 Asia/Shanghai)"]
    return []


def _track_problems(setup: CampaignSetup, roles: Mapping[str, object]) -> list[str]:
    problems = _duplicates("tracks", [t.id for t in setup.tracks], "专项")
    known = {u.id for u in setup.units} | set(UNIT_WILDCARDS)
    for i, track in enumerate(setup.tracks):
        for k, unit in enumerate(track.units):
            if unit not in known:
                problems.append(f"tracks[{i}].units[{k}]: 专项 {track.id}: 未知单位 {unit}")
            elif unit in track.units[:k]:
                problems.append(f"tracks[{i}].units[{k}]: 专项 {track.id}: 单位 {unit} 重复列出")
        if track.units[0] in UNIT_WILDCARDS:
            problems.append(f"tracks[{i}].units[0]: 专项 {track.id}: 牵头单位须为具体单位, 不能是 {track.units[0]}")
        if track.leader_role is not None and track.leader_role not in roles:
            problems.append(f"tracks[{i}].leader_role: 专项 {track.id}: 未知角色 {track.leader_role}")
    return problems


def _phase_problems(setup: CampaignSetup) -> list[str]:
    """Phases: unique ids, start not after end, in order, each starting the day after the
    previous one ends (no gap, no overlap), none before the campaign's start; their actions'
    references."""
    problems = _duplicates("phases", [p.id for p in setup.phases], "阶段")
    duties = {d.id: d for d in setup.duties}
    ladders = {ladder.id: ladder for ladder in setup.ladders}
    for i, phase in enumerate(setup.phases):
        if phase.end < phase.start:
            problems.append(f"phases[{i}].end: 阶段 {phase.name} 的结束日期 {phase.end} 早于开始日期 {phase.start}")
        if i == 0:
            if setup.start is not None and phase.start < setup.start:
                problems.append(f"phases[0].start: 阶段 {phase.name} 早于专项行动开始日期 {setup.start}")
        else:
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
        for when in ("on_start", "on_end"):
            for j, action in enumerate(getattr(phase, when)):
                path = f"phases[{i}].{when}[{j}]"
                problems += _notify_problems(f"{path}.notify", action.notify, PHASE_RECIPIENTS, setup)
                if action.action == "notify":
                    if not action.notify:
                        problems.append(f"{path}.notify: 通知动作须指定消息")
                    continue
                if action.duty is None:
                    problems.append(f"{path}.duty: 须指定检查的职责")
                    continue
                duty = duties.get(action.duty)
                if duty is None:
                    problems.append(f"{path}.duty: 未知职责 {action.duty}")
                    continue
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
        dated += [(f"calendar.{field}[{i}].date", o.date) for i, o in enumerate(getattr(setup.calendar, field))]
    for path, day in dated:
        if not calendar.covers(day.year):
            problems.append(f"{path}: 日期 {day} 超出工作日历已知的年份 ({coverage}); "
                            f"先用 zhenggai calendar load 载入 {day.year} 年的节假日安排")
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
        problems += _unknown("leadership.roles", lead.roles, roles, "角色")
        if lead.decided_by not in roles:
            problems.append(f"leadership.decided_by: 未知角色 {lead.decided_by}")
        if lead.phase is not None and lead.phase not in phases:
            problems.append(f"leadership.phase: 未知阶段 {lead.phase}")
    return problems


def _ladder_problems(path: str, ladder: LadderSpec, setup: CampaignSetup, roles: Mapping[str, object]) -> list[str]:
    """Steps in order (offsets strictly increasing, escalation never stepping back, each
    escalation once), their states and recipients known."""
    problems = _duplicates(f"{path}.steps", [s.id for s in ladder.steps], "督办步骤")
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
        problems += _notify_problems(f"{step_path}.notify", step.notify, LADDER_RECIPIENTS, setup)
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
            problems.append(f"{path}: 须指定专项 (track) 或问题程度 (severity); 适用全部问题的时限写在 default 中")
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


#: What a document lifecycle's guards may read: a document has a unit, a due date and the
#: trigger's input, but no measures, survivor or assignment.
DOCUMENT_GUARDS = frozenset({"has_reason", "actor_outside_unit", "due_not_passed"})


def _document_problems(
    setup: CampaignSetup, roles: Mapping[str, object], ladders: Mapping[str, LadderSpec]
) -> list[str]:
    """The document-review lifecycle (规范性文件清理): a lifecycle of its own, checked like the
    items' (paths under ``documents.``), with only document guards, no effects, a decision in
    every final state, the listing operation, and a ladder of subject ``document``."""
    docs = setup.documents
    if docs is None:
        return [f"ladders[{i}].subject: 没有 documents (规范性文件清理), 不能有文件督办阶梯"
                for i, ladder in enumerate(setup.ladders) if ladder.subject == "document"]
    spec = docs.lifecycle
    # Of the items' operations a document needs only ``report`` (listing), checked below.
    problems = [f"documents.{p}" for p in check_lifecycle(spec, roles, spec.operations)
                if not (p.startswith("lifecycle.operations.") and "未指定可执行" in p)]
    for i, t in enumerate(spec.transitions):
        for k, guard in enumerate(t.guards):
            if guard not in DOCUMENT_GUARDS:
                problems.append(f"documents.lifecycle.transitions[{i}].guards[{k}]: 文件清理的流转不能使用条件 "
                                f"{guard} (可用: {', '.join(sorted(DOCUMENT_GUARDS))})")
        for k, effect in enumerate(t.effects):
            problems.append(f"documents.lifecycle.transitions[{i}].effects[{k}]: 文件清理的流转没有效果 "
                            f"({effect}); 清理结论就是终止状态")
        for k, n in enumerate(t.notify):
            if n.to == "previous_unit":
                problems.append(f"documents.lifecycle.transitions[{i}].notify[{k}].to: 文件不会改派, 没有原责任单位")
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
    problems = _duplicates("outcomes.accountability", [a.id for a in spec.accountability], "问责处理方式")
    problems += _duplicates("outcomes.mechanism_kinds", [k.id for k in spec.mechanism_kinds], "长效机制类别")
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


def _outcome_warnings(setup: CampaignSetup) -> list[str]:
    """Outcome operations a definition grants that its vocabularies leave empty-handed."""
    operations = setup.lifecycle.operations
    spec = setup.outcomes
    kinds = spec.mechanism_kinds if spec is not None else []
    accountability = spec.accountability if spec is not None else []
    warnings = []
    if operations.get("register_mechanism") and not kinds:
        where = "outcomes.mechanism_kinds" if spec is not None else "lifecycle.operations.register_mechanism"
        warnings.append(f"{where}: 有可{OPERATIONS['register_mechanism']}的角色, 但未定义长效机制类别 "
                        "(outcomes.mechanism_kinds), 无法登记")
    if operations.get("record_outcome") and not accountability:
        where = "outcomes.accountability" if spec is not None else "lifecycle.operations.record_outcome"
        warnings.append(f"{where}: 有可{OPERATIONS['record_outcome']}的角色, 但未定义问责处理方式 "
                        "(outcomes.accountability), 只能记录根源分析和长效机制")
    return warnings


def _duty_problems(setup: CampaignSetup, roles: Mapping[str, object], ladders: Mapping[str, LadderSpec]) -> list[str]:
    problems = _duplicates("duties", [d.id for d in setup.duties], "职责")
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
        if (duty.due is None) == (duty.every is None):
            problems.append(f"{path}: 职责 {duty.id} 须二选一: 指定到期日 (due) 或周期 (every)")
        if duty.every is not None:
            for field in ("start", "end"):
                if getattr(duty, field) is None:
                    problems.append(f"{path}.{field}: 周期性职责 {duty.id} 须指定{'起始' if field == 'start' else '截止'}日期")
            if duty.start is not None and duty.end is not None and duty.end < duty.start:
                problems.append(f"{path}.end: 职责 {duty.id} 的截止日期 {duty.end} 早于起始日期 {duty.start}")
            if duty.every in ("week", "fortnight") and duty.weekday is None:
                problems.append(f"{path}.weekday: 按周的职责 {duty.id} 须指定星期几 (1-7)")
            if duty.every == "month" and duty.weekday is not None:
                problems.append(f"{path}.weekday: 按月的职责 {duty.id} 按起始日期的日子到期, 不指定星期几")
        elif duty.weekday is not None or duty.start is not None or duty.end is not None:
            problems.append(f"{path}: 一次性职责 {duty.id} 只需到期日 (due), 不用 weekday/start/end")
        for field in ("due", "start", "end"):
            day = getattr(duty, field)
            if day is None:
                continue
            if first is not None and day < first:
                problems.append(f"{path}.{field}: 职责 {duty.id} 的日期 {day} 早于专项行动开始 ({first})")
            if last is not None and day > last:
                problems.append(f"{path}.{field}: 职责 {duty.id} 的日期 {day} 晚于最后阶段结束 ({last})")
        if duty.ladder is not None:
            if duty.ladder not in ladders:
                problems.append(f"{path}.ladder: 未知督办阶梯 {duty.ladder}")
            elif ladders[duty.ladder].subject != "duty":
                problems.append(f"{path}.ladder: 督办阶梯 {duty.ladder} 用于问题, 不能用于职责")
        problems += _notify_problems(f"{path}.notify", duty.notify, frozenset({"responsible_unit"}), setup)
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
            problems.append(f"follow_up.trigger: 触发 {rule.trigger} 不能从抽查的状态 ({', '.join(rule.states)}) 发起")
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
    problems += _unknown("supervision.drawn_from", rule.drawn_from, units, "单位")
    problems += _duplicates("supervision.drawn_from", rule.drawn_from, "抽调单位", with_id=False)
    if rule.members < rule.teams:
        problems.append(f"supervision.members: {rule.members} 人不够组成 {rule.teams} 个督查组")
    if rule.units_per_draw > len(setup.units):
        problems.append(f"supervision.units_per_draw: 每次抽查 {rule.units_per_draw} 个单位, 多于全部 {len(setup.units)} 个单位")
    problems += _unknown("supervision.phases", rule.phases, {p.id for p in setup.phases}, "阶段")
    return problems


def _notification_problems(setup: CampaignSetup, roles: Mapping[str, object]) -> list[str]:
    problems: list[str] = []
    recipients = set(roles) | UNIT_RECIPIENTS | LADDER_RECIPIENTS | PHASE_RECIPIENTS
    seen: set[str] = set()
    for i, route in enumerate(setup.notifications.routes):
        if route.to not in recipients:
            problems.append(f"notifications.routes[{i}].to: 未知接收方 {route.to}")
        if route.to in seen:
            problems.append(f"notifications.routes[{i}].to: 接收方 {route.to} 的发送路由重复定义")
        seen.add(route.to)
    problems += _notify_problems("calendar.alert", setup.calendar.alert, frozenset(), setup)
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


# ------------------------------------------------------------------------------------- helpers


def _duplicates(path: str, ids: Sequence[str], label: str, *, with_id: bool = True) -> list[str]:
    """One problem per repeated id, at the repeat."""
    problems: list[str] = []
    for i, value in enumerate(ids):
        if value in ids[:i]:
            where = f"{path}[{i}].id" if with_id else f"{path}[{i}]"
            problems.append(f"{where}: {label} {value} 重复定义")
    return problems


def _unknown(path: str, values: Iterable[str], known: Mapping[str, object] | set[str], label: str) -> list[str]:
    return [f"{path}[{k}]: 未知{label} {v}" for k, v in enumerate(values) if v not in known]


def _notify_problems(path: str, notify: Sequence[NotifySpec], extra: frozenset[str], setup: CampaignSetup) -> list[str]:
    roles = {r.id for r in setup.roles}
    return [f"{path}[{k}].to: 未知接收方 {n.to}" for k, n in enumerate(notify) if n.to not in roles and n.to not in extra]


def _used_roles(setup: CampaignSetup) -> set[str]:
    used = {r for t in setup.lifecycle.transitions for r in t.roles}
    used |= {r for rs in setup.lifecycle.operations.values() for r in rs}
    used |= {t.leader_role for t in setup.tracks if t.leader_role}
    used |= {d.to for d in setup.duties}
    used |= {r.to for r in setup.notifications.routes}
    used |= {c.role for u in setup.units for c in u.contacts}
    used |= {n.to for _, notify in _notify_lists(setup) for n in notify}
    if setup.leading_group is not None:
        used.add(setup.leading_group.office_role)
    if setup.leadership is not None:
        used |= {*setup.leadership.roles, setup.leadership.decided_by}
    if setup.follow_up is not None:
        used.add(setup.follow_up.role)
    if setup.supervision is not None:
        used.add(setup.supervision.role)
    return used


def _day(day: dt.date) -> str:
    return f"{day} ({'一二三四五六日'[day.weekday()].join(('星期', ''))})"


def _day_off_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Each phase date and duty occurrence that falls on a holiday or rest day, with the
    working day it moves to (民法典 第二百零三条): the engine moves it, the author should know."""
    warnings: list[str] = []
    for i, phase in enumerate(setup.phases):
        for field, what in (("start", "开始通知"), ("end", "阶段结束时的督办")):
            day = getattr(phase, field)
            moved = _moved(calendar, day)
            if moved is not None:
                warnings.append(f"phases[{i}].{field}: 阶段 {phase.name} 的{'开始' if field == 'start' else '结束'}日期 "
                                f"{_day(day)} 是休息日: {what}顺延至 {_day(moved)}")
    for i, duty in enumerate(setup.duties):
        path = f"duties[{i}].due" if duty.due is not None else f"duties[{i}].every"
        for day in occurrences(duty):
            moved = _moved(calendar, day)
            if moved is not None:
                warnings.append(f"{path}: 职责 {duty.label} 的到期日 {_day(day)} 是休息日, 顺延至 {_day(moved)} "
                                "(民法典第二百零三条)")
    return warnings


def _moved(calendar: WorkingCalendar, day: dt.date) -> dt.date | None:
    """The working day a date on a day off moves to (None: a working day, or a year the
    calendar does not know)."""
    if not calendar.covers(day.year) or calendar.is_workday(day):
        return None
    return stated_day(calendar, day)


def _unknown_year_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Each duty whose reminder or ladder rungs, and each item-ladder rung or deadline rule
    that, counted from the campaign's last day, would reach a year the calendar does not know:
    those steps wait for the year (待日历) at run time, and a deadline rule is refused."""
    warnings: list[str] = []
    ladders = {ladder.id: ladder for ladder in setup.ladders}
    for i, duty in enumerate(setup.duties):
        rungs: dict[str, None] = {}
        first: dt.date | None = None
        years: set[int] = set()
        ladder = ladders.get(duty.ladder or "")
        steps = [("到期前提醒", -duty.remind_before, "working")] if duty.notify else []
        steps += [(s.label, s.offset, s.count) for s in (ladder.steps if ladder else [])]
        for stated in occurrences(duty):
            if not calendar.covers(stated.year):
                continue  # a dated field in an unknown year: an error of its own
            due = stated_day(calendar, stated)
            for label, offset, count in steps:
                year = _unknown_year(calendar, offset_day, calendar, due, offset, count)
                if year is not None:
                    rungs[label] = None
                    years.add(year)
                    first = first or due
        if rungs:
            warnings.append(
                f"duties[{i}]: 职责 {duty.label} 自 {first} 起的 {'、'.join(rungs)} 落在日历未知的 "
                f"{'、'.join(str(y) for y in sorted(years))} 年: 这些步骤将待日历, 载入该年节假日安排后启用")
    last = max((p.end for p in setup.phases), default=None)
    if last is None or not calendar.covers(last.year) or setup.deadlines is None:
        return warnings
    for i, ladder in enumerate(setup.ladders):
        if ladder.id != setup.deadlines.ladder:
            continue
        for j, step in enumerate(ladder.steps):
            year = _unknown_year(calendar, offset_day, calendar, last, step.offset, step.count)
            if year is not None:
                warnings.append(f"ladders[{i}].steps[{j}]: 整改时限为最后阶段结束日 {last} 的问题, 其 {step.label} "
                                f"落在日历未知的 {year} 年: 将待日历, 载入该年节假日安排后启用")
    for path, rule in [("deadlines.default", setup.deadlines.default),
                       *((f"deadlines.rules[{k}]", r) for k, r in enumerate(setup.deadlines.rules))]:
        year = _unknown_year(calendar, add_days, calendar, last, rule.days, rule.count)
        if year is not None:
            warnings.append(f"{path}: 最后阶段结束日 {last} 交办的问题按 {rule.days} 个"
                            f"{'工作日' if rule.count == 'working' else '自然日'}计算的整改时限落在日历未知的 {year} 年: "
                            "载入该年节假日安排前, 这样的交办须给出整改时限")
    return warnings


def _unknown_year(calendar: WorkingCalendar, compute: Callable[..., dt.date], *args: object) -> int | None:
    """The year ``compute(*args)`` needs and the calendar does not know, or None."""
    try:
        compute(*args)
    except CalendarError as err:
        if isinstance(err.day, dt.date) and not calendar.covers(err.day.year):
            return err.day.year
        raise
    return None


def _notify_lists(setup: CampaignSetup) -> Iterator[tuple[str, Sequence[NotifySpec]]]:
    """Every ``notify`` list of ``setup`` with its path."""
    for i, t in enumerate(setup.lifecycle.transitions):
        yield f"lifecycle.transitions[{i}].notify", t.notify
    for i, phase in enumerate(setup.phases):
        for when in ("on_start", "on_end"):
            for j, action in enumerate(getattr(phase, when)):
                yield f"phases[{i}].{when}[{j}].notify", action.notify
    for i, ladder in enumerate(setup.ladders):
        for j, step in enumerate(ladder.steps):
            yield f"ladders[{i}].steps[{j}].notify", step.notify
    for i, duty in enumerate(setup.duties):
        yield f"duties[{i}].notify", duty.notify
    yield "calendar.alert", setup.calendar.alert


def _named_units(setup: CampaignSetup) -> set[str]:
    named = {u for t in setup.tracks for u in t.units}
    named |= {u for d in setup.duties for u in d.units} | {d.to for d in setup.duties}
    named |= {c.transfer_to for c in setup.channels if c.transfer_to} | {u for c in setup.channels for u in c.source_units}
    if setup.leading_group is not None:
        named.add(setup.leading_group.office_unit)
    if setup.supervision is not None:
        named |= {setup.supervision.lead_unit, *setup.supervision.drawn_from}
    return named
