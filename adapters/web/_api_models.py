"""What the HTTP API reads and answers (pydantic): the request bodies, the error form, and
the response models. The engine's views (frozen dataclasses) serve as response models as they
are; :data:`ItemDetail` adds to an item what its page shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model
from zhenggai.engine import AttachmentView, ExtensionView, ItemView, MeasureView, PartView, SendBackView

__all__ = [
    "CallbackIn",
    "CaseIn",
    "CoUnitIn",
    "DocumentIn",
    "DocumentTransitionIn",
    "DutyIn",
    "ErrorBody",
    "ExtensionDecisionIn",
    "ExtensionIn",
    "InstructionIn",
    "ItemDetail",
    "ItemPage",
    "LeaderInstructionIn",
    "MeasureIn",
    "MechanismIn",
    "MechanismUpdateIn",
    "NoteIn",
    "OutcomeIn",
    "PracticeIn",
    "PracticeSelectIn",
    "PublishIn",
    "ReportIn",
    "ReporterIn",
    "RulingIn",
    "SendBackIn",
    "TransitionIn",
    "WaiveIn",
]

Text = Annotated[str, Field(min_length=1, max_length=10000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """Every refusal: a stable ``code`` (the error class in snake case), the Chinese
    ``message``, and ``detail`` (the facts for programs: field, reason, state …)."""

    code: str
    message: str
    detail: dict[str, Any]


class ReporterIn(_In):
    """举报人 (sealed by the engine; never shown to units)."""

    name: Annotated[str, Field(max_length=100)] | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    contact: Annotated[str, Field(max_length=200)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class LeaderInstructionIn(_In):
    """领导批示 an item reported on the 领导批示交办 channel starts from."""

    leader: int | Short
    given_on: dt.date
    text: Text


class ReportIn(_In):
    """受理: a problem item. With ``unit`` it is assigned (交办) at once, due ``due`` (else the
    definition's time), ``leader`` its 领衔领导 (the name)."""

    title: Short
    description: Text
    track: Short
    channel: Short
    severity: Short | None = None
    unit: Short | None = None
    due: dt.date | None = None
    leader: Short | None = None
    reporter: ReporterIn | None = None
    instruction: LeaderInstructionIn | None = None


class TransitionIn(_In):
    """Fire ``trigger`` (a code or the definition's label, 销号) with its input."""

    trigger: Short
    unit: Short | None = None
    due: dt.date | None = None
    leading_official: Short | None = None
    finding: Text | None = None
    reason: Text | None = None
    survivor_id: Annotated[int, Field(ge=1)] | None = None
    note: Text | None = None


class MeasureIn(_In):
    text: Text
    due: dt.date | None = None


class ExtensionIn(_In):
    new_due: dt.date
    reason: Text
    progress: Text | None = None


class ExtensionDecisionIn(_In):
    approve: bool
    note: Text | None = None


class SendBackIn(_In):
    reason: Short
    note: Text | None = None


class RulingIn(_In):
    decision: Literal["reassign", "insist"]
    unit: Short | None = None
    due: dt.date | None = None
    note: Text | None = None


class CoUnitIn(_In):
    unit: Short
    part: Text
    due: dt.date | None = None


class NoteIn(_In):
    note: Text | None = None


class WaiveIn(_In):
    note: Text


class InstructionIn(_In):
    leader: int | Short
    given_on: dt.date
    text: Text


class CallbackIn(_In):
    """回访 result: 满意 / 基本满意 / 不满意 (or satisfied / basically_satisfied / unsatisfied)."""

    result: Short
    note: Text | None = None
    callback_id: Annotated[int, Field(ge=1)] | None = None


class DutyIn(_In):
    note: Text | None = None


class AccountabilityIn(_In):
    """One person held accountable: ``outcome`` an id of the definition's vocabulary (诫勉 …)."""

    person: Short
    position: Short | None = None
    outcome: Short


class OutcomeIn(_In):
    root_cause: Text | None = None
    accountability: list[AccountabilityIn] = Field(default_factory=list, max_length=200)
    mechanisms: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=200)


class MechanismIn(_In):
    unit: Short
    title: Short
    kind: Short
    status: Short
    date: dt.date
    items: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=500)
    track: Short | None = None
    note: Text | None = None


class MechanismUpdateIn(_In):
    status: Short
    date: dt.date
    note: Text | None = None


class PracticeIn(_In):
    title: Short
    summary: Text
    track: Short | None = None


class PracticeSelectIn(_In):
    selected: bool


class CaseIn(_In):
    note: Text


class PublishIn(_In):
    where: Short
    on: dt.date


class DocumentIn(_In):
    unit: Short
    title: Short
    doc_number: Short | None = None
    note: Text | None = None


class DocumentTransitionIn(_In):
    trigger: Short
    reason: Text | None = None
    note: Text | None = None


def _fields(view: type) -> dict[str, Any]:
    hints = get_type_hints(view)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(view):
        default = f.default if f.default is not dataclasses.MISSING else ...
        fields[f.name] = (hints[f.name], default)
    return fields


#: An item as ``GET /api/v1/items/{id}`` answers it: the item, its measures, co-unit parts,
#: 延期申请, 退单, files, and the triggers this principal may fire in its state.
ItemDetail: type[BaseModel] = create_model(
    "ItemDetail",
    **_fields(ItemView),
    measures=(list[MeasureView], ...),
    parts=(list[PartView], ...),
    extensions=(list[ExtensionView], ...),
    send_backs=(list[SendBackView], ...),
    attachments=(list[AttachmentView], ...),
    allowed_triggers=(list[str], ...),
)


class ItemPage(BaseModel):
    """A page of items; ``next`` the cursor of the next page (None: the last page)."""

    items: list[ItemView]
    next: str | None
