"""The schema of a workflow definition (实施方案), as pydantic v2 models.

:class:`CampaignSetup` is everything a definition file says: identity, county, timezone and
working-day calendar; intake channels and severities; roles, units and their contacts; the
leading group, who personally leads (领衔) problems, the tracks with their units in the plan's
order; dated phases with their start and end actions; the item lifecycle (states, triggers,
guards, effects, roles, messages); deadline rules, escalation ladders, unit duties, the 回头看
rule, the supervision teams; notification routes, quiet hours and Chinese templates.

This module is a leaf (pydantic only). The engine interprets a setup and checks what the schema
cannot (references, reachability, order: :mod:`zhenggai.engine.checks`); the loader
(:func:`zhenggai.workflows.load_setup`) reads files into it with every error located. Models are
frozen and refuse unknown fields; identifier limits match the columns that store them. A
campaign stores its setup, so running items keep the definition version they started with.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from ._schema_attachments import ATTACHMENT_TYPES, AttachmentSpec
from ._schema_callbacks import CALLBACK_RESULTS, CallbackSpec, CallbackWithin
from ._schema_co_handling import CoHandlingSpec, PartDue
from ._schema_instructions import InstructionSpec
from ._schema_scoring import SCORE_TERMS, CardThresholds, ScoringSpec
from ._schema_supervision import ExtensionSpec, SendBackSpec, SendBackWithin
from ._spec import (
    _KEY,
    ADDRESS_LIST,
    DELIVERY_CHANNELS,
    LADDER_ACTIONS,
    PHASE_ACTIONS,
    UNIT_WILDCARDS,
    ChannelKey,
    DayCount,
    Key,
    KindKey,
    Label,
    MessageKey,
    Recurrence,
    RoleKey,
    ShortLabel,
    StateKey,
    StepKey,
    TriggerKey,
    VocabularyEntry,
    Weekday,
    _Spec,
    checked_email,
    checked_mobile,
    no_items,
)

__all__ = [
    "ADDRESS_LIST",
    "ATTACHMENT_TYPES",
    "CALLBACK_RESULTS",
    "DELIVERY_CHANNELS",
    "LADDER_ACTIONS",
    "OUTCOME_KEYS",
    "PHASE_ACTIONS",
    "QUIET_BY_DEFAULT",
    "SCORE_TERMS",
    "UNIT_WILDCARDS",
    "AttachmentSpec",
    "CalendarSpec",
    "CalendarYearSpec",
    "CallbackSpec",
    "CallbackWithin",
    "CampaignSetup",
    "CardThresholds",
    "ChannelSpec",
    "CoHandlingSpec",
    "ContactSpec",
    "DayCount",
    "DayOverride",
    "DeadlineRule",
    "DeadlinesSpec",
    "DocumentMarksSpec",
    "DocumentReviewSpec",
    "DutySpec",
    "ExtensionSpec",
    "FollowUpSpec",
    "HolidaySpec",
    "InstructionSpec",
    "LadderSpec",
    "LadderStep",
    "LeadershipSpec",
    "LeadingGroupSpec",
    "LifecycleSpec",
    "NotificationsSpec",
    "NotifySpec",
    "OutcomeTargets",
    "OutcomeTargetsSpec",
    "OutcomesSpec",
    "PartDue",
    "PhaseAction",
    "PhaseSpec",
    "QuietHours",
    "ReportsSpec",
    "RoleSpec",
    "RouteSpec",
    "ScoringSpec",
    "SendBackSpec",
    "SendBackWithin",
    "SeveritySpec",
    "StateSpec",
    "SupervisionSpec",
    "TemplateSpec",
    "TimerSpec",
    "TrackSpec",
    "TransferSpec",
    "TransitionSpec",
    "UnitGroupSpec",
    "UnitSpec",
    "VocabularyEntry",
    "checked_email",
    "checked_mobile",
]


class StateSpec(_Spec):
    """One state. ``final`` states count as ends of the lifecycle (closed, dismissed, merged)."""

    id: StateKey
    label: Label
    final: bool = False


class NotifySpec(_Spec):
    """A message a trigger queues in the outbox: message kind and who receives it.

    ``to`` is ``responsible_unit`` (the item's unit after the transition), ``previous_unit``
    (the unit before it, e.g. on reassignment) or a contact role such as ``leading_group_office``.
    """

    message: MessageKey
    to: Key


class TimerSpec(_Spec):
    """When a timed transition fires by itself: ``days`` after the day the item entered its
    source state (working days: the N-th working day after it; calendar days: N days later, on
    to the next working day), at 00:00 of that day."""

    days: int = Field(ge=1, le=366)
    count: DayCount = "working"


class TransitionSpec(_Spec):
    """A trigger: from ``source`` states to ``dest``, by ``roles``, when its ``guards`` hold,
    writing its ``effects`` and queuing its ``notify`` messages. With ``after`` it is a timed
    transition: the scheduler fires it by itself (as the system) when the item has stayed that
    long in a source state; people with ``roles`` may still fire it earlier."""

    trigger: TriggerKey
    label: Label
    source: list[StateKey] = Field(min_length=1)
    dest: StateKey
    roles: list[RoleKey] = Field(min_length=1)
    guards: list[Key] = Field(default_factory=no_items)
    effects: list[Key] = Field(default_factory=no_items)
    notify: list[NotifySpec] = Field(default_factory=no_items)
    after: TimerSpec | None = None


class LifecycleSpec(_Spec):
    """A lifecycle: the item's states, its initial state and its transitions."""

    id: Key
    initial: StateKey
    states: list[StateSpec] = Field(min_length=1)
    transitions: list[TransitionSpec] = Field(min_length=1)
    #: Who may do the operations outside the state machine (report, add_measure, …).
    operations: dict[Key, list[RoleKey]] = Field(default_factory=dict)
    #: States in which measures may be added or completed. Empty: every state that is not
    #: final, once the item has a responsible unit.
    measure_states: list[StateKey] = Field(default_factory=no_items)

    def state(self, state_id: str) -> StateSpec:
        for state in self.states:
            if state.id == state_id:
                return state
        raise KeyError(state_id)

    @property
    def final_states(self) -> frozenset[str]:
        return frozenset(s.id for s in self.states if s.final)


class RoleSpec(_Spec):
    """A role an actor can act in. ``unit_bound`` roles act only for their own unit."""

    id: RoleKey
    label: Label
    unit_bound: bool = False


class ContactSpec(_Spec):
    name: ShortLabel
    role: Key = "contact"
    email: str | None = Field(default=None, max_length=200)
    mobile: str | None = Field(default=None, max_length=40)
    channels: list[ChannelKey] = Field(default_factory=no_items)
    #: The supervision team (督查工作组, 1-based) a ``supervision.role`` contact belongs to: its
    #: draws' notices reach only that team's contacts.
    team: int | None = Field(default=None, ge=1, le=50)
    #: The track whose working group the contact belongs to (its 组长 …).
    track: Key | None = None

    @field_validator("email")
    @classmethod
    def _one_email(cls, email: str | None) -> str | None:
        return None if email is None else checked_email(email)

    @field_validator("mobile")
    @classmethod
    def _one_mobile(cls, mobile: str | None) -> str | None:
        return None if mobile is None else checked_mobile(mobile)

    @field_validator("channels")
    @classmethod
    def _channels_fit(cls, channels: list[str]) -> list[str]:
        if len(",".join(channels)) > 200:  # stored comma-joined in zg_contact.channels
            raise ValueError("联系渠道过多 (合计不超过 200 字符)")
        return channels


class UnitSpec(_Spec):
    id: Key
    name: Label
    kind: KindKey = "unit"
    contacts: list[ContactSpec] = Field(default_factory=no_items)


class UnitGroupSpec(_Spec):
    """A class of units (单位组, e.g. 县委县政府重点项目跟踪服务单位, 各地 (乡镇)): wherever a
    definition lists units, its id stands for its member units. Not a unit: no duties, contacts
    or 督查 visit of its own."""

    id: Key
    name: Label
    units: list[Key] = Field(default_factory=no_items)


class TrackSpec(_Spec):
    """A focus track; ``units`` in the plan's order, first = lead unit; ``all_units`` allowed.

    ``group`` names the track's working group (专项整治工作组), led by a holder of
    ``leader_role``; ``scope`` is what the track targets, in the plan's words."""

    id: Key
    name: Label
    units: list[Key] = Field(min_length=1)
    group: Label | None = None
    leader_role: RoleKey | None = None
    scope: list[Label] = Field(default_factory=no_items)


class PhaseAction(_Spec):
    """Something a phase does at its start or end.

    ``escalate_missing`` takes every unit that has not discharged ``duty`` (e.g. its 一报告四清单
    when inspection ends) onto the escalation ladder ``ladder`` (default: the duty's own);
    ``notify`` only sends ``notify``.
    """

    action: Literal["notify", "escalate_missing"]
    duty: Key | None = None
    ladder: Key | None = None
    notify: list[NotifySpec] = Field(default_factory=no_items)


class DemandSpec(_Spec):
    """A phase demand addressed to some: ``to`` names roles, units or unit selectors
    (``all_units``, ``lead_units``); the phase notice lists it only to those."""

    text: Label
    to: list[Key] = Field(min_length=1)


class PhaseSpec(_Spec):
    """A dated window of the campaign (阶段), both days included, in the campaign's timezone.

    Phases follow each other without gap or overlap. ``demands`` is what the plan asks of the
    phase, in the plan's words (shown to officials in the phase notice): a plain string is
    addressed to everyone, a :class:`DemandSpec` to whom it names; ``on_start`` and ``on_end`` are what the
    scheduler does on its first and after its last day.
    """

    id: Key
    name: Label
    start: dt.date
    end: dt.date
    demands: list[Label | DemandSpec] = Field(default_factory=no_items)
    on_start: list[PhaseAction] = Field(default_factory=no_items)
    on_end: list[PhaseAction] = Field(default_factory=no_items)

    def demand_texts(self) -> list[str]:
        """The demands' words, addressed or not."""
        return [d if isinstance(d, str) else d.text for d in self.demands]


class TransferSpec(_Spec):
    """移送 (二、(一)): how long the ``transfer_to`` unit has for its 初核 (preliminary check) of
    an item that lands with it, counted like an item's deadline from the day it is reported;
    ``ladder`` (a ladder of subject ``transfer``) reminds and chases while the 初核 is pending;
    ``notify`` is sent when an item lands (``transfer_unit``: the unit it is transferred to)."""

    days: int = Field(default=5, ge=1, le=366)
    count: DayCount = "working"
    ladder: StepKey | None = None
    notify: list[NotifySpec] = Field(default_factory=no_items)


class ChannelSpec(_Spec):
    """An intake channel (来源渠道). ``mechanism`` groups channels as the plan does (三联制:
    部门联动 / 外部联络 / 关联研判, or 跟踪问效); ``transfer_to`` is the unit every item from this
    channel is handed to first, for its 初核 (部门联动 → 县纪委县监委), within ``transfer`` (default:
    5 working days, no ladder); ``source_units`` the only units whose own staff may report on it
    (a role that is not unit-bound, e.g. the office, may report on their behalf)."""

    id: ChannelKey
    label: Label
    mechanism: Label | None = None
    transfer_to: Key | None = None
    source_units: list[Key] = Field(default_factory=no_items)
    transfer: TransferSpec | None = None


class SeveritySpec(_Spec):
    """A degree of seriousness (问题程度) an item can have."""

    id: Annotated[str, StringConstraints(pattern=_KEY, max_length=20)]  # zg_item.severity
    label: ShortLabel


class DayOverride(_Spec):
    """A county's own holiday or working day."""

    date: dt.date
    name: ShortLabel


class CalendarSpec(_Spec):
    """Working days: the statutory base (``cn_statutory``: national holidays and 调休 make-up
    days; ``weekends``: Monday to Friday only) plus the county's own exceptions."""

    base: Literal["cn_statutory", "weekends"] = "cn_statutory"
    extra_holidays: list[DayOverride] = Field(default_factory=no_items)
    extra_workdays: list[DayOverride] = Field(default_factory=no_items)
    #: Who is told, once per year, when steps wait for a year the calendar does not know
    #: (待日历) and the earliest they could be due has passed: load that year's notice.
    alert: list[NotifySpec] = Field(default_factory=no_items)


class HolidaySpec(_Spec):
    """One holiday of a year's notice: its days off (``start``..``end``) and the weekend days
    made working days for it (调休上班, ``makeup``)."""

    name: ShortLabel
    start: dt.date
    end: dt.date | None = None
    makeup: list[dt.date] = Field(default_factory=no_items, max_length=10)


class CalendarYearSpec(_Spec):
    """A year's holiday notice as a county loads it (``zhenggai calendar load``): the State
    Council's 部分节假日安排 for ``year``, with where it comes from. Every day not listed is a
    working day from Monday to Friday and a day off on Saturday and Sunday."""

    year: int = Field(ge=1949, le=2200)
    source: Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
    notice: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)] | None = None
    holidays: list[HolidaySpec] = Field(min_length=1, max_length=40)


