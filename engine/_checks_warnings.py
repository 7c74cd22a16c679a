"""The setup's warnings: what is legal but probably a mistake (unused roles, ladders and
templates, days off, years the calendar does not know, contacts no message reaches), one kind
per function, listed in :data:`WARNINGS` and gathered by :func:`setup_warnings`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from zhenggai.workflows.schema import UNIT_WILDCARDS, CampaignSetup

from ._checks_common import notify_lists
from ._checks_people import people_warnings
from ._checks_unacted import unacted_warnings
from ._checks_work import work_warnings
from .calendar import WorkingCalendar
from .deadlines import add_days, occurrences, offset_day, stated_day
from .errors import CalendarError
from .lifecycle import OPERATIONS
from .messages import message_uses

__all__ = ["WARNINGS", "setup_warnings"]


def setup_warnings(setup: CampaignSetup, *, calendar: WorkingCalendar | None = None) -> list[str]:
    """Legal but suspicious things, as ``path: message`` lines (they do not stop a campaign)."""
    calendar = calendar or WorkingCalendar(setup.calendar)
    return [warning for check in WARNINGS for warning in check(setup, calendar)]


def _unused_role_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Roles no trigger, operation, duty or message uses."""
    used_roles = _used_roles(setup)
    return [
        f"roles[{i}].id: 角色 {role.id} 未被任何触发、操作、职责或通知使用"
        for i, role in enumerate(setup.roles)
        if role.id not in used_roles
    ]


def _unnamed_unit_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Units no track, duty or body names (unless a track takes every unit by a wildcard)."""
    if any(u in UNIT_WILDCARDS for t in setup.tracks for u in t.units):
        return []
    named = _named_units(setup)
    return [
        f"units[{i}].id: 单位 {unit.id} 未列入任何专项、职责或机构"
        for i, unit in enumerate(setup.units)
        if unit.id not in named
    ]


def _ladder_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Ladders nothing refers to, and reminders placed after the due date."""
    warnings: list[str] = []
    used_ladders = {setup.deadlines.ladder} if setup.deadlines is not None else set()
    used_ladders |= {setup.documents.ladder} if setup.documents is not None else set()
    used_ladders |= {d.ladder for d in setup.duties}
    used_ladders |= {a.ladder for p in setup.phases for a in (*p.on_start, *p.on_end)}
    used_ladders |= {setup.follow_up.ladder} if setup.follow_up is not None else set()
    used_ladders |= {c.transfer.ladder for c in setup.channels if c.transfer is not None}
    if setup.leadership is not None and setup.leadership.research is not None:
        used_ladders.add(setup.leadership.research.ladder)
    if setup.co_handling is not None and setup.co_handling.ladder is not None:
        used_ladders.add(setup.co_handling.ladder)  # 协办 (engine/_co_units.py)
    used_ladders |= {setup.callbacks.ladder} if setup.callbacks is not None else set()
    for i, ladder in enumerate(setup.ladders):
        if ladder.id not in used_ladders:
            warnings.append(f"ladders[{i}].id: 督办阶梯 {ladder.id} 未被使用 (期限规则、职责或阶段均未引用)")
        for j, step in enumerate(ladder.steps):
            if step.action == "remind" and step.offset > 0:
                warnings.append(f"ladders[{i}].steps[{j}].offset: 到期提醒排在到期之后 ({step.offset} 天)")
    return warnings


def _unused_template_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Message templates no transition, phase, ladder, duty or alert sends."""
    used_messages = {use.kind for use in message_uses(setup)}
    return [
        f"notifications.templates.{kind}: 消息模板 {kind} 未被使用"
        for kind in setup.notifications.templates
        if kind not in used_messages
    ]


def _sms_template_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Templates in use without an SMS template id when some route delivers by SMS."""
    used_messages = {use.kind for use in message_uses(setup)}
    warnings: list[str] = []
    sms_routed = any("sms" in r.delivery for r in setup.notifications.routes)
    for kind, template in setup.notifications.templates.items():
        if sms_routed and kind in used_messages and template.sms_template is None:
            warnings.append(
                f"notifications.templates.{kind}: 有短信发送路由, 但模板 {kind} 未填短信模板编号 (sms_template)"
            )
    return warnings


