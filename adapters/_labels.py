"""The Chinese names of one campaign's codes (states, triggers, units, tracks, roles, …): :class:`Labels`."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from zhenggai.engine import OPERATIONS, CampaignSetup, CampaignView, Engine

__all__ = ["EXTRA_TRIGGER_LABELS", "Labels"]


#: Trigger labels for audit events that are not transitions of the lifecycle.
EXTRA_TRIGGER_LABELS: Mapping[str, str] = {
    "start_campaign": "启动专项行动",
    "ladder_step": "督办阶梯",
    "ladder_missed": "督办步骤错过(待人工处理)",
    "recompute_deadline": "重算整改时限",
    "phase_action": "阶段节点",
    "follow_up_draw": "回头看抽查",
    "supervision_draw": "督查抽签",
    "complete_duty": "完成职责",
    "update_mechanism": "更新长效机制状态",
    "contact_added": "添加联系人",
    "contact_updated": "修改联系人",
    "contact_removed": "移除联系人",
    "contacts_imported": "导入通讯录",
    "rekey_reporters": "重新加密举报人信息",
    "transfer": "移送",
    "transfer_step": "移送初核督办",
    "send_back_request": "退单",
    "send_back_ruling": "退单审定",
    "callback_requested": "待回访",
    "record_callback": "回访",
    "callback_step": "回访督办",
    "duty_step": "职责督办",
    "part_step": "协办督办",
    "research_step": "领衔调研督办",
    "review_step": "回头看督办",
    "document_step": "文件清理督办",
    "attach_file": "上传佐证材料",
    "read_attachment": "查阅佐证材料",
    "add_co_unit": "确定协办单位",
    "add_part_measure": "添加协办措施",
    "complete_part": "完成协办分工",
    "waive_part": "免除协办分工",
    "record_instruction": "领导批示",
    "request_extension": "申请延期",
    "decide_extension": "延期审批",
    "score_month": "月度考核",
    "store_scores": "保存月度考核",
    "list_document": "登记规范性文件",
    "add_commitment": "登记公开承诺",
    "settle_commitment": "承诺兑现情况",
    "record_visit": "督查走访",
    "complete_follow_up": "完成回头看",
    "relay_webhooks": "推送订阅",
    **OPERATIONS,
}


@dataclass(frozen=True)
class Labels:
    """The Chinese names of one campaign's codes: states, triggers, units, tracks, roles."""

    campaign: CampaignView
    tz: dt.tzinfo
    states: Mapping[str, str]
    triggers: Mapping[str, str]
    units: Mapping[str, str]
    tracks: Mapping[str, str]
    roles: Mapping[str, str]
    channels: Mapping[str, str]
    severities: Mapping[str, str]

    @classmethod
    def load(cls, engine: Engine, campaign: str | CampaignView) -> Labels:
        """The labels of the definition version the campaign runs on, as the engine last read
        it (one read, none when the engine has read the campaign already)."""
        info = engine.campaign_info(
            campaign.key if isinstance(campaign, CampaignView) else campaign, cached=True
        )
        view, lifecycle = info.view, info.lifecycle
        setup = info.definition or _builtin_setup(view)
        return cls(
            campaign=view,
            tz=zoneinfo.ZoneInfo(view.timezone),
            states={s.id: s.label for s in lifecycle.states},
            triggers={
                **EXTRA_TRIGGER_LABELS,
                # 规范性文件清理 (the second lifecycle): its triggers appear in the same audit trail.
                **(
                    {t.trigger: t.label for t in setup.documents.lifecycle.transitions}
                    if setup is not None and setup.documents is not None
                    else {}
                ),
                **{t.trigger: t.label for t in lifecycle.transitions},
            },
            units=dict(info.units),
            tracks=dict(info.tracks),
            roles={"system": "系统", **({r.id: r.label for r in setup.roles} if setup else {})},
            channels={c.id: c.label for c in setup.channels} if setup else {},
            severities={s.id: s.label for s in setup.severities} if setup else {},
        )

    def state(self, state: str | None) -> str:
        return "" if state is None else self.states.get(state, state)

    def trigger(self, trigger: str) -> str:
        return self.triggers.get(trigger, trigger)

    def unit(self, unit: str | None) -> str:
        return "" if unit is None else self.units.get(unit, unit)

    def role(self, role: str) -> str:
        return self.roles.get(role, role)


def _builtin_setup(view: CampaignView) -> CampaignSetup | None:
    """For a campaign started before the engine kept whole definitions: the built-in definition
    of the same id and version, if there is one (else codes are shown instead of labels)."""
    from zhenggai.workflows import BUILTINS, load_setup

    if view.definition_id not in BUILTINS:
        return None
    setup = load_setup(view.definition_id)
    return setup if setup.definition_version == view.definition_version else None
