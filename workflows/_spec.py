"""What every part of the definition schema shares: identifier and label types whose limits match
the columns that store them, the contact address checks, the fixed vocabularies (ladder actions,
phase actions, delivery channels) and the frozen, strict base model :class:`_Spec`.

A leaf (pydantic only). :mod:`zhenggai.workflows.schema` re-exports the public names; the
modules of one block family each (``_schema_*.py``) build on this one.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

_KEY = r"^[a-z][a-z0-9_]*$"

# One address per contact field (a definition's contacts and the roster's alike): an email field
# holding ``a@x.cn, b@y.cn`` would reach two people.
#: Separators of a list of addresses, ASCII and full-width.
ADDRESS_LIST = re.compile(r"[,;|/，；、｜／]")
#: One email address (no spaces, list separators, display name or quotes).
EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+")
#: One mainland mobile number, after :func:`normal_mobile`.
MOBILE = re.compile(r"1[3-9]\d{9}")


def normal_mobile(value: str) -> str:
    """``value`` without spaces, dashes, brackets and a +86 / 0086 / 86 prefix."""
    digits = re.sub(r"[\s\-()（）]", "", value)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            return digits[len(prefix) :]
    return digits


def several_emails(value: str) -> str | None:
    """The Chinese reason why ``value`` is more than one email address, or None."""
    if ADDRESS_LIST.search(value) or re.search(r"\s", value.strip()) or value.count("@") > 1:
        return f"只能填一个电子邮箱地址 (不能用逗号、分号、空格等列出多个): {value!r}"
    return None


def several_mobiles(value: str) -> str | None:
    """The Chinese reason why ``value`` is more than one mobile number, or None."""
    if ADDRESS_LIST.search(value) or len(MOBILE.findall(normal_mobile(value))) > 1:
        return f"只能填一个手机号码 (不能用逗号、分号、空格等列出多个): {value!r}"
    return None


def checked_email(value: str) -> str:
    """``value`` as one email address; ValueError with the Chinese reason otherwise (a
    definition's contacts and the roster check alike)."""
    reason = several_emails(value)
    if reason:
        raise ValueError(reason)
    if not EMAIL.fullmatch(value.strip()):
        raise ValueError(f"不是有效的电子邮箱: {value!r}")
    return value.strip()


def checked_mobile(value: str) -> str:
    """``value`` as one mainland mobile number (11 digits, prefix and separators dropped);
    ValueError with the Chinese reason otherwise."""
    reason = several_mobiles(value)
    if reason:
        raise ValueError(reason)
    mobile = normal_mobile(value)
    if not MOBILE.fullmatch(mobile):
        raise ValueError(f"不是有效的手机号码 (11 位, 以 1 开头): {value!r}")
    return mobile


Key = Annotated[str, StringConstraints(pattern=_KEY, max_length=100)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
# Limits below match the columns the values are stored in (engine/models.py): a longer value
# would be truncated silently by SQLite and refused by PostgreSQL at the first write, so it is
# refused here, when the definition is loaded.
StateKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=40)]  # zg_item.state
TriggerKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=60)]  # zg_event.trigger
RoleKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=60)]  # zg_event.role
ChannelKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=40)]  # zg_item/zg_outbox.channel
MessageKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=60)]  # zg_outbox.kind
KindKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=40)]  # zg_unit.kind
# zg_step.step_key holds LADDER.STEP@YYYY-MM-DD (120): ladder and step ids up to 40 each.
StepKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=40)]
ShortLabel = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]


#: Wildcards in a track's unit list: 各地各单位 and 县直有关单位.
UNIT_WILDCARDS: dict[str, str] = {"all_units": "各地各单位", "county_units": "县直有关单位"}

#: What an escalation ladder step does, in escalation order (提醒 → 黄灯 → 红灯 → 挂牌督办 → 问责).
#: ``notify`` only sends its messages and may stand anywhere in a ladder.
LADDER_ACTIONS: dict[str, str] = {
    "remind": "到期提醒",
    "yellow": "黄灯预警",
    "red": "红灯预警",
    "listed_supervision": "挂牌督办",
    "accountability": "问责",
    "notify": "通知",
}

#: What a phase does when it starts or ends. (回头看 sampling and supervision draws have
#: rules of their own, :class:`FollowUpSpec` and :class:`SupervisionSpec`, which name their
#: phases.)
PHASE_ACTIONS: dict[str, str] = {"notify": "发送通知", "escalate_missing": "对未完成职责的单位启动督办"}

#: How messages can be delivered to a contact (the notification channels of step 4).
DELIVERY_CHANNELS: dict[str, str] = {
    "email": "电子邮件",
    "sms": "短信",
    "wecom": "企业微信群机器人",
    "dingtalk": "钉钉群机器人",
    "console": "控制台 (开发用)",
    "file": "文件 (开发用)",
}

DayCount = Literal["working", "calendar"]
Recurrence = Literal["week", "fortnight", "month"]
Weekday = Annotated[int, Field(ge=1, le=7)]


def no_items() -> list[Any]:
    """A new empty list: ``Field(default_factory=no_items)`` is ``default_factory=list``
    without pydantic reading ``list``'s text signature for every such field when the schema is
    imported (0.3 ms each, a tenth of ``zhenggai check``'s margin over the whole schema)."""
    return []


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


VocabularyKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=100)]


class VocabularyEntry(_Spec):
    """One term of a vocabulary the definition declares (an accountability outcome such as 诫勉,
    a kind of long-term mechanism such as 制度)."""

    id: VocabularyKey
    label: ShortLabel
