"""What ``zhenggai simulate`` prints: a day's events as a few timeline lines, and the run's summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

from zhenggai.engine import ESCALATION_LABELS, CampaignSetup, Engine, EventView
from zhenggai.workflows.schema import LADDER_ACTIONS

from ._simulate_attachments import attachment_summary
from ._simulate_callbacks import callback_summary
from ._simulate_cast import HABIT_LABELS, HABITS, KEY
from ._simulate_co_units import co_unit_summary
from ._simulate_concerns import print_concerns
from ._simulate_instructions import extension_summary, instruction_summary
from ._simulate_scores import score_line, score_summary
from ._simulate_send_backs import send_back_summary
from ._tables import LIGHT_LABELS, format_date

__all__ = ["NAMED", "print_summary"]

#: How many items a day's block names one by one before it says "等 N 件".
NAMED = 6


def _tally(label: str, count: int, target: int | None) -> str:
    return f"{label} {count}" + (f"/{target}" if target is not None else "")


def _kind_labels(setup: CampaignSetup) -> dict[str, str]:
    """A message kind's name for officials: the 【…】 its subject starts with, when fixed."""
    names = {}
    for kind, template in setup.notifications.templates.items():
        subject = template.subject
        if not (subject.startswith("【") and "】" in subject):
            continue
        head, rest = subject[1 : subject.index("】")], subject[subject.index("】") + 1 :]
        about = (
            "职责"
            if "duty_label" in rest
            else "文件清理"
            if "规范性文件" in rest
            else "问题"
            if "title" in rest
            else "阶段"
            if "campaign" in rest
            else ""
        )
        if "{" in head:
            names[kind] = f"{about}预警" if about in ("职责", "问题", "文件清理") else f"{about}通知"
        else:
            names[kind] = f"{about}{head}" if about == "职责" else head
    return names


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _ordered(counts: Counter[Any], order: Sequence[Any]) -> list[tuple[Any, int]]:
    known = [(k, counts[k]) for k in order if counts.get(k)]
    return known + [(k, n) for k, n in counts.items() if k not in order]


def _counts(pairs: Iterable[tuple[Any, int]]) -> str:
    text = " · ".join(f"{k} {n}" for k, n in pairs)
    return text or "无"


def _named(ids: Sequence[int]) -> str:
    shown = "、".join(str(i) for i in ids[:NAMED])
    return f"{shown} 等 {len(ids)} 件" if len(ids) > NAMED else shown


#: The audit triggers of one item's step that a day's block tells one by one, with its detail.
ITEM_STEPS = ("follow_up_review", "pause_clock", "resume_clock", "recompute_deadline")


def _day_lines(
    events: Sequence[EventView],
    setup: CampaignSetup,
    unit_names: dict[str, str],
    person: Callable[[int], str] = str,
) -> Iterable[str]:
    """A day's events, said briefly: counts of the routine, named items for what officials
    must see (挂牌督办, 问责, 回头看, pauses), each campaign step in full."""
    day = _DayCounts(setup)
    for e in events:
        if "document" in e.data and e.item_id is None:
            yield from day.document(e)
        elif e.trigger == "phase_action":
            yield from _phase_lines(e.data, day.duties, unit_names)
        elif e.trigger == "follow_up_draw":
            yield _follow_up_draw_line(e.data)
        elif e.trigger == "supervision_draw":
            yield _supervision_draw_line(e.data, unit_names)
        elif e.trigger == "score_month":
            yield score_line(e.data, unit_names)
        elif e.trigger == "record_visit":
            yield _visit_line(e.data, unit_names)
        elif e.trigger == "complete_follow_up":
            yield _review_line(e)
        elif e.trigger == "record_callback" and e.data["result"] == "unsatisfied":
            yield f"回访不满意: 问题 {e.data['item']} ({e.actor})" + (
                ", 重新整改" if e.data.get("reopened") else ""
            )
        elif e.trigger == "lead":
            due = e.data.get("research_due")
            yield f"领衔: 问题 {e.item_id} 由 {person(e.data['leader'])} 领衔" + (
                f", 调研时限 {format_date(dt.date.fromisoformat(due))}" if due else ""
            )
        elif e.trigger == "report_research":
            late = ", 逾期" if e.data.get("late") else ""
            yield f"领衔调研完成: 问题 {e.item_id} ({e.actor}{late}) — {e.data['note']}"
        elif e.trigger in ITEM_STEPS:
            yield _item_step_line(e, day.labels)
        else:
            day.count(e)
    yield from day.totals()


