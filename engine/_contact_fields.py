"""A roster contact's fields as people give them (通讯录): each checked and normalised, a refusal
with its Chinese reason, and the row and view made of them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from zhenggai.workflows.schema import ADDRESS_LIST, checked_email, checked_mobile

from ._writes import Campaign, contact_address
from .views import ContactView, NewContact

__all__ = [
    "CONTACT_CHANNELS",
    "FIELDS",
    "PLAIN_ROLE",
    "Refused",
    "checked_field",
    "contact_view",
    "entry_fields",
    "field_problems",
    "given_fields",
    "person_date",
    "row_values",
    "same_person",
]

#: Delivery channels a contact can name as its own preference, in Chinese.
CONTACT_CHANNELS: Mapping[str, str] = {
    "email": "电子邮件",
    "sms": "短信",
    "wecom": "企业微信",
    "dingtalk": "钉钉",
}
#: The fields of a contact a person gives (and may change), in Chinese.
FIELDS: Mapping[str, str] = {
    "unit": "单位",
    "name": "姓名",
    "role": "角色",
    "mobile": "手机",
    "email": "邮箱",
    "wecom_id": "企业微信ID",
    "dingtalk_id": "钉钉ID",
    "channels": "接收渠道",
    "active_from": "生效日期",
    "active_to": "失效日期",
    "team": "督查组",
    "track": "所属专项整治组",
}
#: The role of a contact who is only a unit's (not one of the definition's roles).
PLAIN_ROLE = "contact"
#: Unit recipients of a notify (the others are roles).
_ACCOUNT = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Refused(Exception):
    """A value a person gave cannot be used; the argument is the Chinese reason."""


def _text(value: object, limit: int) -> str | None:
    """``value`` stripped (None or blank: None); raises the Chinese reason otherwise."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Refused("须为文本")
    text = value.strip()
    if not text:
        return None
    if len(text) > limit:
        raise Refused(f"过长 ({len(text)} 字, 最多 {limit} 字)")
    if _CONTROL.search(text):
        raise Refused("含有不可见的控制字符")
    return text