class DeadlineRule(_Spec):
    """Rectification time for items of one track and/or severity (both empty: every item)."""

    track: Key | None = None
    severity: Key | None = None
    days: int = Field(ge=1, le=366)
    count: DayCount = "working"


class DeadlinesSpec(_Spec):
    """How an item's due date is set when it is assigned without one.

    The most specific rule wins (track and severity, then track, then severity, then
    ``default``). An item assigned after ``cutoff`` (local time) or on a non-working day starts
    counting on the next working day. ``ladder`` is the escalation ladder items run on.
    """

    default: DeadlineRule
    rules: list[DeadlineRule] = Field(default_factory=no_items)
    cutoff: dt.time = dt.time(17, 30)
    ladder: Key | None = None


class LadderStep(_Spec):
    """One rung of an escalation ladder, ``offset`` days from the due date (negative: before)."""

    id: StepKey
    label: Label
    offset: int = Field(ge=-366, le=366)
    count: DayCount = "working"
    action: Literal["remind", "yellow", "red", "listed_supervision", "accountability", "notify"]
    notify: list[NotifySpec] = Field(default_factory=no_items)
    #: A step the daemon missed (it was down): ``collapse`` into the latest step due (one
    #: message, not ten), ``fire_late`` once, or ``record_missed`` for a person to look at.
    catch_up: Literal["collapse", "fire_late", "record_missed"] = "collapse"