class _DayCounts:
    """What a day's block counts rather than tells: routine steps, ladder steps by item, duty
    steps, duties done, documents listed and their steps."""

    def __init__(self, setup: CampaignSetup) -> None:
        self.labels = {t.trigger: t.label for t in setup.lifecycle.transitions}
        self.duties = {d.id: d.label for d in setup.duties}
        self.routine: Counter[str] = Counter()
        self.ladder: dict[str, list[int]] = {}
        self.duty_steps: dict[tuple[str, str], int] = {}
        self.done: Counter[str] = Counter()
        docs = setup.documents
        self.doc_labels = {st.id: st.label for st in docs.lifecycle.states} if docs is not None else {}
        self.doc_final = docs.lifecycle.final_states if docs is not None else frozenset()
        self.listed = 0
        self.doc_steps: dict[str, list[int]] = {}

    def document(self, e: EventView) -> Iterable[str]:
        """A document's event: counted (listed, a ladder step), or its conclusion told."""
        if e.trigger == "list_document":
            self.listed += 1
        elif e.trigger == "document_step":
            label = e.data.get("step_label") or e.data["action"]
            self.doc_steps.setdefault(label + ("(补办)" if e.data.get("caught_up") else ""), []).append(
                e.data["document"]
            )
        elif e.to_state in self.doc_final and e.from_state != e.to_state:
            yield (
                f"规范性文件清理结论: 文件 {e.data['document']}「{e.data['title']}」"
                f"{self.doc_labels.get(e.to_state, e.to_state)} ({e.actor})"
            )

    def count(self, e: EventView) -> None:
        """An item's ladder step, a duty's step or completion, or a routine step of the lifecycle."""
        if e.trigger in ("ladder_step", "part_step"):  # a part's steps: 协办逾期催办 and its lights
            label = e.data.get("step_label") or LADDER_ACTIONS.get(e.data["action"], e.data["action"])
            if e.data.get("caught_up"):
                label += "(补办)"
            assert e.item_id is not None
            self.ladder.setdefault(label, []).append(e.item_id)
        elif e.trigger == "duty_step":
            key = (
                self.duties.get(e.data["duty"], e.data["duty"]),
                e.data.get("step_label") or e.data["action"],
            )
            self.duty_steps[key] = self.duty_steps.get(key, 0) + 1
        elif e.trigger == "complete_duty":
            self.done[self.duties.get(e.data["duty"], e.data["duty"])] += 1
        elif e.trigger in self.labels or e.trigger in (
            "report",
            "add_measure",
            "complete_measure",
            "transfer",
            "preliminary_check",
        ):
            self.routine[e.trigger] += 1

    def totals(self) -> Iterable[str]:
        """The day's counts, one line each, after what it told one by one."""
        if self.routine:
            names = {
                "report": "登记",
                "transfer": "移送",
                "preliminary_check": "初核",
                "add_measure": "添加措施",
                "complete_measure": "完成措施",
                **self.labels,
            }
            yield "办理: " + _counts(
                (names[k], n) for k, n in self.routine.items() if k not in ("add_measure", "complete_measure")
            )
        for label, ids in self.ladder.items():
            yield f"{label}: 问题 {_named(ids)}"
        for (duty, step), n in self.duty_steps.items():
            yield f"职责督办 {duty} {step}: {n} 个单位"
        if self.done:
            yield "职责完成: " + _counts(self.done.items())
        if self.listed:
            yield f"规范性文件清理: 登记待清理文件 {self.listed} 份"
        for label, ids in self.doc_steps.items():
            yield f"规范性文件清理 {label}: 文件 {_named(ids)}"


def _phase_lines(
    d: Mapping[str, Any], duties: Mapping[str, str], unit_names: Mapping[str, str]
) -> Iterable[str]:
    """A phase's start or end: notified, or the units that missed its duty listed (挂牌督办) and
    those still on the duty's own ladder."""
    edge = "开始" if d["edge"] == "start" else "结束"
    if d["action"] == "notify":
        yield f"阶段{edge}: {d['phase_name']}, 已通知"
        return
    duty = duties.get(d["duty"], d["duty"])
    units = "、".join(unit_names.get(u, u) for u in d["units"][:NAMED])
    more = f" 等 {d['count']} 个单位" if d["count"] > NAMED else ""
    yield (
        f"阶段{edge}: {d['phase_name']} — {d['count']} 个单位未完成「{duty}」"
        f", 挂牌督办" + (f": {units}{more}" if d["count"] else "")
    )
    waiting = d.get("on_ladder", [])
    if waiting:  # due too lately for 挂牌督办 yet: 催报 and 红灯 first, then its rung
        chased = "、".join(unit_names.get(w["unit"], w["unit"]) for w in waiting[:NAMED])
        more = f" 等 {len(waiting)} 个单位" if len(waiting) > NAMED else ""
        yield (
            f"阶段{edge}: {d['phase_name']} — 未完成「{duty}」, 按职责督办阶梯催报, "
            f"{waiting[0]['listed_on']} 起挂牌督办: {chased}{more}"
        )