def _calendar_alert_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """A statutory calendar with no one to tell when a year's holidays are missing."""
    if setup.calendar.base == "cn_statutory" and not setup.calendar.alert:
        return [
            "calendar: 未设置 alert: 缺少某年节假日安排时只记入审计并在 zhenggai status 中显示, 不通知任何人"
        ]
    return []


def _calendar_override_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """County holidays that are days off anyway, county working days that are working days anyway."""
    warnings: list[str] = []
    for field, is_off in (("extra_holidays", True), ("extra_workdays", False)):
        for i, day in enumerate(getattr(setup.calendar, field)):
            if calendar.covers(day.date.year) and calendar.is_statutory_holiday(day.date) == is_off:
                kind = "休息日" if is_off else "工作日"
                warnings.append(f"calendar.{field}[{i}].date: {day.date} 本来就是{kind}")
    return warnings


def _unreachable_contact_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Contacts with neither an email address nor a mobile number."""
    warnings: list[str] = []
    for i, unit in enumerate(setup.units):
        for k, contact in enumerate(unit.contacts):
            if not contact.email and not contact.mobile:
                warnings.append(
                    f"units[{i}].contacts[{k}]: 联系人 {contact.name} 没有邮箱也没有手机号, 收不到消息"
                )
    return warnings


def _repeated_notify_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """The same message to the same recipient twice in one ``notify`` list."""
    warnings: list[str] = []
    for path, notify in notify_lists(setup):
        seen: set[tuple[str, str]] = set()
        for k, n in enumerate(notify):
            if (n.message, n.to) in seen:
                warnings.append(f"{path}[{k}]: 消息 {n.message} 重复发给 {n.to} (只会发送一次)")
            seen.add((n.message, n.to))
    return warnings


def _silent_unit_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Units without contacts, in one line (their messages become dead letters)."""
    silent = [u.name for u in setup.units if not u.contacts]
    if not silent:
        return []
    shown = "、".join(silent[:3]) + (f" 等 {len(silent)} 个单位" if len(silent) > 3 else "")
    return [f"units: {shown} 未填联系人: 发给它们的消息无人接收 (记为死信), 上线前请补充 contacts"]


def _outcome_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """Outcome operations a definition grants that its vocabularies leave empty-handed."""
    operations = setup.lifecycle.operations
    spec = setup.outcomes
    kinds = spec.mechanism_kinds if spec is not None else []
    accountability = spec.accountability if spec is not None else []
    warnings = []
    if operations.get("register_mechanism") and not kinds:
        where = "outcomes.mechanism_kinds" if spec is not None else "lifecycle.operations.register_mechanism"
        warnings.append(
            f"{where}: 有可{OPERATIONS['register_mechanism']}的角色, 但未定义长效机制类别 "
            "(outcomes.mechanism_kinds), 无法登记"
        )
    if operations.get("record_outcome") and not accountability:
        where = "outcomes.accountability" if spec is not None else "lifecycle.operations.record_outcome"
        warnings.append(
            f"{where}: 有可{OPERATIONS['record_outcome']}的角色, 但未定义问责处理方式 "
            "(outcomes.accountability), 只能记录根源分析和长效机制"
        )
    targets = spec.targets if spec is not None else None
    if targets is not None and targets.people_educated and not operations.get("record_education"):
        warnings.append(
            "outcomes.targets.people_educated: 设定了警示教育党员干部目标, 但没有角色可"
            f"{OPERATIONS['record_education']} (lifecycle.operations.record_education), 该项将始终为 0"
        )
    return warnings