class LadderSpec(_Spec):
    """An escalation ladder: steps in order of offset and of escalation.

    ``subject`` ``item`` ladders run on an item's due date while it is in one of ``states``
    (a step stops mattering when the item leaves them); ``duty`` ladders on a duty's due date
    until the unit has discharged it; ``document`` ladders on a listed document's decision date
    while it is in one of ``states`` (of the document lifecycle); ``review`` ladders on a 回头看
    review task's due date while it is open; ``transfer`` ladders on a transferred item's 初核
    due date until the transfer unit has done its 初核 (移送); ``research`` ladders on a led
    item's research due date until its 领衔领导 has reported the research done (领衔调研);
    ``part`` ladders on a co-unit's part's due date until it is done or waived (协办).
    ``callback`` on a 回访 task's due date while it is open.
    """

    id: StepKey
    label: Label
    subject: Literal["item", "duty", "document", "review", "transfer", "research", "part", "callback"] = (
        "item"
    )
    states: list[StateKey] = Field(default_factory=no_items)
    steps: list[LadderStep] = Field(min_length=1)


class DutySpec(_Spec):
    """An obligation of units (职责): dated (``due``) or recurring (``every`` within ``start``..
    ``end``), handed to ``to`` (a role or a unit). ``units`` may name units, ``all_units``,
    ``county_units`` or ``lead_units`` (every track's lead unit)."""

    id: Key
    label: Label
    deliverable: Label | None = None
    units: list[Key] = Field(min_length=1)
    to: Key
    due: dt.date | None = None
    every: Recurrence | None = None
    weekday: Weekday | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    remind_before: int = Field(default=1, ge=0, le=30)
    ladder: Key | None = None
    notify: list[NotifySpec] = Field(default_factory=no_items)


