"""The engine's operations on one item (report, fire and the named transitions, measures, the
deadline clock, 典型案例), each a delegation to the module that owns it: the middle of
:class:`~.service.Engine`, over its queries (:class:`~._reading.EngineReads`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import (
    _callbacks,
    _extensions,
    _instructions,
    _leadership,
    _outcomes,
    _research,
    _send_backs,
    _transfer,
    _transitions,
)
from ._reading import EngineReads
from .views import (
    Actor,
    CallbackView,
    ExtensionView,
    FiredTransition,
    InstructionView,
    ItemView,
    LeaderInstruction,
    MeasureView,
    Reporter,
    SatisfactionView,
    SendBackTally,
    SendBackView,
)

__all__ = ["ItemOperations"]


class ItemOperations(EngineReads):
    """What happens to one item: reported, fired through its lifecycle (with a method named for
    each transition of the standard lifecycle), its measures, its clock, its case marks."""

    def report(
        self,
        campaign: str | int,
        actor: Actor,
        *,
        title: str,
        description: str,
        track: str,
        channel: str,
        severity: str | None = None,
        reporter: Reporter | None = None,
        instruction: LeaderInstruction | None = None,
    ) -> ItemView:
        """Register a problem item (问题线索) in the lifecycle's initial state.

        ``severity`` is one of the definition's severities (问题程度); None: its first.

        ``reporter`` (举报人) is stored apart, sealed with the engine's ``reporter_keys`` (refused
        with :class:`ReporterKeyError`, nothing written, when it has none), and never appears in
        what units see.

        ``instruction`` (领导批示): required on the definition's ``instructions.channel``
        (领导批示交办), recorded with the item in the same transaction.
        """
        return _transitions.report(
            self._rt,
            campaign,
            actor,
            title=title,
            description=description,
            track=track,
            channel=channel,
            severity=severity,
            reporter=reporter,
            instruction=instruction,
        )

    def fire(
        self, item_id: int, trigger: str, actor: Actor, *, expected_version: int | None = None, **data: Any
    ) -> ItemView:
        """Fire ``trigger`` (a transition's code, or its label in the definition, 销号) on an
        item as ``actor``. ``data`` holds the trigger's input
        (``unit``, ``due``, ``leading_official``, ``finding``, ``reason``, ``survivor_id``,
        ``note``). With ``expected_version`` the call fails with :class:`ConflictError` if the
        item has changed since the caller read it."""
        return _transitions.fire(self._rt, item_id, trigger, actor, expected_version=expected_version, **data)

    def fire_transition(
        self, item_id: int, trigger: str, actor: Actor, *, expected_version: int | None = None, **data: Any
    ) -> FiredTransition:
        """:meth:`fire`, returning the item and the audit event the transition wrote (what a
        caller prints or forwards without reading the chain again). ``trigger`` may also be the
        transition's label in the definition (销号), as officials name it."""
        return _transitions.fire_transition(
            self._rt, item_id, trigger, actor, expected_version=expected_version, **data
        )

    def assign(
        self,
        item_id: int,
        actor: Actor,
        *,
        unit: str,
        due: dt.date | str | None = None,
        leading_official: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """交办: hand the item to a responsible unit with a due date (and its 领衔领导). Without
        ``due`` the definition's rectification time for the item's track and severity applies."""
        return self.fire(
            item_id,
            "assign",
            actor,
            unit=unit,
            due=due,
            leading_official=leading_official,
            note=note,
            expected_version=expected_version,
        )

    def start_rectification(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """开始整改 (needs at least one measure)."""
        return self.fire(item_id, "start_rectification", actor, note=note, expected_version=expected_version)

    def submit_for_verification(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """提请验收 (every measure done)."""
        return self.fire(
            item_id, "submit_for_verification", actor, note=note, expected_version=expected_version
        )

    def verify(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """验收通过 (by someone outside the responsible unit)."""
        return self.fire(item_id, "verify", actor, note=note, expected_version=expected_version)

    def return_for_rework(
        self,
        item_id: int,
        actor: Actor,
        *,
        reason: str,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """退回重新整改, with the reason."""
        return self.fire(
            item_id, "return_for_rework", actor, reason=reason, note=note, expected_version=expected_version
        )

    def close(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """销号: sign the item off (by someone outside the responsible unit)."""
        return self.fire(item_id, "close", actor, note=note, expected_version=expected_version)

    def follow_up_review(
        self,
        item_id: int,
        actor: Actor,
        *,
        finding: str,
        due: dt.date | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """回头看: reopen a closed item with the review's finding, and a new due date when the
        old one has passed (the standard lifecycle's ``due_not_passed`` guard)."""
        return self.fire(
            item_id,
            "follow_up_review",
            actor,
            finding=finding,
            due=due,
            note=note,
            expected_version=expected_version,
        )

    def reassign(
        self,
        item_id: int,
        actor: Actor,
        *,
        unit: str,
        due: dt.date | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """改派 to another unit (optionally with a new due date)."""
        return self.fire(
            item_id, "reassign", actor, unit=unit, due=due, note=note, expected_version=expected_version
        )

    def dismiss(
        self,
        item_id: int,
        actor: Actor,
        *,
        reason: str,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """撤销: the lead was found untrue; terminal, with the reason."""
        return self.fire(
            item_id, "dismiss", actor, reason=reason, note=note, expected_version=expected_version
        )

    def merge(
        self,
        item_id: int,
        actor: Actor,
        *,
        survivor_id: int,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """合并: the item duplicates ``survivor_id``, which must still be open."""
        return self.fire(
            item_id, "merge", actor, survivor_id=survivor_id, note=note, expected_version=expected_version
        )

    def add_measure(
        self,
        item_id: int,
        actor: Actor,
        *,
        text: str,
        due: dt.date | str | None = None,
        expected_version: int | None = None,
    ) -> MeasureView:
        """Add a rectification measure (整改措施) to an item with a responsible unit."""
        return _transitions.add_measure(
            self._rt, item_id, actor, text=text, due=due, expected_version=expected_version
        )

    def complete_measure(
        self, measure_id: int, actor: Actor, *, expected_version: int | None = None
    ) -> MeasureView:
        """Mark a measure done. ``expected_version`` is the item's version."""
        return _transitions.complete_measure(self._rt, measure_id, actor, expected_version=expected_version)

    def pause_clock(
        self, item_id: int, actor: Actor, *, reason: str, expected_version: int | None = None
    ) -> ItemView:
        """暂停计时 / 中止: stop the item's deadline clock (e.g. while it waits on a court ruling),
        approved by a role the definition's ``operations.pause_clock`` names, with a reason. The
        working days left to the due date are kept (the day of pausing counts as used); its
        ladder steps stop (cancelled). An item past its due date cannot be paused: its time
        has run out already."""
        return _transitions.pause_clock(
            self._rt, item_id, actor, reason=reason, expected_version=expected_version
        )

    def resume_clock(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """恢复计时: restart a paused clock. The new due date is the working days the item had
        left, counted from today (the day of pausing counted as used, the day of resuming does
        not, so pausing and resuming the same day changes nothing); the time consumed before the
        pause stays consumed; the ladder is armed for the new date and the light starts green."""
        return _transitions.resume_clock(
            self._rt, item_id, actor, note=note, expected_version=expected_version
        )

    def mark_case(
        self, item_id: int, actor: Actor, *, note: str, expected_version: int | None = None
    ) -> ItemView:
        """典型案例: mark the item for the case bulletin, with the note it prints (what the case
        teaches); marking again replaces the note. A role from ``operations.mark_case``."""
        return _transitions.mark_case(self._rt, item_id, actor, note=note, expected_version=expected_version)

    def publish_case(
        self, item_id: int, actor: Actor, *, where: str, on: dt.date, expected_version: int | None = None
    ) -> ItemView:
        """通报曝光: record where and when a typical case (marked by :meth:`mark_case`) was
        published; publishing again replaces the record. ``on`` may not be after today. A role
        from ``operations.publish_case``."""
        return _outcomes.publish_case(
            self._rt, item_id, actor, where=where, on=on, expected_version=expected_version
        )

    def preliminary_check(
        self, item_id: int, actor: Actor, *, finding: str, expected_version: int | None = None
    ) -> ItemView:
        """初核 of an item its channel transferred (移送, ``channels[].transfer_to``): the
        finding is recorded, the 初核 ladder stops, and the item may be assigned onward (the
        ``preliminary_check_done`` guard). A role from ``operations.preliminary_check``; a
        unit-bound role only for the unit the item was transferred to."""
        return _transfer.preliminary_check(
            self._rt, item_id, actor, finding=finding, expected_version=expected_version
        )

    def lead_item(self, item_id: int, actor: Actor, *, leader: int, note: str | None = None) -> ItemView:
        """领衔: ``leader`` (a roster contact id, holding a role of ``leadership.roles``) leads
        the item personally. A role from ``operations.lead`` (``leadership.decided_by``),
        within the dates of ``leadership.phase`` (plus its ``grace_days``); not on a final
        item. Sets ``leading_official`` to the leader's name and tells the leader (``item_led``)."""
        return _leadership.lead_item(self._rt, item_id, actor, leader=leader, note=note)

    def complete_research(
        self, item_id: int, actor: Actor, *, note: str, expected_version: int | None = None
    ) -> ItemView:
        """领衔调研 done (``leadership.research``): the item's 领衔领导 (a holder of a leadership
        role acting as that person) or another role from ``operations.report_research`` (the
        office) records the research with its ``note`` (问题原因、解决办法); its ladder stops
        and ``research.notify`` is sent. Refused when the item has no leader, the research is
        already reported, or the note is empty."""
        return _research.complete_research(
            self._rt, item_id, actor, note=note, expected_version=expected_version
        )

    # ------------------------------------------------------------------ 延期申请 (issue 17)

    def request_extension(
        self, item_id: int, actor: Actor, *, new_due: dt.date | str, reason: str, progress: str | None = None
    ) -> ExtensionView:
        """延期申请 (``extensions``): the item's responsible unit (a unit-bound role of its unit)
        asks to move its due date to ``new_due`` with ``reason`` (one of ``extensions.reasons``
        when it lists any) and a ``progress`` note. Refused (:class:`ExtensionRefused`, nothing
        written) on or after the due date (已逾期), for an ended item, a date not after the
        current due, while another request is pending, or past ``max_per_item`` approved. The
        first approver is told (``extensions.requested``)."""
        return _extensions.request_extension(
            self._rt, item_id, actor, new_due=new_due, reason=reason, progress=progress
        )

    def decide_extension(
        self, request_id: int, actor: Actor, *, approve: bool, note: str | None = None
    ) -> ExtensionView:
        """Approve or refuse (``note`` required) a pending 延期申请 as its next approver (the
        roles of ``extensions.approvers`` in order; a track's ``leader_role``: that track's
        组长). The last approval moves the item's due date and re-arms its ladder; a refusal
        ends the request, the due date stays. The next approver or the unit is told."""
        return _extensions.decide_extension(self._rt, request_id, actor, approve=approve, note=note)

    def extensions(
        self,
        campaign: str | int,
        *,
        unit: str | None = None,
        state: str | None = None,
        item_id: int | None = None,
    ) -> list[ExtensionView]:
        """The campaign's 延期申请, oldest first: of ``unit``, in ``state`` (pending / approved /
        refused), of ``item_id``."""
        return _extensions.extensions(self._rt, campaign, unit=unit, state=state, item_id=item_id)

    # ------------------------------------------------------------- 退单 and 审定 (issue 17)

    def send_back(
        self,
        item_id: int,
        actor: Actor,
        *,
        reason: str,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> SendBackView:
        """退单: the item's responsible unit (a unit-bound role of that unit) sends it back to the
        office, with ``reason`` (a code of ``send_back.reasons``), while it is assigned and within
        ``send_back.within`` of its 交办; the clock stops (``clock: stops``) until the office
        rules, and the ``send_back.ruled_by`` roles are told (``send_back.requested``). Refused,
        nothing written, when the definition has no ``send_back``, after the limit, once the unit
        has started rectifying, while another send-back of the item is open, or when the unit
        already sent this 交办 back."""
        return _send_backs.request_send_back(
            self._rt, item_id, actor, reason=reason, note=note, expected_version=expected_version
        )

    def rule_send_back(
        self,
        send_back_id: int,
        actor: Actor,
        *,
        decision: str,
        unit: str | None = None,
        due: dt.date | str | None = None,
        note: str | None = None,
    ) -> SendBackView:
        """审定 of an open send-back by a role of ``send_back.ruled_by``: ``decision="reassign"``
        fires 改派 to ``unit`` (with ``due``, else the item keeps its due date);
        ``decision="insist"`` keeps the unit and restarts nothing. A clock the send-back stopped
        runs again (the working days it had left, from today). The unit that sent it back is
        told (``send_back.ruled``)."""
        return _send_backs.rule_send_back(
            self._rt, send_back_id, actor, decision=decision, unit=unit, due=due, note=note
        )

    def send_backs(
        self,
        campaign: str | int,
        *,
        unit: str | None = None,
        open_only: bool = False,
        item_id: int | None = None,
    ) -> list[SendBackView]:
        """The campaign's send-backs, oldest first (of one sending ``unit``, of one item, or only
        those awaiting the ruling); ``flagged`` on those of an item sent back ``flag_after``
        times or more."""
        return _send_backs.send_backs(self._rt, campaign, unit=unit, open_only=open_only, item_id=item_id)

    def send_back_tally(self, campaign: str | int) -> list[SendBackTally]:
        """Send-backs counted per unit: sent, open, reassigned away, insisted (ruled against it)."""
        return _send_backs.send_back_tally(self._rt, campaign)

    # ------------------------------------------------------------------ 领导批示 (issue 17)

    def record_instruction(
        self, item_id: int, actor: Actor, *, leader: int | str, given_on: dt.date | str, text: str
    ) -> InstructionView:
        """Record a 领导批示 on an item (a role of ``instructions.recorded_by``): ``leader`` a
        roster contact id or name holding a role of ``instructions.leaders``, ``given_on`` not
        after today, ``text``. One audit event; the responsible unit is told
        (``instructions.notify``). Refused (nothing written) otherwise."""
        return _instructions.record_instruction(
            self._rt, item_id, actor, leader=leader, given_on=given_on, text=text
        )

    def instructions(
        self, campaign: str | int | None = None, *, item_id: int | None = None
    ) -> list[InstructionView]:
        """The 领导批示 of a campaign, or of one item (``item_id``), oldest first."""
        return _instructions.instructions(self._rt, campaign, item_id=item_id)

    # ----------------------------------------------------------- 回访/满意度 (issue 17, 6)

    def record_callback(
        self, callback_id: int, actor: Actor, *, result: str, note: str | None = None
    ) -> CallbackView:
        """The custodian (``callbacks.role``, alone: anyone else is refused, nothing changes)
        records a 回访: ``result`` 满意 / 基本满意 / 不满意 (or the codes satisfied /
        basically_satisfied / unsatisfied) with ``note`` (required for 不满意). 不满意 reopens
        the item (``callbacks.unsatisfied: reopen``) or gives it a 回头看 task (``follow_up``),
        in the same transaction. The item's unit is told the result, never the note."""
        return _callbacks.record_callback(self._rt, callback_id, actor, result=result, note=note)

    def callbacks(
        self,
        campaign: str | int,
        *,
        state: str | None = None,
        unit: str | None = None,
        item_id: int | None = None,
    ) -> list[CallbackView]:
        """The campaign's 回访 tasks, oldest first (``state`` open / done; of one ``unit``, the
        one answerable when the item was closed; of one item)."""
        return _callbacks.callbacks(self._rt, campaign, state=state, unit=unit, item_id=item_id)

    def satisfaction(self, campaign: str | int, *, unit: str | None = None) -> list[SatisfactionView]:
        """回访 results per unit and the campaign's total (``unit`` None, last): 回访数, 满意,
        基本满意, 不满意, still open, and the rate (满意 + 基本满意) / 回访数."""
        return _callbacks.satisfaction(self._rt, campaign, unit=unit)
