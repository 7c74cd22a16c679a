"""What ``zhenggai check`` says about 回访/满意度 (``callbacks``)."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

__all__ = ["CALLBACK_RECIPIENTS", "callback_problems"]

#: Recipients (besides roles) of a callback ladder's messages: none. A callback concerns the
#: reporter, whom only the custodian may contact: the unit is never told of it.
CALLBACK_RECIPIENTS: frozenset[str] = frozenset()


def callback_problems(setup: CampaignSetup) -> list[str]:
    """``callbacks``: its role a known role, not bound to a unit, allowed to read the reporter
    (``read_reporter``: the custodian); its ladder a known ladder of subject ``callback``; some
    transition that closes items (``record_close``) and has an item with a reporter to call
    back; for 不满意 ``reopen`` its trigger a transition out of the closing transitions'
    destination that takes a finding, for ``follow_up`` a 回头看 (``follow_up``) to queue to.
    A callback ladder only where there are callbacks."""
    spec = setup.callbacks
    if spec is None:
        return [
            f"ladders[{i}].subject: 实施方案没有规定回访 (callbacks), 不能有回访督办阶梯"
            for i, ladder in enumerate(setup.ladders)
            if ladder.subject == "callback"
        ]
    problems: list[str] = []
    roles = {r.id: r for r in setup.roles}
    lifecycle = setup.lifecycle
    if spec.role not in roles:
        problems.append(f"callbacks.role: 未知角色 {spec.role}")
    else:
        if roles[spec.role].unit_bound:
            problems.append(f"callbacks.role: 角色 {spec.role} 属于单位, 不能回访举报人 (须为举报信息保管人)")
        readers = lifecycle.operations.get("read_reporter", [])
        if spec.role not in readers:
            problems.append(
                f"callbacks.role: 角色 {spec.role} 不能查看举报人 (lifecycle.operations.read_reporter), "
                "只有举报信息保管人可以回访"
            )
    if spec.ladder is not None:
        ladders = {ladder.id: ladder for ladder in setup.ladders}
        if spec.ladder not in ladders:
            problems.append(f"callbacks.ladder: 未知督办阶梯 {spec.ladder}")
        elif ladders[spec.ladder].subject != "callback":
            problems.append(f"callbacks.ladder: 督办阶梯 {spec.ladder} 不是回访督办阶梯 (subject: callback)")
    closing = [t for t in lifecycle.transitions if "record_close" in t.effects]
    if not closing:
        problems.append("callbacks: 流程没有销号环节 (effects: record_close), 无从回访")
    if spec.unsatisfied == "reopen":
        closed = {t.dest for t in closing}
        reopen = [t for t in lifecycle.transitions if t.trigger == spec.trigger]
        if not reopen:
            problems.append(f"callbacks.trigger: 未知流转 {spec.trigger}")
        elif closed and not any(closed & set(t.source) for t in reopen):
            problems.append(f"callbacks.trigger: 流转 {spec.trigger} 不能从已销号状态重新整改")
    elif setup.follow_up is None:
        problems.append("callbacks.unsatisfied: 实施方案没有回头看 (follow_up), 不满意无法转回头看")
    return problems