class FollowUpSpec(_Spec):
    """The 回头看 rule: when ``phase`` starts, a ``share`` of the items in ``states`` is drawn,
    at least ``min_per_unit`` per unit, plus every item that was under 挂牌督办 when
    ``include_listed`` is set; ``role`` reviews them within ``days`` and reopens failures
    with ``trigger``. The random seed is recorded in the audit trail.

    Each draw gives every drawn item a review task (due ``days`` after the draw, on ``ladder``,
    a ladder of subject ``review``); with ``every`` the draw is repeated (each ``week`` /
    ``fortnight`` / ``month`` after the first, until ``phase`` ends) over the items that entered
    ``states`` since the previous draw, with the same share and per-unit minimum."""

    phase: Key
    states: list[StateKey] = Field(min_length=1)
    share: float = Field(gt=0, le=1)
    min_per_unit: int = Field(default=1, ge=0, le=100)
    include_listed: bool = True
    role: RoleKey
    trigger: TriggerKey
    days: int = Field(default=20, ge=1, le=366)
    count: DayCount = "working"
    every: Recurrence | None = None
    ladder: Key | None = None
    #: The message that tells ``role`` which items a draw drew.
    message: MessageKey = "follow_up_drawn"


class SupervisionSpec(_Spec):
    """The supervision teams (督查工作组): ``members`` people drawn from ``drawn_from`` under
    the lead of ``lead_unit``, formed into ``teams``; each draw (``every``, during ``phases``)
    sends every team unannounced to ``units_per_draw`` units chosen at random, on a working
    day drawn at random within each ``every`` window (不定期). ``team_units`` says which of
    ``drawn_from`` each team's members come from (default: ``drawn_from`` split in order): those
    units are supervised too, each only by a team not drawn from it. A finding of a visit
    becomes an item on ``channel`` (required: e.g. 明察暗访)."""

    role: RoleKey
    lead_unit: Key
    drawn_from: list[Key] = Field(min_length=1)
    teams: int = Field(ge=1, le=50)
    members: int = Field(ge=1, le=500)
    unannounced: bool = True
    every: Recurrence
    phases: list[Key] = Field(min_length=1)
    units_per_draw: int = Field(ge=1, le=100)
    focus: list[Label] = Field(default_factory=no_items)
    team_units: list[list[Key]] = Field(default_factory=no_items)
    channel: ChannelKey | None = None
    track: Key | None = None
    #: The message that tells each team (its ``role`` contacts of that team) its units.
    message: MessageKey = "supervision_drawn"

    def units_of_team(self) -> list[list[str]]:
        """Which of ``drawn_from`` each team (index 0 = team 1) comes from."""
        if self.team_units:
            return [list(units) for units in self.team_units]
        size = math.ceil(len(self.drawn_from) / self.teams)
        return [list(self.drawn_from[i * size : (i + 1) * size]) for i in range(self.teams)]