def person_date(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise Refused("须为日期, 不是时刻")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise Refused(f"日期格式应为 YYYY-MM-DD, 收到 {value!r}") from None
    raise Refused("须为日期")


def _unit(value: object, camp: Campaign) -> str:
    if not isinstance(value, str) or value not in camp.unit_ids:
        raise Refused(f"本专项行动没有单位 {value!r}")
    return value


def _name(value: object, camp: Campaign) -> str:
    text = _text(value, 100)
    if text is None:
        raise Refused("不能为空")
    return text


def _role(value: object, camp: Campaign) -> str:
    if value in (None, ""):
        return PLAIN_ROLE
    if not isinstance(value, str) or (value != PLAIN_ROLE and value not in camp.roles):
        known = "、".join(f"{r.label} ({r.id})" for r in camp.roles.values())
        raise Refused(f"实施方案没有角色 {value!r} (可填: {PLAIN_ROLE} 联系人、{known})")
    return value


def _track(value: object, camp: Campaign) -> str | None:
    """The track whose working group the contact belongs to (its 组长, …); None: none."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in camp.tracks:
        known = "、".join(f"{name} ({key})" for key, name in camp.tracks.items())
        raise Refused(f"本专项行动没有专项整治领域 {value!r} (可填: {known})")
    return value


def _address(check: Callable[[str], str], limit: int) -> Callable[[object, Campaign], str | None]:
    def checked(value: object, camp: Campaign) -> str | None:
        text = _text(value, limit)
        try:
            return None if text is None else check(text)
        except ValueError as err:
            raise Refused(str(err)) from None

    return checked


def _account(value: object, camp: Campaign) -> str | None:
    text = _text(value, 64)
    if text is not None and ADDRESS_LIST.search(text):
        raise Refused(f"只能填一个账号 (不能用逗号、分号等列出多个): {text!r}")
    if text is not None and not _ACCOUNT.fullmatch(text):
        raise Refused("账号只能含字母、数字和 _ . @ -, 最多 64 个字符")
    return text


def _channels(value: object, camp: Campaign) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise Refused("须为渠道列表")
    out: list[str] = []
    for channel in value:
        if channel not in CONTACT_CHANNELS:
            known = "、".join(f"{label} ({key})" for key, label in CONTACT_CHANNELS.items())
            raise Refused(f"未知接收渠道 {channel!r} (可填: {known})")
        if channel not in out:
            out.append(channel)
    return tuple(out)


def _team(value: object, camp: Campaign) -> int | None:
    """A supervision team's number (督查组), 1 to ``supervision.teams``."""
    if value is None or value == "":
        return None
    rule = camp.setup.supervision if camp.setup is not None else None
    if rule is None:
        raise Refused("实施方案没有督查 (supervision), 不分督查组")
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= rule.teams:
        raise Refused(f"督查组须为 1 至 {rule.teams} 之间的整数")
    return value


#: How each field a person gives is checked and normalised (the dates: :func:`person_date`).
_CHECKS: Mapping[str, Callable[[object, Campaign], Any]] = {
    "unit": _unit,
    "name": _name,
    "role": _role,
    "mobile": _address(checked_mobile, 40),
    "email": _address(checked_email, 200),
    "wecom_id": _account,
    "dingtalk_id": _account,
    "channels": _channels,
    "team": _team,
    "track": _track,
}


def checked_field(value: object, name: str, camp: Campaign) -> Any:
    """One field given by a person, normalised; :class:`Refused` with the Chinese reason."""
    check = _CHECKS.get(name)
    return person_date(value) if check is None else check(value, camp)


def field_problems(
    camp: Campaign, given: Mapping[str, object]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A contact's fields normalised, and every problem as (field, reason)."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name in FIELDS:
        try:
            values[name] = checked_field(given.get(name), name, camp)
        except Refused as err:
            problems.append((name, str(err)))
    if problems:
        return values, problems
    addresses = ("mobile", "email", "wecom_id", "dingtalk_id")
    if not any(values[a] for a in addresses):
        problems.append(("mobile", "至少须有一种联系方式 (手机、邮箱、企业微信ID 或 钉钉ID)"))
    for channel in values["channels"]:
        if not contact_address(values, channel):
            needs = (
                "邮箱"
                if channel == "email"
                else "手机"
                if channel == "sms"
                else f"{FIELDS[channel + '_id']}或手机"
            )
            problems.append(("channels", f"接收渠道「{CONTACT_CHANNELS[channel]}」需要{needs}"))
    rule = camp.setup.supervision if camp.setup is not None else None
    if values["team"] is not None and rule is not None and values["role"] != rule.role:
        problems.append(("team", f"只有督查组成员 (角色 {rule.role}) 才分督查组"))
    start, end = values["active_from"], values["active_to"]
    if start is not None and end is not None and start > end:
        problems.append(("active_to", f"失效日期 {end.isoformat()} 早于生效日期 {start.isoformat()}"))
    return values, problems


def row_values(values: Mapping[str, Any], camp: Campaign) -> dict[str, Any]:
    """Checked fields as the columns of ``zg_contact``."""
    row = {k: v for k, v in values.items() if k not in ("unit", "channels")}
    row["unit_id"] = camp.unit_ids[values["unit"]]
    row["channels"] = ",".join(values["channels"])
    return row


def given_fields(row: Mapping[str, Any], camp: Campaign) -> dict[str, Any]:
    """A stored contact as the fields a person gives."""
    given = {name: row[name] for name in FIELDS if name in row}
    given["unit"] = camp.unit_keys[row["unit_id"]]
    given["channels"] = tuple(c for c in (row["channels"] or "").split(",") if c)
    return given


def entry_fields(entry: NewContact) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in FIELDS}


def same_person(values: Mapping[str, Any]) -> tuple[str, str, str]:
    return values["unit"], values["name"], values["role"]


def contact_view(camp: Campaign, row: Mapping[str, Any]) -> ContactView:
    return ContactView(
        id=row["id"],
        campaign=camp.key,
        unit=camp.unit_keys[row["unit_id"]],
        unit_name=camp.unit_names[row["unit_id"]],
        name=row["name"],
        role=row["role"],
        mobile=row["mobile"],
        email=row["email"],
        wecom_id=row["wecom_id"],
        dingtalk_id=row["dingtalk_id"],
        channels=tuple(c for c in (row["channels"] or "").split(",") if c),
        active_from=row["active_from"],
        active_to=row["active_to"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        removed_at=row["removed_at"],
        team=row.get("team"),
        track=row.get("track"),
    )
