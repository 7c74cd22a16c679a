"""What officials type, checked: text, choices, dates and a transition's inputs, each refused with one clear error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from zhenggai.workflows.schema import TransitionSpec

from ._raw import Tx
from ._statements import Statements
from ._writes import WEEKDAYS, Campaign
from .deadlines import add_days, next_workday, received_day, rule_for
from .errors import CalendarError, ConflictError, InvalidInputError, ItemNotFound, UnitNotFound
from .lifecycle import COMMON_FIELDS, EFFECTS, GUARDS
from .views import Reporter


def trigger_inputs(
    tx: Tx, st: Statements, camp: Campaign, spec: TransitionSpec, data: Mapping[str, Any], now: dt.datetime
) -> dict[str, Any]:
    accepted = set(COMMON_FIELDS)
    required: set[str] = set()
    guarded: set[str] = set()
    for g in spec.guards:
        accepted |= GUARDS[g].accepts
        guarded |= GUARDS[g].accepts
    for e in spec.effects:
        accepted |= EFFECTS[e].accepts
        required |= EFFECTS[e].required
    # A field one of this transition's guards checks is left to that guard (has_finding,
    # has_reason, has_open_survivor refuse when it is missing), so the refusal names the
    # guard (GuardFailedError) as the lifecycle declares it, instead of pre-empting it.
    required -= guarded
    for name in sorted(set(data) - accepted):
        raise InvalidInputError(name, f"{spec.trigger} 不接受此项 (可填: {', '.join(sorted(accepted))})")
    given = {k: v for k, v in data.items() if v is not None}
    out: dict[str, Any] = {}
    if "unit" in given:
        out["unit"] = given["unit"]
        out["unit_id"] = unit_id_of(camp, given["unit"])
    if "due" in given:
        out["due"] = checked_due(given["due"], camp, now, "due")
    if "leading_official" in given:
        raise InvalidInputError("leading_official", LEADER_BY_LEAD)
    for name in ("finding", "reason", "note"):
        if name in given:
            out[name] = checked_text(name, given[name])
        elif name in required:
            raise InvalidInputError(name, "不能为空")
    if "survivor_id" in given:
        survivor = given["survivor_id"]
        if not isinstance(survivor, int) or isinstance(survivor, bool):
            raise InvalidInputError("survivor_id", "问题编号须为整数")
        if tx.one(st.item_exists, {"id": survivor}) is None:
            raise ItemNotFound(survivor)
        out["survivor_id"] = survivor
    elif "survivor_id" in required:
        raise InvalidInputError("survivor_id", "未指定保留的问题")
    return out


#: Why 领衔领导 is no free text any more (issue 16): only the ``lead`` operation sets it.
LEADER_BY_LEAD = "领衔领导不能在此填写: 由领衔决定方 (leadership.decided_by) 用「领衔」操作从通讯录指定 (zhenggai item lead)"

TEXT_LIMITS: Mapping[str, int] = {
    "title": 200,
    "doc_number": 100,
    "description": 5000,
    "text": 2000,
    "finding": 2000,
    "reason": 2000,
    "note": 2000,
    "leading_official": 100,
    "actor": 100,
}


def item_number_key(number: str) -> str:
    """问题编号 as stored: upper case, no surrounding blanks."""
    if not isinstance(number, str) or not number.strip():
        raise InvalidInputError("number", "须为问题编号, 如 ZG-2023-0001")
    return number.strip().upper()


def local_day(camp: Campaign, at: dt.datetime) -> str:
    return at.astimezone(camp.tz).date().isoformat()


def check_version(item_id: int, expected: int | None, actual: int) -> None:
    if expected is not None and expected != actual:
        raise ConflictError(item_id, expected, actual)


def checked_text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(field, "须为文本")
    stripped = value.strip()
    if not stripped:
        raise InvalidInputError(field, "不能为空")
    limit = TEXT_LIMITS.get(field, 2000)
    if len(stripped) > limit:
        raise InvalidInputError(field, f"过长 ({len(stripped)} 字, 最多 {limit} 字)")
    return stripped


def checked_choice(
    field: str,
    value: object,
    allowed: Mapping[str, object] | frozenset[str],
    not_found: Callable[[object], Exception] | None = None,
) -> str:
    """``value`` if it is one of ``allowed`` (a key of a mapping), else a clear error."""
    if not isinstance(value, str) or value not in allowed:
        if not_found is not None:
            raise not_found(value)
        raise InvalidInputError(field, f"未知取值 {value!r} (可用: {', '.join(sorted(allowed))})")
    return value


def unit_id_of(camp: Campaign, key: object) -> int:
    return camp.unit_ids[checked_choice("unit", key, camp.unit_ids, UnitNotFound)]


def checked_date(field: str, value: object, what: str) -> dt.date:
    """``value`` as a day: a date or ``YYYY-MM-DD`` (not a moment); ``what`` names it in the error."""
    if isinstance(value, dt.datetime):
        raise InvalidInputError(field, f"{what}须为日期, 不是时刻")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as err:
            raise InvalidInputError(field, f"日期格式应为 YYYY-MM-DD, 收到 {value!r}") from err
    if not isinstance(value, dt.date):
        raise InvalidInputError(field, "须为日期")
    return value


def checked_due(value: object, camp: Campaign, now: dt.datetime, field: str) -> dt.date:
    value = checked_date(field, value, "整改时限")
    today = now.astimezone(camp.tz).date()
    if value < today:
        raise InvalidInputError(field, f"整改时限 {value.isoformat()} 早于今天 {today.isoformat()}")
    try:
        if camp.calendar.is_workday(value):
            return value
    except CalendarError:
        return value  # a year the calendar does not know yet: the date stands, as given
    label = f"{value.isoformat()} ({WEEKDAYS[value.weekday()]})"
    try:
        after = next_workday(camp.calendar, value)
        hint = f"; 请改为下一个工作日 {after.isoformat()} ({WEEKDAYS[after.weekday()]})"
    except CalendarError:
        hint = ""
    raise InvalidInputError(field, f"整改时限 {label} 是节假日或休息日, 期限不落在休息日{hint}")


def check_id(field: str, value: object, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(field, f"{what}编号须为整数")


def received_cutoff(camp: Campaign) -> dt.time:
    """The time of day after which something received counts from the next working day."""
    if camp.setup is not None and camp.setup.deadlines is not None:
        return camp.setup.deadlines.cutoff
    return dt.time(17, 30)


def known_value(field: str, value: object, allowed: Mapping[str, object] | frozenset[str], what: str) -> str:
    """``value`` if ``allowed`` has it; else a short error (an import lists many at once)."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInputError(field, f"未知{what} {value!r}")
    return value