class LeadingGroupSpec(_Spec):
    """The leading group and its office (办公室), which sits in ``office_unit``."""

    name: Label
    office_name: Label
    office_unit: Key
    office_role: RoleKey


class ResearchSpec(_Spec):
    """领衔调研 (四、(三)): the 领衔领导 of an item researches it (问题原因、解决办法) and reports to
    ``to`` (a role). Due on ``due`` (a date) or ``days`` (``count``) after the 领衔 decision;
    ``ladder`` (a ladder of subject ``research``) reminds and chases the leader until it is done
    (its recipient ``leader``: the item's 领衔领导 only); ``notify`` is sent when it is done."""

    label: Label = "领衔调研"
    deliverable: Label = "调研情况: 问题原因、解决办法"
    due: dt.date | None = None
    days: int | None = Field(default=None, ge=1, le=366)
    count: DayCount = "working"
    ladder: StepKey | None = None
    to: RoleKey
    notify: list[NotifySpec] = Field(default_factory=no_items)

    @model_validator(mode="after")
    def _one_due(self) -> ResearchSpec:
        if (self.due is None) == (self.days is None):
            raise ValueError("领衔调研须规定 due (日期) 或 days (领衔后天数), 二者取一")
        return self


class LeadershipSpec(_Spec):
    """Who may personally lead (领衔) a problem, and who decides it, in which phase."""

    roles: list[RoleKey] = Field(min_length=1)
    decided_by: RoleKey
    phase: Key | None = None
    #: 领衔 may still be decided this many working days after ``phase`` ends (the hearing that
    #: decides it follows the phase's last day); ``later``: at any time after the phase starts.
    grace_days: int = Field(default=0, ge=0, le=60)
    later: bool = False
    #: The leader's own obligation (领衔调研), with its due date, ladder and report.
    research: ResearchSpec | None = None