def _used_roles(setup: CampaignSetup) -> set[str]:
    used = {r for t in setup.lifecycle.transitions for r in t.roles}
    used |= {r for rs in setup.lifecycle.operations.values() for r in rs}
    used |= {t.leader_role for t in setup.tracks if t.leader_role}
    used |= {d.to for d in setup.duties}
    used |= {r.to for r in setup.notifications.routes}
    used |= {c.role for u in setup.units for c in u.contacts}
    used |= {n.to for _, notify in notify_lists(setup) for n in notify}
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
                warnings.append(
                    f"phases[{i}].{field}: 阶段 {phase.name} 的{'开始' if field == 'start' else '结束'}日期 "
                    f"{_day(day)} 是休息日: {what}顺延至 {_day(moved)}"
                )
    for i, duty in enumerate(setup.duties):
        path = f"duties[{i}].due" if duty.due is not None else f"duties[{i}].every"
        for day in occurrences(duty):
            moved = _moved(calendar, day)
            if moved is not None:
                warnings.append(
                    f"{path}: 职责 {duty.label} 的到期日 {_day(day)} 是休息日, 顺延至 {_day(moved)} "
                    "(民法典第二百零三条)"
                )
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
                f"{'、'.join(str(y) for y in sorted(years))} 年: 这些步骤将待日历, 载入该年节假日安排后启用"
            )
    last = max((p.end for p in setup.phases), default=None)
    if last is None or not calendar.covers(last.year) or setup.deadlines is None:
        return warnings
    for i, ladder in enumerate(setup.ladders):
        if ladder.id != setup.deadlines.ladder:
            continue
        for j, step in enumerate(ladder.steps):
            year = _unknown_year(calendar, offset_day, calendar, last, step.offset, step.count)
            if year is not None:
                warnings.append(
                    f"ladders[{i}].steps[{j}]: 整改时限为最后阶段结束日 {last} 的问题, 其 {step.label} "
                    f"落在日历未知的 {year} 年: 将待日历, 载入该年节假日安排后启用"
                )
    for path, rule in [
        ("deadlines.default", setup.deadlines.default),
        *((f"deadlines.rules[{k}]", r) for k, r in enumerate(setup.deadlines.rules)),
    ]:
        year = _unknown_year(calendar, add_days, calendar, last, rule.days, rule.count)
        if year is not None:
            warnings.append(
                f"{path}: 最后阶段结束日 {last} 交办的问题按 {rule.days} 个"
                f"{'工作日' if rule.count == 'working' else '自然日'}计算的整改时限落在日历未知的 {year} 年: "
                "载入该年节假日安排前, 这样的交办须给出整改时限"
            )
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


def _named_units(setup: CampaignSetup) -> set[str]:
    named = {u for t in setup.tracks for u in t.units}
    named |= {u for d in setup.duties for u in d.units} | {d.to for d in setup.duties}
    named |= {c.transfer_to for c in setup.channels if c.transfer_to} | {
        u for c in setup.channels for u in c.source_units
    }
    if setup.leading_group is not None:
        named.add(setup.leading_group.office_unit)
    if setup.supervision is not None:
        named |= {setup.supervision.lead_unit, *setup.supervision.drawn_from}
    return named


#: Every kind of warning, in the order :func:`setup_warnings` reports them.
WARNINGS: tuple[Callable[[CampaignSetup, WorkingCalendar], list[str]], ...] = (
    _unused_role_warnings,
    _unnamed_unit_warnings,
    _ladder_warnings,
    _outcome_warnings,
    _unused_template_warnings,
    _sms_template_warnings,
    _day_off_warnings,
    _unknown_year_warnings,
    _calendar_alert_warnings,
    _calendar_override_warnings,
    _unreachable_contact_warnings,
    _repeated_notify_warnings,
    _silent_unit_warnings,
    unacted_warnings,
    work_warnings,
    people_warnings,
)