def reporter_fields(reporter: Reporter) -> dict[str, Any]:
    if not isinstance(reporter, Reporter):
        raise InvalidInputError("reporter", "须为 Reporter")
    limits = {"name": 100, "phone": 40, "contact": 200, "note": 2000}
    values: dict[str, Any] = {}
    for name, limit in limits.items():
        value = getattr(reporter, name)
        if value is not None:
            if not isinstance(value, str):
                raise InvalidInputError(f"reporter.{name}", "须为文本")
            value = value.strip() or None
            if value is not None and len(value) > limit:
                raise InvalidInputError(f"reporter.{name}", f"过长 (最多 {limit} 字)")
        values[name] = value
    return values


def due_by_rule(camp: Campaign, row: Mapping[str, Any], inputs: dict[str, Any], now: dt.datetime) -> None:
    """An item assigned without a due date gets the definition's rectification time (整改时限)
    for its track and severity, counted from now (:mod:`zhenggai.engine.deadlines`); the rule
    is kept in the audit event. Without deadline rules the due date stays missing (and a
    ``has_due`` guard refuses)."""
    deadlines = camp.setup.deadlines if camp.setup is not None else None
    if deadlines is None:
        return
    rule = rule_for(deadlines, row["track"], row["severity"])
    start = received_day(camp.calendar, now, camp.tz, deadlines.cutoff)
    inputs["due"] = add_days(camp.calendar, start, rule.days, rule.count)
    inputs["due_basis"] = {"due_from": start, "due_days": rule.days, "due_count": rule.count}
    inputs["due_rule"] = f"{rule.days} 个{'工作日' if rule.count == 'working' else '自然日'}"