def _follow_up_draw_line(d: Mapping[str, Any]) -> str:
    return (
        f"回头看抽查: 从 {len(d['population'])} 件已销号问题中抽取 {len(d['sample'])} 件"
        f" (含曾挂牌督办 {len(d['listed'])} 件), 随机种子 {d['seed']}"
    )


def _supervision_draw_line(d: Mapping[str, Any], unit_names: Mapping[str, str]) -> str:
    teams = "; ".join(
        f"第{k + 1}组 → " + "、".join(unit_names.get(u, u) for u in t) for k, t in enumerate(d["teams"])
    )
    return f"督查抽签 (不打招呼): {teams}"


def _visit_line(d: Mapping[str, Any], unit_names: Mapping[str, str]) -> str:
    found = f"发现问题 {len(d['items'])} 个, 登记为明察暗访问题" if d["items"] else "未发现问题"
    return f"督查: 第{d['team']}督查组明察暗访{unit_names.get(d['unit'], d['unit'])}, {found}"


def _review_line(e: EventView) -> str:
    result = f"发现问题, 问题 {e.data['item']} 重新整改" if e.data["result"] == "finding" else "整改到位"
    return f"回头看核查 (任务 {e.data['review']}, {e.actor}): {result}"


def _item_step_line(e: EventView, labels: Mapping[str, str]) -> str:
    """An item reopened, paused, resumed or re-dated: the item, its detail, who."""
    name = labels.get(e.trigger) or {"pause_clock": "暂停计时", "resume_clock": "恢复计时"}.get(
        e.trigger, e.trigger
    )
    detail = (
        e.data.get("finding")
        or e.data.get("reason")
        or (f"新的整改时限 {format_date(dt.date.fromisoformat(e.data['due']))}" if "due" in e.data else "")
    )
    return (
        f"{name}: 问题 {e.item_id} — {detail} ({e.actor})"
        if detail
        else f"{name}: 问题 {e.item_id} ({e.actor})"
    )


def _outcome_summary(engine: Engine, setup: CampaignSetup, out: TextIO) -> None:
    """五个一批 (counts against targets) and the registers, when the definition has outcomes."""
    if setup.outcomes is None:
        return
    five = engine.five_outcomes(KEY)
    print(
        "五个一批 (数量/目标): " + " · ".join(_tally(t.label, t.count, t.target) for t in five.totals),
        file=out,
    )
    practices = engine.practices(KEY)
    people = next((t.count for t in five.totals if t.key == "people_educated"), 0)
    print(
        f"  长效机制 {len(engine.mechanisms(KEY))} 项; 典型做法 {len(practices)} 项"
        f" (选入晒成效 {sum(p.selected for p in practices)} 项); 警示教育 {five.education_sessions} 场"
        f" {people} 人次",
        file=out,
    )
    promised = engine.commitments(KEY)
    if promised:
        kept = sum(c.state == "fulfilled" for c in promised)
        broken = sum(c.state == "broken" for c in promised)
        print(
            f"  践诺承诺 {len(promised)} 项: 已兑现 {kept} 项, 未兑现 {broken} 项,"
            f" 逾期未兑现 {sum(c.overdue for c in promised)} 项",
            file=out,
        )


def _document_summary(engine: Engine, setup: CampaignSetup, out: TextIO) -> None:
    """规范性文件清理: the listed documents by state, and how many the ladder escalated."""
    docs = setup.documents
    if docs is None:
        return
    listed = engine.documents(KEY)
    if not listed:
        return
    by_state = Counter(d.state_label for d in listed)
    order = [s.label for s in docs.lifecycle.states]
    escalated = sum(d.escalation_level > 0 for d in listed)
    print(
        f"{docs.label} {len(listed)} 份: "
        + _counts(_ordered(by_state, order))
        + (f"; 逾期挂牌督办 {escalated} 份" if escalated else ""),
        file=out,
    )


