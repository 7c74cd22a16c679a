"""What the simulated people do: the acts the agenda holds (a table from action to method,
``ACTS``) and the 五个一批 recorded by rule after an item closes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from zhenggai.engine import Actor, Engine

from ._simulate_attachments import attach_evidence
from ._simulate_callbacks import CALLBACK_ACTS, plan_callback, reporter_for
from ._simulate_cast import (
    ACCOUNTABLE,
    DOCUMENTS,
    FINDINGS,
    HABITS,
    KEY,
    MECHANISM_EVERY,
    MECHANISMS,
    PAUSE_REASONS,
    POSITIONS,
    PRACTICES,
    PUBLISHED_IN,
    ROOT_CAUSES,
    _Item,
)
from ._simulate_co_units import CO_UNIT_ACTS, add_co_unit, waits_for_parts
from ._simulate_instructions import INSTRUCTION_ACTS, instruction_for, plan_extension, plan_instruction
from ._simulate_registers import REGISTER_ACTS
from ._simulate_research import RESEARCH_ACTS
from ._simulate_send_backs import SEND_BACK_ACTS, plan_send_back
from ._simulate_world import _World


class _Acts(_World):
    """The acts, each ``_do_<action>(engine, *args)`` as :data:`ACTS` names it."""

    # --------------------------------------------------------------------------- actions

    def _do_report(self, engine: Engine, spec: dict[str, Any]) -> None:
        reporter_role = self.setup.lifecycle.operations["report"][0]
        item = _Item(0, spec["unit"], spec["track"])
        instruction = instruction_for(self, engine, spec)  # 领导批示交办 (its channel): a few items
        view = engine.report(
            KEY,
            self._actor(None, item, role=reporter_role),
            title=f"{spec['title']} (模拟 {spec['n']})",
            description=f"模拟问题 {spec['n']}: {spec['title']}",
            track=spec["track"],
            channel=spec["channel"],
            severity=spec["severity"],
            instruction=instruction,
            reporter=reporter_for(self, spec["channel"], spec["n"]),
        )
        item.id = view.id
        self.items[view.id] = item
        plan_instruction(self, view.id)  # 领导批示 on a few
        today = self.clock.now().astimezone(self.tz).date()
        if self.roles.dismiss is not None and self.rng.random() < 0.04:
            self._plan(self._office_hours(self._workday(today, self.rng.randrange(1, 4))), "dismiss", view.id)
            return
        channel = next(c for c in self.setup.channels if c.id == spec["channel"])
        if channel.transfer_to is not None and self.setup.lifecycle.operations.get("preliminary_check"):
            # 移送: the transfer unit's 初核 first (mostly within its days), then 交办.
            days = channel.transfer.days if channel.transfer is not None else 5
            when = self._workday(today, self.rng.randrange(1, days + 3))
            self._plan(self._office_hours(when), "preliminary_check", view.id, channel.transfer_to)
            return
        self._plan(self._office_hours(self._workday(today, self.rng.randrange(0, 3))), "assign", view.id)

    def _do_preliminary_check(self, engine: Engine, item_id: int, unit: str) -> None:
        role = self.setup.lifecycle.operations["preliminary_check"][0]
        bound = any(r.id == role and r.unit_bound for r in self.setup.roles)
        actor = (
            Actor(f"{self.unit_names[unit]}初核员", role, unit)
            if bound
            else self._actor(None, self.items[item_id], role=role)
        )
        engine.preliminary_check(item_id, actor, finding="线索属实, 建议交办责任单位整改")
        today = self._today()
        self._plan(self._office_hours(self._workday(today, self.rng.randrange(0, 2))), "assign", item_id)

    def _do_assign(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        due = None if self.setup.deadlines else self._workday(self._today(), 15)
        engine.fire(
            item_id, self.roles.assign.trigger, self._actor(self.roles.assign, item), unit=item.unit, due=due
        )
        if plan_send_back(self, item_id):  # 退单: the unit starts only once the office has ruled
            return
        add_co_unit(self, engine, item_id)  # 协办: one in ten gets a co-unit with a part
        self._plan(
            self._office_hours(self._workday(self._today(), self.rng.randrange(1, 4))), "start", item_id
        )
        if self.rng.random() < 0.015 and self.setup.lifecycle.operations.get("pause_clock"):
            self._plan(
                self._office_hours(self._workday(self._today(), self.rng.randrange(2, 6))), "pause", item_id
            )

    def _plan_finish(self, item_id: int, due: dt.date) -> None:
        low, high = HABITS[self.habit[self.items[item_id].unit]][1]
        day = self._workday(due, self.rng.randint(low, high))
        day = max(day, self._workday(self._today(), 1))
        item = self.items[item_id]
        item.finish += 1
        self._plan(self._office_hours(day), "submit", item_id, item.finish)

    def _do_start(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        actor = self._unit_actor(self.roles.start, item)
        item.measure = engine.add_measure(item_id, actor, text="制定整改方案, 明确责任人和完成时限").id
        attach_evidence(self, engine, item_id, actor, item.measure)  # 佐证材料, about half the time
        view = engine.item(item_id)
        if view.state != self.roles.start.dest:  # not started by a timed transition already
            view = engine.fire(item_id, self.roles.start.trigger, actor)
        if not item.paused:  # a paused item's work is planned when its clock resumes
            assert view.due is not None
            self._plan_finish(item_id, view.due)
            plan_extension(self, item_id, view.due)  # 延期申请 by a few units

    def _do_submit(self, engine: Engine, item_id: int, finish: int) -> None:
        item = self.items[item_id]
        if item.paused or finish != item.finish:
            return  # paused, or planned anew since (the resumption or reopening did)
        if waits_for_parts(self, engine, item_id, finish):
            return  # 协办: a co-unit's part is still open; the lead asks again in a day or two
        spec = self.roles.submit
        unit = self._unit_actor(self.roles.start, item)
        if item.measure is not None:
            engine.complete_measure(item.measure, unit)
            item.measure = None
        bound = any(r.id in spec.roles and r.unit_bound for r in self.setup.roles)
        engine.fire(item_id, spec.trigger, unit if bound else self._checker(spec, item))
        item.submitted = True
        if "record_close" in spec.effects:
            self._outcomes(engine, item)
            plan_callback(self, engine, item_id)
            return  # finishing closes it (a hotline's 办结)
        then = "verify" if self.roles.verify is not None else "close"
        self._plan(self._office_hours(self._workday(self._today(), self.rng.randrange(1, 4))), then, item_id)

    def _do_verify(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        rework = self.roles.rework
        if rework is not None and self.rng.random() < 0.12:
            engine.fire(item_id, rework.trigger, self._checker(rework, item), reason="验收未通过: 整改不到位")
            item.submitted = False
            actor = self._unit_actor(self.roles.start, item)
            item.measure = engine.add_measure(item_id, actor, text="按验收意见重新整改").id
            item.finish += 1
            back = self._workday(self._today(), self.rng.randrange(3, 9))
            self._plan(self._office_hours(back), "submit", item_id, item.finish)
            return
        assert self.roles.verify is not None
        engine.fire(item_id, self.roles.verify.trigger, self._checker(self.roles.verify, item))
        self._plan(
            self._office_hours(self._workday(self._today(), self.rng.randrange(0, 3))), "close", item_id
        )

    def _do_close(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        view = engine.fire(item_id, self.roles.close.trigger, self._actor(self.roles.close, item))
        # 通报曝光一批典型案例: the office picks the items that went as far as 问责 (by rule, not
        # by the random draw, so the rest of a seed's run stays as it was).
        cases = self.setup.lifecycle.operations.get("mark_case")
        if cases and view.escalation_level >= 2 and view.case_marked_at is None:
            engine.mark_case(
                item_id,
                self._actor(None, item, role=cases[0]),
                note=f"{view.unit_name}整改不力被问责, 以案为鉴、举一反三",
            )
        self._outcomes(engine, item)
        plan_callback(self, engine, item_id)  # 回访 of the item's reporter, if it has one

    # -------------------------------------------------------------------- 五个一批 (by rule)

    def _outcomes(self, engine: Engine, item: _Item) -> None:
        """After 销号: an item that went as far as 挂牌督办 gets its outcome recorded with one
        person and the vocabulary's milder outcomes; one that went as far as 问责, with one or
        two people and the severer ones (recorded again when an item went further since), and,
        as a marked typical case, it is published; every MECHANISM_EVERY-th item a unit closes
        leads it to a long-term mechanism. No random draw: the rest of the run stays as it was."""
        view = engine.item(item.id)
        outcomes = self.setup.outcomes
        record = self._operation("record_outcome")
        if (
            outcomes is not None
            and outcomes.accountability
            and record is not None
            and view.escalation_level >= 1
            and view.escalation_level > self.recorded.get(item.id, 0)
        ):
            vocabulary = outcomes.accountability  # in order of severity
            mild = max(1, len(vocabulary) // 3)
            kinds = (
                vocabulary[:mild] if view.escalation_level < 2 else vocabulary[mild : mild + 4] or vocabulary
            )
            people = 1 if view.escalation_level < 2 else 1 + item.id % 2
            entries = [
                (
                    ACCOUNTABLE[(item.id * 3 + k) % len(ACCOUNTABLE)],
                    f"{self.unit_names[item.unit]}{POSITIONS[(item.id + k) % len(POSITIONS)]}",
                    kinds[(item.id + k) % len(kinds)].id,
                )
                for k in range(people)
            ]
            engine.record_outcome(
                item.id,
                self._actor(None, item, role=record),
                root_cause=ROOT_CAUSES[item.id % len(ROOT_CAUSES)],
                accountability=entries,
            )
            self.recorded[item.id] = view.escalation_level
        publish = self._operation("publish_case")
        if publish is not None and view.case_marked_at is not None and view.case_published_at is None:
            engine.publish_case(
                item.id,
                self._actor(None, item, role=publish),
                where=PUBLISHED_IN[item.id % len(PUBLISHED_IN)],
                on=self._today(),
            )
        self.closes[item.unit] += 1
        register = self._operation("register_mechanism")
        if (
            outcomes is not None
            and outcomes.mechanism_kinds
            and register is not None
            and self.closes[item.unit] % MECHANISM_EVERY == 0
        ):
            count = sum(self.closes.values())
            kind = outcomes.mechanism_kinds[count % len(outcomes.mechanism_kinds)].id
            roles = self.setup.lifecycle.operations["register_mechanism"]
            bound = [r for r in roles if any(x.id == r and x.unit_bound for x in self.setup.roles)]
            engine.register_mechanism(
                KEY,
                self._actor(None, item, role=bound[0] if bound else register),
                unit=item.unit,
                title=f"{self.unit_names[item.unit]}{MECHANISMS[count % len(MECHANISMS)]}",
                kind=kind,
                status="established",
                date=self._today(),
                items=(item.id,),
                track=item.track,
            )

    def _do_list_document(self, engine: Engine, unit: str, n: int) -> None:
        docs = self.setup.documents
        assert docs is not None
        roles = docs.lifecycle.operations["report"]
        bound = [r for r in roles if any(x.id == r and x.unit_bound for x in self.setup.roles)]
        actor = self._actor(None, _Item(0, unit, ""), role=bound[0] if bound else roles[0])
        title, number = DOCUMENTS[n % len(DOCUMENTS)]
        doc = engine.list_document(
            KEY,
            actor,
            unit=unit,
            title=f"{self.unit_names[unit]}{title}",
            doc_number=f"{self.unit_names[unit]}发{number}",
        )
        _, (early, late) = HABITS[self.habit[unit]]
        # Working days from listing to the decision: the habit's lateness around the due date.
        span = max(1, docs.due.days + (early + late) // 2) if docs.due.count == "working" else docs.due.days
        self._plan(self._at(self._workday(self._today(), 1), dt.time(10, 0)), "review_document", doc.id, unit)
        self._plan(
            self._at(self._workday(self._today(), span), dt.time(16, 0)), "decide_document", doc.id, unit, n
        )

    def _document_step(
        self, engine: Engine, document_id: int, unit: str, final: bool, reason: str | None = None
    ) -> None:
        docs = self.setup.documents
        assert docs is not None
        state = engine.document(document_id).state
        finals = docs.lifecycle.final_states
        options = [t for t in docs.lifecycle.transitions if state in t.source and (t.dest in finals) == final]
        if not options:
            return
        spec = options[(document_id if final else 0) % len(options)]
        engine.fire_document(
            document_id, spec.trigger, self._unit_actor(spec, _Item(0, unit, "")), reason=reason
        )

    def _do_review_document(self, engine: Engine, document_id: int, unit: str) -> None:
        self._document_step(engine, document_id, unit, False)

    def _do_decide_document(self, engine: Engine, document_id: int, unit: str, n: int) -> None:
        self._document_step(engine, document_id, unit, False)  # still listed: review first
        self._document_step(
            engine, document_id, unit, True, reason="经再学习, 对照现行法规和优化营商环境要求作出结论"
        )

    def _do_practice(self, engine: Engine, unit: str, n: int) -> None:
        roles = self.setup.lifecycle.operations["submit_practice"]
        bound = [r for r in roles if any(x.id == r and x.unit_bound for x in self.setup.roles)]
        actor = self._actor(None, _Item(0, unit, ""), role=bound[0] if bound else roles[0])
        title, summary = PRACTICES[n % len(PRACTICES)]
        tracks = [t.id for t in self.setup.tracks if unit in t.units]
        practice = engine.submit_practice(
            KEY,
            actor,
            title=f"{self.unit_names[unit]}{title}",
            summary=f"{self.unit_names[unit]}{summary}。",
            track=tracks[0] if tracks else None,
        )
        if n % 2 == 0 and self._operation("select_practice") is not None:
            day = self._workday(self._today(), 5)
            self._plan(self._at(day, dt.time(15, n % 60)), "select", practice.id)

    def _do_select(self, engine: Engine, practice_id: int) -> None:
        role = self._operation("select_practice")
        assert role is not None
        # A person, not the role's label as a name (the public digest removes every actor's name,
        # and 县委宣传部 is also a unit that submits practices).
        actor = self._actor(None, _Item(0, "", ""), role=role)
        engine.select_practice(
            practice_id, dataclasses.replace(actor, name=f"{actor.name}联系人"), selected=True
        )

    def _do_dismiss(self, engine: Engine, item_id: int) -> None:
        assert self.roles.dismiss is not None
        engine.fire(
            item_id,
            self.roles.dismiss.trigger,
            self._actor(self.roles.dismiss, self.items[item_id]),
            reason="经核实, 反映问题不属实",
        )

    def _do_pause(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        if item.submitted:
            return  # finished before anyone asked to pause
        role = self.setup.lifecycle.operations["pause_clock"][0]
        engine.pause_clock(item_id, self._actor(None, item, role=role), reason=self.rng.choice(PAUSE_REASONS))
        item.paused = True
        self.paused += 1
        back = self._workday(self._today(), self.rng.randrange(10, 30))
        self._plan(self._office_hours(back), "resume", item_id)

    def _do_resume(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        role = self.setup.lifecycle.operations["resume_clock"][0]
        view = engine.resume_clock(item_id, self._actor(None, item, role=role), note="已取得结论, 恢复整改")
        item.paused = False
        assert view.due is not None
        self._plan_finish(item_id, view.due)

    def _do_review(self, engine: Engine, item_id: int, review_id: int | None = None) -> None:
        """回头看 of one sampled item (its review task done by a reviewer): most hold; some
        are reopened with a finding."""
        item = self.items.get(item_id)
        reopen = self.roles.reopen
        rule = self.setup.follow_up
        reviewer = Actor("回头看核查员", rule.role, self.office_unit) if rule is not None else None
        if (
            item is None
            or reopen is None
            or self.rng.random() >= 0.25
            or engine.item(item_id).state not in reopen.source  # reopened since (回访不满意)
        ):
            if review_id is not None and reviewer is not None:
                engine.complete_follow_up(review_id, reviewer, confirmed=True)
            return
        due = self._workday(self._today(), 15)
        if review_id is not None and reviewer is not None:
            engine.complete_follow_up(review_id, reviewer, finding=self.rng.choice(FINDINGS), due=due)
        else:
            actor = self._checker(reopen, item)
            engine.fire(item_id, reopen.trigger, actor, finding=self.rng.choice(FINDINGS), due=due)
        item.submitted = False
        self.reopened += 1
        unit = self._unit_actor(self.roles.start, item)
        item.measure = engine.add_measure(item_id, unit, text="回头看问题再整改, 建立长效机制").id
        self._plan_finish(item_id, due)

    def _team_role(self) -> str | None:
        return self.setup.supervision.role if self.setup.supervision is not None else None

    def _do_visit(self, engine: Engine, team: int, unit: str) -> None:
        """A 督查 team's visit to a drawn unit: about one in three finds something."""
        rule = self.setup.supervision
        assert rule is not None
        findings = [self.rng.choice(VISIT_FINDINGS)] if self.rng.random() < 0.3 else []
        actor = Actor(f"第{team}督查组", rule.role, rule.lead_unit)
        visit = engine.record_visit(KEY, team, unit, self._today(), findings=findings, actor=actor)
        self.visits += 1
        self.visit_findings += len(visit.items)
        for item_id in visit.items:  # the office assigns what a visit found to the visited unit
            self.items[item_id] = _Item(item_id, unit, engine.item(item_id).track)
            when = self._workday(self._today(), self.rng.randrange(1, 3))
            self._plan(self._office_hours(when), "assign", item_id)

    def _do_duty(self, engine: Engine, duty_id: int, unit: str) -> None:
        engine.complete_duty(duty_id, Actor(f"{self.unit_names[unit]}联络员", self._duty_role(), unit))

    def _duty_role(self) -> str:
        return next(r.id for r in self.setup.roles if r.unit_bound)


