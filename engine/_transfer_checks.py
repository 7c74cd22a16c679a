"""What ``zhenggai check`` says about 移送 (a channel's ``transfer_to`` and ``transfer``)."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import notify_problems

__all__ = ["TRANSFER_RECIPIENTS", "transfer_problems"]

#: Recipients (besides roles) of 移送 messages: the unit the item is transferred to (for its
#: 初核) and its track's lead unit.
TRANSFER_RECIPIENTS = frozenset({"transfer_unit", "lead_unit"})


def transfer_problems(setup: CampaignSetup) -> list[str]:
    """A channel's ``transfer`` only with a ``transfer_to``, its ladder a known ladder of subject
    ``transfer``, its messages to known recipients; a transfer ladder only where some channel
    transfers its items."""
    problems: list[str] = []
    ladders = {ladder.id: ladder for ladder in setup.ladders}
    transfers = False
    for i, channel in enumerate(setup.channels):
        path = f"channels[{i}]"
        transfers = transfers or channel.transfer_to is not None
        spec = channel.transfer
        if spec is None:
            continue
        if channel.transfer_to is None:
            problems.append(
                f"{path}.transfer: 来源渠道 {channel.id} 没有移送单位 (transfer_to), 不能规定初核时限"
            )
        if spec.ladder is not None:
            if spec.ladder not in ladders:
                problems.append(f"{path}.transfer.ladder: 未知督办阶梯 {spec.ladder}")
            elif ladders[spec.ladder].subject != "transfer":
                problems.append(
                    f"{path}.transfer.ladder: 督办阶梯 {spec.ladder} 不是移送初核督办阶梯 (subject: transfer)"
                )
        problems += notify_problems(f"{path}.transfer.notify", spec.notify, TRANSFER_RECIPIENTS, setup)
    if not transfers:
        for i, ladder in enumerate(setup.ladders):
            if ladder.subject == "transfer":
                problems.append(
                    f"ladders[{i}].subject: 没有移送问题的来源渠道 (transfer_to), 不能有移送初核督办阶梯"
                )
    return problems
