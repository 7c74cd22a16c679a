"""The simulated people of ``zhenggai simulate``: units' habits, the texts they write, made-up names
and contacts, and which trigger of a definition does what (:func:`_roles`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from zhenggai.engine import CampaignSetup
from zhenggai.workflows.schema import ContactSpec, TransitionSpec

from ._errors import CliError

__all__ = ["ACCOUNTABLE", "HABITS", "HABIT_LABELS", "KEY", "with_contacts"]


#: The simulated campaign's key.
KEY = "sim"

#: Unit habits: (share of units, days before (−) or after (+) the due date they finish, in
#: working days, as a range).
HABITS: dict[str, tuple[float, tuple[int, int]]] = {
    "prompt": (0.60, (-8, -2)),
    "last_minute": (0.22, (-1, 1)),
    "late": (0.13, (2, 9)),
    "very_late": (0.05, (10, 22)),
}
#: How units of each habit deal with a duty occurrence: (share handed in late, share never).
DUTY_HABITS: dict[str, tuple[float, float]] = {
    "prompt": (0.03, 0.02),
    "last_minute": (0.15, 0.06),
    "late": (0.40, 0.25),
    "very_late": (0.30, 0.50),
}
HABIT_LABELS = {"prompt": "按时", "last_minute": "临期", "late": "迟办", "very_late": "严重迟办"}
TITLES = {
    "obstruction": ["审批环节层层设卡", "窗口办事推诿刁难", "频繁重复检查企业", "执法自由裁量随意"],
    "unfulfilled_commitments": ["招商承诺政策未兑现", "奖补资金迟迟不到位", "新官不理旧账"],
    "policy_idling": ["惠企政策落地打折扣", "政策申报门槛过高", "助企资金拨付滞后"],
    "construction": ["施工许可审批超时", "工程款拖欠未结算", "竣工验收久拖不决"],
    "services": ["一次性告知未落实", "网上办事系统难用", "证明材料重复提交"],
    "legacy_commitments": ["历史遗留土地证办理难", "历史欠款长期未清偿", "遗留项目手续不全"],
}
FINDINGS = ["抽查发现同类问题仍有发生", "整改措施未落实到位, 群众反映依旧", "制度建立但未执行"]
PAUSE_REASONS = ["等待法院判决", "等待上级部门政策答复", "涉及司法鉴定, 等待鉴定结论"]
#: Made-up people held accountable (realistic names, so that privacy tests have names to miss).
ACCOUNTABLE = [
    "张建国",
    "李卫东",
    "王秀英",
    "刘志强",
    "陈国华",
    "杨丽娟",
    "赵文斌",
    "黄海燕",
    "周明辉",
    "吴建平",
    "徐晓东",
    "孙玉梅",
    "马俊杰",
    "朱红霞",
    "胡振宇",
    "郭永刚",
]
POSITIONS = ["副局长", "科长", "副科长", "股长", "工作人员"]
ROOT_CAUSES = [
    "制度执行不严, 审批环节缺乏时限约束",
    "主体责任落实不到位, 分管负责人履职不力",
    "监督检查流于形式, 问题长期未被发现",
    "服务意识淡薄, 推诿扯皮、敷衍塞责",
]
PUBLISHED_IN = ["县纪委监委网站", "县融媒体中心", "县政府门户网站"]
MECHANISMS = [
    "审批事项限时办结制度",
    "企业诉求首问负责制",
    "涉企检查计划备案制度",
    "惠企资金兑现工作规程",
    "工程款支付监管办法",
    "政务服务“好差评”系统",
    "新官理旧账工作规程",
    "容缺受理工作规程",
]
#: Every how many-th item a unit closes leads it to a long-term mechanism.
MECHANISM_EVERY = 6
#: Normative documents units list for re-study (规范性文件清理), as "<unit>关于…".
DOCUMENTS = [
    ("关于进一步规范涉企检查的若干规定", "〔2019〕8号"),
    ("行政审批事项办理暂行办法", "〔2018〕21号"),
    ("关于招商引资优惠政策兑现的实施细则", "〔2020〕3号"),
    ("工程建设项目招投标管理办法", "〔2017〕15号"),
]
PRACTICES = [
    ("推行“一窗受理、集成服务”", "整合办事窗口, 企业办事只进一扇门、只跑一次"),
    ("建立企业诉求“直通车”", "企业诉求专人受理、限时答复, 办理结果回访"),
    ("开展“局长走流程”体验", "班子成员以办事人身份体验办事流程, 查找堵点、现场整改"),
    ("推出惠企政策“免申即享”", "符合条件的企业无需申报, 奖补资金直接兑现到账"),
    ("实行重大项目“全程代办”", "为重大项目配备代办专员, 审批手续全程帮办"),
    ("推行“容缺受理”", "次要材料暂缺时先行受理, 限期补齐, 审批提速"),
]


@dataclasses.dataclass
class _Roles:
    """Which trigger of the definition does what (found by guards and effects) and who does it."""

    assign: TransitionSpec
    start: TransitionSpec
    submit: TransitionSpec
    verify: TransitionSpec | None
    rework: TransitionSpec | None
    close: TransitionSpec
    reopen: TransitionSpec | None
    dismiss: TransitionSpec | None


def _find(setup: CampaignSetup, test: Callable[[TransitionSpec], bool]) -> TransitionSpec | None:
    return next((t for t in setup.lifecycle.transitions if test(t)), None)


def _need(setup: CampaignSetup, name: str, test: Callable[[TransitionSpec], bool]) -> TransitionSpec:
    found = _find(setup, test)
    if found is None:
        raise CliError(
            f"实施方案 {setup.definition_id} 的流程里没有「{name}」这一步, 无法模拟 (zhenggai simulate 需要"
            "交办、开始整改 (须有措施)、办结 (措施全部完成) 和销号)"
        )
    return found


def _roles(setup: CampaignSetup) -> _Roles:
    life = setup.lifecycle
    submit = _need(setup, "提请验收", lambda t: "all_measures_done" in t.guards)
    return _Roles(
        assign=_need(setup, "交办", lambda t: "set_assignment" in t.effects and life.initial in t.source),
        start=_need(setup, "开始整改", lambda t: "has_measure" in t.guards),
        submit=submit,
        verify=_find(setup, lambda t: "record_verification" in t.effects),
        rework=_find(setup, lambda t: "clear_verification" in t.effects and submit.dest in t.source),
        close=_need(setup, "销号", lambda t: "record_close" in t.effects),
        reopen=_find(setup, lambda t: "record_reopen" in t.effects),
        dismiss=_find(setup, lambda t: "record_dismissal" in t.effects),
    )


@dataclasses.dataclass
class _Item:
    id: int
    unit: str
    track: str
    measure: int | None = None
    paused: bool = False
    submitted: bool = False
    #: The latest planned finish; an older one (planned before a pause or a reopening) is void.
    finish: int = 0


def with_contacts(setup: CampaignSetup) -> CampaignSetup:
    """``setup`` with a made-up 联络员 for every unit and a contact for every role that is not
    bound to a unit (in the office's unit; the supervision teams' in theirs), when the
    definition has no contacts at all: so the summary shows messages by delivery channel,
    not all of them unroutable. Addresses are example.gov.cn / 1380000xxxx."""
    if any(u.contacts for u in setup.units):
        return setup
    prefs = [["sms", "email"], ["email"], ["wecom", "email"], ["dingtalk", "sms"]]
    office = setup.leading_group.office_unit if setup.leading_group else setup.units[0].id
    home = {r.id: office for r in setup.roles if not r.unit_bound}
    if setup.supervision is not None:
        home[setup.supervision.role] = setup.supervision.lead_unit
    track_roles = {t.leader_role for t in setup.tracks if t.leader_role is not None}
    roles = {r.id: r for r in setup.roles}
    leading = setup.leadership.roles if setup.leadership is not None else []
    principals = [r for r in leading if r in roles and roles[r].unit_bound]
    units = []
    for n, unit in enumerate(setup.units):
        contacts = [
            ContactSpec(
                name=f"{unit.name}联络员",
                email=f"unit{n + 1}@example.gov.cn",
                mobile=f"1380000{n + 1:04d}",
                channels=prefs[n % len(prefs)],
            )
        ]
        contacts += [
            ContactSpec(
                name=f"{role.label}联系人",
                role=role.id,
                email=f"{role.id}@example.gov.cn",
                mobile=f"1390000{k + 1:04d}",
                channels=["email", "wecom"],
            )
            for k, role in enumerate(setup.roles)
            if home.get(role.id) == unit.id and role.id not in track_roles
        ]
        # Each track's 组长 (in its lead unit, of its track) and each unit's 一把手 (issue 16).
        contacts += [
            ContactSpec(
                name=f"{track.name}组长",
                role=track.leader_role,
                email=f"leader.{track.id}@example.gov.cn",
                mobile=f"1370000{k + 1:04d}",
                channels=["sms", "email"],
                track=track.id,
            )
            for k, track in enumerate(setup.tracks)
            if track.leader_role is not None and track.units[0] == unit.id
        ]
        contacts += [
            ContactSpec(
                name=f"{unit.name}主要负责同志",
                role=role,
                email=f"head{n + 1}@example.gov.cn",
                mobile=f"1360000{n + 1:04d}",
                channels=["sms", "email"],
            )
            for role in principals
        ]
        rule = setup.supervision
        if rule is not None and home.get(rule.role) == unit.id:  # one contact per team (督查组)
            contacts = [c for c in contacts if c.role != rule.role] + [
                ContactSpec(
                    name=f"第{team}督查组联系人",
                    role=rule.role,
                    email=f"{rule.role}{team}@example.gov.cn",
                    mobile=f"1370000{team:04d}",
                    channels=["email", "wecom"],
                    team=team,
                )
                for team in range(1, rule.teams + 1)
            ]
        units.append(unit.model_copy(update={"contacts": contacts}))
    return setup.model_copy(update={"units": units})