#: 密级 (GB/T 9704-2012 7.2.2; 内部 is what county offices print on internal bulletins).
Classification = Literal["绝密", "机密", "秘密", "内部"]
#: 紧急程度 (GB/T 9704-2012 7.2.3).
Urgency = Literal["特急", "加急"]


class DocumentMarksSpec(_Spec):
    """What one kind of Word document prints above its 发文机关标志 and as its 主送:
    ``classification`` (密级) with its ``secrecy_term`` (保密期限, e.g. ``1年``: printed
    ``秘密★1年``), ``urgency`` (紧急程度) and ``recipients`` (主送机关; the built-in default when
    unset: 各成员单位 for the bulletins, the leading group's office for a unit's 自查报告)."""

    classification: Classification | None = None
    secrecy_term: ShortLabel | None = None
    urgency: Urgency | None = None
    recipients: Label | None = None

    @field_validator("secrecy_term")
    @classmethod
    def _term_needs_a_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("classification") in (None, "内部"):
            raise ValueError("保密期限 (secrecy_term) 只用于绝密、机密、秘密")
        return value


class ReportsSpec(_Spec):
    """The marks of each kind of Word document the reports write (工作进展通报, 典型案例通报,
    a unit's 自查报告); a kind not named prints none and its default 主送."""

    progress_bulletin: DocumentMarksSpec = DocumentMarksSpec()
    case_bulletin: DocumentMarksSpec = DocumentMarksSpec()
    self_check: DocumentMarksSpec = DocumentMarksSpec()
    document_compilation: DocumentMarksSpec = DocumentMarksSpec()


class TemplateSpec(_Spec):
    """A message's Chinese text: Jinja2 (sandboxed, strict) ``subject`` and ``body``; for
    template SMS the provider's ``sms_template`` code and its parameters as expressions."""

    subject: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    sms_template: Annotated[str, StringConstraints(max_length=100)] | None = None
    sms_params: dict[Key, Annotated[str, StringConstraints(min_length=1, max_length=500)]] = Field(
        default_factory=dict
    )


class RouteSpec(_Spec):
    """How a recipient is reached when its contact states no preference of its own."""

    to: Key
    delivery: list[Literal["email", "sms", "wecom", "dingtalk", "console", "file"]] = Field(min_length=1)


Delivery = Literal["email", "sms", "wecom", "dingtalk", "console", "file"]
#: Channels quiet hours cover when a window names none: those that ring a phone (SMS and the
#: WeCom / DingTalk group robots). Email waits in an inbox: quiet only where a window names it.
QUIET_BY_DEFAULT: tuple[Delivery, ...] = ("sms", "wecom", "dingtalk")