#: The agenda's actions and the method that does each (called with the simulation, the engine
#: and the arguments the action was planned with).
ACTS: Mapping[str, Callable[..., None]] = {
    "report": _Acts._do_report,
    "preliminary_check": _Acts._do_preliminary_check,
    "assign": _Acts._do_assign,
    "start": _Acts._do_start,
    "submit": _Acts._do_submit,
    "verify": _Acts._do_verify,
    "close": _Acts._do_close,
    "list_document": _Acts._do_list_document,
    "review_document": _Acts._do_review_document,
    "decide_document": _Acts._do_decide_document,
    "practice": _Acts._do_practice,
    "select": _Acts._do_select,
    "dismiss": _Acts._do_dismiss,
    "pause": _Acts._do_pause,
    "resume": _Acts._do_resume,
    "review": _Acts._do_review,
    "duty": _Acts._do_duty,
    **REGISTER_ACTS,
    **RESEARCH_ACTS,
    **SEND_BACK_ACTS,
    **CO_UNIT_ACTS,
    **INSTRUCTION_ACTS,
    **CALLBACK_ACTS,
    "visit": _Acts._do_visit,
}

#: What a 督查 visit finds (明察暗访, 五、(四) 督查重点).
VISIT_FINDINGS = (
    "窗口工作人员上班时间脱岗",
    "惠企政策未在办事大厅公示",
    "群众反映的诉求推诿扯皮未办理",
    "承诺办结时限未兑现",
)