def print_summary(
    engine: Engine,
    setup: CampaignSetup,
    out: TextIO,
    *,
    first: dt.date,
    last: dt.date,
    seed: int,
    reopened: int,
    paused: int,
    tz: dt.tzinfo,
    habits: Mapping[str, str],
    refused: Counter[str],
    late_extensions: int = 0,
) -> None:
    """The run's summary: items by state, light and ladder level, 五个一批, documents, duties,
    messages by channel and kind, the units' habits and what the engine refused."""
    labels = {s.id: s.label for s in setup.lifecycle.states}
    items = engine.items(KEY)
    print(file=out)
    print(f"【模拟汇总】{setup.title}  {_day(first)} 至 {_day(last)}, 随机种子 {seed}", file=out)
    print(f"问题 {len(items)} 件", file=out)
    states = Counter(i.state for i in items)
    print("  按状态: " + _counts((labels.get(s, s), n) for s, n in _ordered(states, list(labels))), file=out)
    lights = Counter(i.light for i in items)
    print(
        "  按预警: " + _counts((LIGHT_LABELS.get(k, k), n) for k, n in _ordered(lights, list(LIGHT_LABELS))),
        file=out,
    )
    levels = Counter(i.escalation_level for i in items)
    print(
        "  按督办等级: " + _counts((ESCALATION_LABELS.get(k, str(k)), n) for k, n in sorted(levels.items())),
        file=out,
    )
    cases = sum(i.case_marked_at is not None for i in items)
    print(f"  回头看重新整改 {reopened} 件; 暂停计时 {paused} 件; 典型案例 {cases} 件", file=out)
    sent_back = send_back_summary(engine, KEY)
    if sent_back is not None:
        print(sent_back, file=out)
    co_units = co_unit_summary(engine, KEY)
    if co_units is not None:
        print(co_units, file=out)
    scored = score_summary(engine, KEY)
    if scored is not None:
        print(scored, file=out)
    evidence = attachment_summary(engine, KEY)
    if evidence is not None:
        print(evidence, file=out)
    channel = setup.instructions.channel if setup.instructions is not None else None
    for line in (extension_summary(engine, KEY, late_extensions), instruction_summary(engine, KEY, channel)):
        if line is not None:  # 延期申请, 领导批示 (issue 17)
            print(line, file=out)
    called_back = callback_summary(engine, KEY)
    if called_back is not None:
        print(called_back, file=out)
    _outcome_summary(engine, setup, out)
    _document_summary(engine, setup, out)
    duties = engine.duties(KEY, due_by=last)
    print(f"职责 {len(duties)} 项 (截至 {_day(last)} 到期)", file=out)
    by_duty: dict[str, Counter[str]] = {}
    for d in duties:
        c = by_duty.setdefault(d.label, Counter())
        c[
            "不适用"
            if d.status == "not_applicable"
            else "按时完成"
            if d.done_at and d.done_at.astimezone(tz).date() <= d.due
            else "逾期完成"
            if d.done_at
            else "未完成"
        ] += 1
        if d.escalation_level:
            c[ESCALATION_LABELS.get(d.escalation_level, "督办")] += 1
    for label, c in by_duty.items():
        print(
            f"  {label}: "
            + _counts(_ordered(c, ["按时完成", "逾期完成", "未完成", "不适用", "挂牌督办", "问责"])),
            file=out,
        )
    messages = engine.outbox(KEY)
    print(f"消息 {len(messages)} 条 (待发送, 按渠道和类别)", file=out)
    by_channel: dict[str, Counter[str]] = {}
    for m in messages:
        by_channel.setdefault(m.channel, Counter())[m.kind] += 1
    names = _kind_labels(setup)
    for channel in sorted(by_channel):
        kinds = by_channel[channel]
        print(
            f"  {channel} {sum(kinds.values())} 条: "
            + _counts((names.get(k, k), n) for k, n in sorted(kinds.items())),
            file=out,
        )
    print_concerns(engine, setup, out)
    drawn = Counter(habits.values())
    print(
        "单位习惯 (模拟设定): " + _counts((HABIT_LABELS[h], drawn[h]) for h in HABITS if drawn[h]), file=out
    )
    if refused:
        print("被引擎拒绝的模拟操作: " + _counts(sorted(refused.items())), file=out)