class QuietHours(_Spec):
    """No message on ``delivery`` channels (default: SMS and the robots) between ``start`` and
    ``end`` (local time): deferred to ``end``. With ``working_days_only`` a day that is not a
    working day is quiet all day, and what waits goes out at ``end`` of the next working day
    (sweeps' messages released when working hours start)."""

    start: dt.time
    end: dt.time
    delivery: list[Delivery] = Field(default_factory=lambda: list(QUIET_BY_DEFAULT), min_length=1)
    working_days_only: bool = False


class NotificationsSpec(_Spec):
    """Who hears what, how, and in which words."""

    routes: list[RouteSpec] = Field(default_factory=no_items)
    quiet_hours: list[QuietHours] = Field(default_factory=no_items)
    templates: dict[MessageKey, TemplateSpec] = Field(default_factory=dict)


class DocumentReviewSpec(_Spec):
    """规范性文件清理 (二、(二)): every document a unit lists for re-study is a subject of its
    own, on ``lifecycle`` (its own states and transitions; the final states are the decisions,
    e.g. 保留 / 修订 / 废止, and the day one is reached is the decision's date). The decision is
    due ``due`` after listing (counted like an item's deadline); ``ladder`` (a ladder of subject
    ``document``) reminds and escalates through the same scheduler as items and duties.

    A document lifecycle's guards may only read what a document has (``has_reason``,
    ``actor_outside_unit``, ``due_not_passed``) and it has no effects: the state is the decision.
    Its ``operations`` name who lists documents (``report``)."""

    label: Label = "规范性文件清理"
    lifecycle: LifecycleSpec
    due: DeadlineRule
    ladder: Key | None = None


#: The plan's five outcomes (五个一批, 一、(三)), in the plan's order: key → label.
OUTCOME_KEYS: dict[str, str] = {
    "problems_found": "排查发现问题线索",
    "cases_published": "通报曝光典型案例",
    "people_educated": "警示教育党员干部",
    "problems_solved": "解决难点堵点",
    "mechanisms_established": "健全长效机制",
}

# zg_accountability.outcome / zg_mechanism.kind hold these ids.


class OutcomeTargets(_Spec):
    """Targets for the five outcomes (五个一批); each optional (None: no target set)."""

    problems_found: int | None = None
    cases_published: int | None = None
    people_educated: int | None = None
    problems_solved: int | None = None
    mechanisms_established: int | None = None

    def target(self, key: str) -> int | None:
        value = getattr(self, key)
        return value if isinstance(value, int) else None


class OutcomeTargetsSpec(OutcomeTargets):
    """The campaign's targets, and per-track targets (``by_track``: track id → targets)."""

    by_track: dict[Key, OutcomeTargets] = Field(default_factory=dict)


class OutcomesSpec(_Spec):
    """What came of the campaign (一、(三), 二、(二), 四、(四), 五、(三)): the accountability
    vocabulary (问责 / 处理, in order of severity) an item's outcome names people with, the kinds
    of long-term mechanism (长效机制) units register, and the 五个一批 targets (a county choice
    where the plan gives no number). Who records, reads named people, publishes cases,
    registers mechanisms and submits or selects practices is ``lifecycle.operations``."""

    accountability: list[VocabularyEntry] = Field(default_factory=no_items)
    mechanism_kinds: list[VocabularyEntry] = Field(default_factory=no_items)
    targets: OutcomeTargetsSpec = OutcomeTargetsSpec()


