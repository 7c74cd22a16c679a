"""Rows as read from the database, typed: mypy checks the column names the engine reads.

A statement declares the row it gives (``Prepared[ItemRow]``), so ``row["stat"]`` is an error
before anything runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict, cast


class ItemRow(TypedDict):
    """A ``zg_item`` row as the engine reads it (``campaign_version``: joined from its campaign,
    when the statement reads it; the campaign cache compares it)."""

    id: int
    campaign_id: int
    campaign_version: NotRequired[str]
    number: str | None
    track: str
    channel: str
    title: str
    description: str
    severity: str
    state: str
    responsible_unit_id: int | None
    leading_official: str | None
    leader_contact_id: NotRequired[int | None]
    due: dt.date | None
    due_from: dt.date | None
    due_days: int | None
    due_count: Literal["working", "calendar"] | None
    paused_at: dt.datetime | None
    paused_days: int | None
    state_since: dt.datetime | None
    light: str
    escalation_level: int
    reopen_count: int
    merged_into_id: int | None
    dismiss_reason: str | None
    last_finding: str | None
    has_reporter: bool
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    verified_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by: str | None
    closed_by_unit: str | None
    case_note: str | None
    case_marked_at: dt.datetime | None
    case_marked_by: str | None
    case_published_at: dt.date | None
    case_published_where: str | None
    version: int
    transfer_unit_id: NotRequired[int | None]
    transfer_due: NotRequired[dt.date | None]
    transfer_checked_at: NotRequired[dt.datetime | None]
    transfer_checked_by: NotRequired[str | None]
    research_due: NotRequired[dt.date | None]
    research_done_at: NotRequired[dt.datetime | None]
    research_note: NotRequired[str | None]


class DutyRow(TypedDict):
    """A ``zg_duty`` row: one occurrence of a unit's duty (with its campaign's version, when read)."""

    id: int
    campaign_id: int
    campaign_version: NotRequired[str]
    duty_key: str
    unit_id: int
    due: dt.date
    status: str
    light: str
    escalation_level: int
    done_at: dt.datetime | None
    done_by: str | None


class DocumentRow(TypedDict):
    """A ``zg_document`` row: a normative document under review (规范性文件清理)."""

    id: int
    campaign_id: int
    responsible_unit_id: int
    title: str
    doc_number: str | None
    note: str | None
    state: str
    state_since: dt.datetime
    due: dt.date
    light: str
    escalation_level: int
    decision_note: str | None
    decided_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class StepRow(TypedDict):
    """A ``zg_step`` row: one scheduled step of a subject (a ladder rung, a timer, a campaign's
    phase action), due at ``due_at``, fired once."""

    id: int
    campaign_id: int
    subject_kind: str
    subject_id: int
    step_key: str
    due_at: dt.datetime
    status: str
    fired_at: dt.datetime | None
    created_at: dt.datetime


class EventRow(TypedDict):
    """A ``zg_event`` row as :func:`~._writes.append_event` wrote it (``data`` the canonical JSON)."""

    id: int
    campaign_id: int
    seq: int
    item_id: int | None
    trigger: str
    from_state: str | None
    to_state: str | None
    actor: str
    role: str
    unit: str | None
    at: dt.datetime
    data: str
    prev_hash: str
    hash: str
    subject_kind: str
    subject_id: int


class ContactRow(TypedDict):
    """A ``zg_contact`` row: a person of a unit in the roster (通讯录); ``campaign_id``: joined
    from its unit, when the statement reads it."""

    id: int
    unit_id: int
    campaign_id: NotRequired[int]
    name: str
    role: str
    email: str | None
    mobile: str | None
    channels: str
    wecom_id: str | None
    dingtalk_id: str | None
    active_from: dt.date | None
    active_to: dt.date | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    removed_at: dt.datetime | None


class MechanismRow(TypedDict):
    """A ``zg_mechanism`` row: a long-term mechanism (长效机制) a unit registered."""

    id: int
    campaign_id: int
    unit_id: int
    track: str | None
    title: str
    kind: str
    status: str
    date: dt.date
    note: str | None
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime


class PracticeRow(TypedDict):
    """A ``zg_practice`` row: a good practice (典型做法) a unit submitted."""

    id: int
    campaign_id: int
    unit_id: int
    track: str | None
    title: str
    summary: str
    submitted_by: str
    submitted_at: dt.datetime
    selected: bool
    selected_by: str | None
    selected_at: dt.datetime | None


def changed(row: ItemRow, changes: Mapping[str, Any]) -> ItemRow:
    """``row`` with ``changes`` written into it: the item as a write leaves it."""
    return cast(ItemRow, {**row, **changes})