class CampaignSetup(_Spec):
    """Everything the engine needs to start a campaign."""

    definition_id: Key
    definition_version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    title: Label
    county: ShortLabel
    timezone: str = "Asia/Shanghai"
    start: dt.date | None = None
    calendar: CalendarSpec = CalendarSpec()
    channels: list[ChannelSpec] = Field(min_length=1)
    severities: list[SeveritySpec] = Field(
        default_factory=lambda: [
            SeveritySpec(id="normal", label="一般"),
            SeveritySpec(id="serious", label="较重"),
            SeveritySpec(id="critical", label="严重"),
        ],
        min_length=1,
    )
    roles: list[RoleSpec] = Field(min_length=1)
    units: list[UnitSpec] = Field(min_length=1)
    leading_group: LeadingGroupSpec | None = None
    leadership: LeadershipSpec | None = None
    #: Classes of units a unit list may name by id (expanded into their members on loading).
    unit_groups: list[UnitGroupSpec] = Field(default_factory=no_items)
    tracks: list[TrackSpec] = Field(min_length=1)
    #: Dated phases, in order; empty for a campaign without phases (e.g. a year-round hotline).
    phases: list[PhaseSpec] = Field(default_factory=no_items)
    lifecycle: LifecycleSpec
    deadlines: DeadlinesSpec | None = None
    ladders: list[LadderSpec] = Field(default_factory=no_items)
    duties: list[DutySpec] = Field(default_factory=no_items)
    follow_up: FollowUpSpec | None = None
    supervision: SupervisionSpec | None = None
    #: 延期申请: who approves an extension of an item's due date, in order (absent: none).
    extensions: ExtensionSpec | None = None
    documents: DocumentReviewSpec | None = None
    outcomes: OutcomesSpec | None = None
    #: 退单 and the office's 审定 (issue 17); None: units cannot send items back.
    send_back: SendBackSpec | None = None
    #: 主办/协办 (issue 17): co-units with their parts of an item; None: no co-units.
    co_handling: CoHandlingSpec | None = None
    #: 考核 / 红黄牌 (issue 17): how units are scored each month and carded; None: no scoring.
    scoring: ScoringSpec | None = None
    #: 佐证材料 (issue 17): where evidence files are kept, their size and type limits (absent: none).
    attachments: AttachmentSpec | None = None
    #: 领导批示 (issue 17): who records leaders' instructions on items, whose count, the
    #: channel of items that start from one; None: no instructions.
    instructions: InstructionSpec | None = None
    #: 回访/满意度 after 销号 (issue 17); None: no callbacks.
    callbacks: CallbackSpec | None = None
    notifications: NotificationsSpec = NotificationsSpec()
    reports: ReportsSpec = ReportsSpec()
    # How the engine names itself in the audit trail for automatic changes.
    system_actor: Literal["system"] = "system"

    def tracks_of(self, unit: str) -> list[TrackSpec]:
        """The tracks ``unit`` answers in, in the definition's order: named in a track's units,
        or taken by ``all_units`` (every unit) or ``county_units`` (every unit but the
        localities)."""
        kind = next((u.kind for u in self.units if u.id == unit), None)
        if kind is None:
            return []
        taken = {"all_units", unit} | ({"county_units"} if kind != "locality" else set())
        return [t for t in self.tracks if taken & set(t.units)]

    @model_validator(mode="after")
    def _expand_unit_groups(self) -> CampaignSetup:
        """A unit group's id in a unit list stands for its members (in the group's order; a
        unit listed twice is kept once). A track's first unit (its lead unit) is not expanded:
        it must be a unit (``zhenggai check`` says so). Nested groups are not expanded either."""
        groups = {g.id: g.units for g in self.unit_groups}
        if not groups:
            return self

        def expand(units: list[str], keep_first: bool = False) -> list[str]:
            if not any(u in groups for u in units[1 if keep_first else 0 :]):
                return units  # as written: a unit listed twice stays a problem of the checks
            out: dict[str, None] = {}
            for k, unit in enumerate(units):
                if unit in groups and not (keep_first and k == 0):
                    out.update(dict.fromkeys(groups[unit]))
                else:
                    out[unit] = None
            return list(out)

        for track in self.tracks:
            object.__setattr__(track, "units", expand(track.units, keep_first=True))  # frozen
        for duty in self.duties:
            object.__setattr__(duty, "units", expand(duty.units))
        for channel in self.channels:
            object.__setattr__(channel, "source_units", expand(channel.source_units))
        if self.supervision is not None:
            object.__setattr__(self.supervision, "drawn_from", expand(self.supervision.drawn_from))
        return self
