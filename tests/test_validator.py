"""The validator's checks beyond the schema, one broken copy of a shipped definition each: every
mistake is refused with a located ``file:line: path: message``, and legal-but-suspicious things
are warnings that do not stop the definition."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhenggai.engine import DefinitionError
from zhenggai.workflows import builtin_path, check_definition


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _copy(tmp_path: Path, name: str, replacements: list[tuple[str, str]]) -> tuple[Path, str]:
    text = builtin_path(name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}_copy.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


# (definition, replacements, needle on the expected line, expected path, message fragment)
CASES: dict[str, tuple[str, list[tuple[str, str]], str, str, str]] = {
    "unknown timezone": (
        "hotline_2024",
        [("timezone: Asia/Shanghai", "timezone: Mars/Olympus")],
        "timezone: Mars/Olympus",
        "timezone",
        "未知时区 Mars/Olympus",
    ),
    "duplicate role": (
        "county_2023",
        [
            (
                "  - {id: custodian, label: 举报信息保管人}\n",
                "  - {id: custodian, label: 举报信息保管人}\n  - {id: publicity, label: 宣传}\n",
            )
        ],
        "{id: publicity, label: 宣传}",
        "roles[9].id",
        "角色 publicity 重复定义",
    ),
    "reserved role": (
        "county_2023",
        [
            (
                "  - {id: custodian, label: 举报信息保管人}\n",
                "  - {id: custodian, label: 举报信息保管人}\n  - {id: system, label: 系统}\n",
            )
        ],
        "{id: system, label: 系统}",
        "roles[9].id",
        "角色 system 为引擎保留",
    ),
    "duplicate unit": (
        "county_2023",
        [
            (
                "  - {id: high_tech_zone, name: XX高新区, kind: locality}\n",
                "  - {id: high_tech_zone, name: XX高新区, kind: locality}\n  - {id: court, name: 法院}\n",
            )
        ],
        "{id: court, name: 法院}",
        "units[35].id",
        "单位 court 重复定义",
    ),
    "channel transfers to an unknown unit": (
        "county_2023",
        [("transfer_to: discipline_commission", "transfer_to: discipline_office")],
        "transfer_to: discipline_office",
        "channels[0].transfer_to",
        "未知单位 discipline_office",
    ),
    "duplicate channel": (
        "county_2023",
        [("{id: forum, label: 座谈", "{id: hotline, label: 座谈")],
        "{id: hotline, label: 座谈",
        "channels[2].id",
        "来源渠道 hotline 重复定义",
    ),
    "duplicate severity": (
        "hotline_2024",
        [("{id: urgent, label: 紧急类}", "{id: consult, label: 紧急类}")],
        "{id: consult, label: 紧急类}",
        "severities[2].id",
        "问题程度 consult 重复定义",
    ),
    "unknown track leader role": (
        "county_2023",
        [("leader_role: track_group_leader", "leader_role: track_boss")],
        "leader_role: track_boss",
        "tracks[0].leader_role",
        "未知角色 track_boss",
    ),
    "unit listed twice in a track": (
        "county_2023",
        [
            (
                "units: [discipline_commission, party_committee_office, government_office, all_units]",
                "units: [discipline_commission, party_committee_office, discipline_commission]",
            )
        ],
        "units: [discipline_commission, party_committee_office, discipline_commission]",
        "tracks[0].units[2]",
        "单位 discipline_commission 重复列出",
    ),
    "wildcard as lead unit": (
        "county_2023",
        [
            (
                "units: [discipline_commission, party_committee_office, government_office, all_units]",
                "units: [all_units, discipline_commission]",
            )
        ],
        "units: [all_units, discipline_commission]",
        "tracks[0].units[0]",
        "牵头单位须为具体单位",
    ),
    "phase action on an unknown duty": (
        "county_2023",
        [("{action: escalate_missing, duty: task_force}", "{action: escalate_missing, duty: task_farce}")],
        "duty: task_farce",
        "phases[0].on_end[0].duty",
        "未知职责 task_farce",
    ),
    "phase end escalates a duty not yet due": (
        "county_2023",
        [("    due: 2023-07-31\n", "    due: 2023-08-04\n")],
        "{action: escalate_missing, duty: self_inspection_pack}",
        "phases[1].on_end[0].duty",
        "职责 self_inspection_pack 到 2023-08-04 才到期",
    ),
    "phase end escalates on an item ladder": (
        "county_2023",
        [
            (
                "{action: escalate_missing, duty: task_force}",
                "{action: escalate_missing, duty: task_force, ladder: item_overdue}",
            )
        ],
        "duty: task_force, ladder: item_overdue",
        "phases[0].on_end[0].ladder",
        "督办阶梯 item_overdue 不是职责督办阶梯",
    ),
    "notify action without messages": (
        "county_2023",
        [
            (
                "      - {action: notify, notify: [{message: inspection_hearing, to: business_environment_group}]}",
                "      - {action: notify}",
            )
        ],
        "      - {action: notify}",
        "phases[1].on_end[1].notify",
        "通知动作须指定消息",
    ),
    "date outside the calendar's years": (
        "hotline_2024",
        [("    end: 2024-12-30\n", "    end: 2031-12-29\n")],
        "end: 2031-12-29",
        "duties[0].end",
        "超出工作日历已知的年份",
    ),
    "county day both holiday and workday": (
        "hotline_2024",
        [("{date: 2024-03-23, name: 补3月15日}", "{date: 2024-03-15, name: 补3月15日}")],
        "{date: 2024-03-15, name: 补3月15日}",
        "calendar.extra_workdays[0].date",
        "已在 extra_holidays 中列出",
    ),
    "leading group office in an unknown unit": (
        "county_2023",
        [("office_unit: discipline_commission", "office_unit: discipline")],
        "office_unit: discipline",
        "leading_group.office_unit",
        "未知单位 discipline",
    ),
    "leadership in an unknown phase": (
        "county_2023",
        [("  phase: inspection\n", "  phase: investigation\n")],
        "phase: investigation",
        "leadership.phase",
        "未知阶段 investigation",
    ),
    "ladder on an unknown state": (
        "county_2023",
        [
            (
                "subject: item\n    states: [assigned, rectifying]",
                "subject: item\n    states: [assigned, fixing]",
            )
        ],
        "    states: [assigned, fixing]",
        "ladders[0].states[1]",
        "未知状态 fixing",
    ),
    "ladder on a final state": (
        "county_2023",
        [
            (
                "subject: item\n    states: [assigned, rectifying]",
                "subject: item\n    states: [assigned, closed]",
            )
        ],
        "    states: [assigned, closed]",
        "ladders[0].states[1]",
        "终止状态 closed 无须督办",
    ),
    "ladder steps out of time order": (
        "county_2023",
        [("        offset: -2\n", "        offset: -7\n")],
        "offset: -7",
        "ladders[0].steps[1].offset",
        "顺序错误",
    ),
    "ladder escalation stepping back": (
        "county_2023",
        [("        action: yellow\n", "        action: listed_supervision\n")],
        "        action: red\n",
        "ladders[0].steps[2].action",
        "红灯预警 不能排在挂牌督办之后",
    ),
    "duty ladder with states": (
        "county_2023",
        [("    subject: duty\n", "    subject: duty\n    states: [assigned]\n")],
        "    states: [assigned]\n    steps:\n      - id: chase",
        "ladders[1].states",
        "职责督办阶梯不按问题状态运行",
    ),
    "ladder step tells an unknown recipient": (
        "county_2023",
        [("{message: item_light, to: lead_unit}]", "{message: item_light, to: the_mayor}]")],
        "to: the_mayor",
        "ladders[0].steps[1].notify[1].to",
        "未知接收方 the_mayor",
    ),
    "deadline rule for an unknown track": (
        "county_2023",
        [("{track: legacy_commitments, days: 30", "{track: legacy, days: 30")],
        "{track: legacy, days: 30",
        "deadlines.rules[2].track",
        "未知专项 legacy",
    ),
    "deadline rules with the same scope": (
        "county_2023",
        [("{track: legacy_commitments, days: 30", "{severity: serious, days: 30")],
        "{severity: serious, days: 30",
        "deadlines.rules[2]",
        "与 deadlines.rules[0] 适用范围相同",
    ),
    "deadline rule without scope": (
        "county_2023",
        [("{track: legacy_commitments, days: 30", "{days: 30")],
        "{days: 30",
        "deadlines.rules[2]",
        "须指定专项 (track) 或问题程度 (severity)",
    ),
    "deadlines on a duty ladder": (
        "county_2023",
        [("  ladder: item_overdue\n", "  ladder: duty_missing\n")],
        "  ladder: duty_missing\n",
        "deadlines.ladder",
        "督办阶梯 duty_missing 不是问题督办阶梯",
    ),
    "duty of an unknown unit": (
        "county_2023",
        [("units: [publicity_department]", "units: [propaganda_department]")],
        "units: [propaganda_department]",
        "duties[7].units[0]",
        "未知单位 propaganda_department",
    ),
    "duty to an unknown recipient": (
        "county_2023",
        [("    to: discipline_commission\n", "    to: discipline\n")],
        "    to: discipline\n",
        "duties[5].to",
        "未知角色或单位 discipline",
    ),
    "weekly duty without weekday": (
        "county_2023",
        [("    weekday: 5\n", "")],
        "  - id: department_referral_collection",
        "duties[5].weekday",
        "须指定星期几",
    ),
    "monthly duty with weekday": (
        "county_2023",
        [("    every: month        # 县定: monthly, on the 3rd\n", "    every: month\n    weekday: 2\n")],
        "    weekday: 2\n",
        "duties[7].weekday",
        "按月的职责",
    ),
    "duty both dated and recurring": (
        "county_2023",
        [("    due: 2023-07-31\n", "    due: 2023-07-31\n    every: week\n")],
        "  - id: self_inspection_pack",
        "duties[3]",
        "须二选一",
    ),
    "duty due after the last phase": (
        "county_2023",
        [("    due: 2023-12-15   # 县定\n", "    due: 2024-01-15\n")],
        "due: 2024-01-15",
        "duties[9].due",
        "晚于最后阶段结束",
    ),
    "duty on an unknown ladder": (
        "county_2023",
        [("    ladder: duty_missing\n", "    ladder: duty_ladder\n")],
        "ladder: duty_ladder",
        "duties[0].ladder",
        "未知督办阶梯 duty_ladder",
    ),
    "回头看 in an unknown phase": (
        "county_2023",
        [("  phase: consolidation\n", "  phase: review\n")],
        "  phase: review\n",
        "follow_up.phase",
        "未知阶段 review",
    ),
    "回头看 of open items": (
        "county_2023",
        [("  states: [closed]\n", "  states: [rectifying]\n")],
        "  states: [rectifying]\n",
        "follow_up.states[0]",
        "rectifying 不是终止状态",
    ),
    "回头看 with an unknown trigger": (
        "county_2023",
        [("  trigger: follow_up_review\n", "  trigger: look_back\n")],
        "  trigger: look_back\n",
        "follow_up.trigger",
        "没有触发 look_back",
    ),
    "回头看 by a role that may not reopen": (
        "county_2023",
        [("  role: leading_group_office\n  trigger", "  role: county_leader\n  trigger")],
        "  role: county_leader\n",
        "follow_up.role",
        "角色 county_leader 无权执行触发 follow_up_review",
    ),
    "supervision led from outside its units": (
        "county_2023",
        [("lead_unit: organization_department", "lead_unit: court")],
        "lead_unit: court",
        "supervision.lead_unit",
        "须在抽调单位 (drawn_from) 之中",
    ),
    "supervision with fewer people than teams": (
        "county_2023",
        [("  members: 8\n", "  members: 1\n")],
        "  members: 1\n",
        "supervision.members",
        "1 人不够组成 2 个督查组",
    ),
    "supervision in an unknown phase": (
        "county_2023",
        [("phases: [inspection, rectification, consolidation]", "phases: [inspection, rectify]")],
        "phases: [inspection, rectify]",
        "supervision.phases[1]",
        "未知阶段 rectify",
    ),
    "route to an unknown recipient": (
        "county_2023",
        [("    - {to: publicity, delivery: [email]}", "    - {to: press, delivery: [email]}")],
        "{to: press, delivery: [email]}",
        "notifications.routes[10].to",
        "未知接收方 press",
    ),
    "route given twice": (
        "county_2023",
        [("    - {to: publicity, delivery: [email]}", "    - {to: all_units, delivery: [sms]}")],
        "{to: all_units, delivery: [sms]}",
        "notifications.routes[10].to",
        "发送路由重复定义",
    ),
    "quiet hours of no length": (
        "county_2023",
        [('{start: "21:00", end: "08:00"', '{start: "21:00", end: "21:00"')],
        '{start: "21:00", end: "21:00"',
        "notifications.quiet_hours[0].end",
        "开始与结束相同",
    ),
    "contact on an unknown channel": (
        "county_2023",
        [
            (
                "  - {id: court, name: 县法院, kind: judicial}",
                (
                    "  - {id: court, name: 县法院, kind: judicial,\n"
                    "     contacts: [{name: 刘庭长, email: liu@court.example, channels: [fax]}]}"
                ),
            )
        ],
        "channels: [fax]",
        "units[29].contacts[0].channels[0]",
        "未知发送渠道 fax",
    ),
    "message without a template": (
        "county_2023",
        [("    item_closed:\n", "    item_closed_old:\n")],
        "{message: item_closed, to: responsible_unit}",
        "lifecycle.transitions[5].notify[0].message",
        "消息 item_closed 没有模板",
    ),
    "template that does not compile": (
        "county_2023",
        [('subject: "【已销号】{{ title }}"', 'subject: "【已销号】{{ title "')],
        'subject: "【已销号】{{ title "',
        "notifications.templates.item_closed.subject",
        "模板无法编译",
    ),
    "template with a variable its message lacks": (
        "county_2023",
        [
            (
                'body: "问题「{{ title }}」(编号 {{ item_id }}) 已验收销号。"',
                'body: "问题「{{ title }}」已销号, 举报人 {{ reporter_name }}。"',
            )
        ],
        "举报人 {{ reporter_name }}",
        "notifications.templates.item_closed.body",
        "模板使用了消息 item_closed 没有的变量 reporter_name",
    ),
    "reason used where the trigger does not require one": (
        "county_2023",
        [
            (
                'body: "问题「{{ title }}」(编号 {{ item_id }}) 已验收销号。"',
                'body: "问题「{{ title }}」已销号: {{ reason }}"',
            )
        ],
        "已销号: {{ reason }}",
        "notifications.templates.item_closed.body",
        "没有的变量 reason",
    ),
    # The plan's outcomes (outcomes:): vocabularies and 五个一批 targets.
    "duplicate accountability outcome": (
        "county_2023",
        [("{id: criticism, label: 批评教育}", "{id: talk_reminder, label: 批评教育}")],
        "{id: talk_reminder, label: 批评教育}",
        "outcomes.accountability[1].id",
        "问责处理方式 talk_reminder 重复定义",
    ),
    "duplicate mechanism kind": (
        "hotline_2024",
        [("{id: handling_rule, label: 办理规范}", "{id: service_standard, label: 办理规范}")],
        "{id: service_standard, label: 办理规范}",
        "outcomes.mechanism_kinds[1].id",
        "长效机制类别 service_standard 重复定义",
    ),
    "negative target": (
        "county_2023",
        [("cases_published: 10 ", "cases_published: -1 ")],
        "cases_published: -1",
        "outcomes.targets.cases_published",
        "通报曝光典型案例目标不能为负数 (-1)",
    ),
    "negative track target": (
        "hotline_2024",
        [("utilities: {problems_solved: 300}", "utilities: {problems_solved: -300}")],
        "utilities: {problems_solved: -300}",
        "outcomes.targets.by_track.utilities.problems_solved",
        "解决难点堵点目标不能为负数",
    ),
    "target for an unknown track": (
        "county_2023",
        [("      construction: {problems_found: 50", "      building: {problems_found: 50")],
        "building: {problems_found: 50",
        "outcomes.targets.by_track.building",
        "未知专项 building",
    ),
    "unknown role reads named people": (
        "county_2023",
        [("read_named_people: [leading_group_office]", "read_named_people: [discipline_inspector]")],
        "read_named_people: [discipline_inspector]",
        "lifecycle.operations.read_named_people[0]",
        "未知角色 discipline_inspector",
    ),
    "unknown outcome operation": (
        "hotline_2024",
        [("select_practice: [hotline_center]", "choose_practice: [hotline_center]")],
        "choose_practice: [hotline_center]",
        "lifecycle.operations.choose_practice",
        "未知操作 choose_practice",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_mistake_is_refused_at_its_line(tmp_path: Path, case: str) -> None:
    """The broken copy is refused, and one of its problems is this mistake at its own line."""
    name, replacements, needle, where, fragment = CASES[case]
    path, text = _copy(tmp_path, name, replacements)
    with pytest.raises(DefinitionError) as err:
        check_definition(path)
    prefix = f"{path}:{_line_of(text, needle)}: {where}: "
    matching = [p for p in err.value.problems if p.startswith(prefix)]
    assert matching, f"no problem starts with {prefix!r}:\n" + "\n".join(err.value.problems)
    assert any(fragment in p for p in matching), matching
    lines = [int(p.split(":")[1]) for p in err.value.problems]
    assert lines == sorted(lines), "problems are in file order"


def test_shipped_definitions_have_no_errors() -> None:
    """Both shipped definitions pass every check."""
    for name in ("county_2023", "hotline_2024"):
        assert check_definition(name).setup.definition_id == name


def _warnings(tmp_path: Path, replacements: list[tuple[str, str]]) -> tuple[tuple[str, ...], Path, str]:
    path, text = _copy(tmp_path, "county_2023", replacements)
    return check_definition(path).warnings, path, text


def test_builtin_warns_only_about_missing_contacts_and_moved_dates() -> None:
    """The built-in plan names no contact person (a county fills them in): one warning, not 36;
    the others are the nine dates it puts on a day off, each moved to the next working day."""
    warnings = check_definition("county_2023").warnings
    assert len(warnings) == 10
    assert (
        sum(": units: 县纪委县监委、县委办、县委组织部 等 37 个单位 未填联系人" in w for w in warnings) == 1
    )
    assert sum("是休息日" in w and "顺延至" in w for w in warnings) == 9


@pytest.mark.parametrize(
    ("replacements", "needle", "where", "fragment"),
    [
        (
            [
                (
                    "  - {id: custodian, label: 举报信息保管人}\n",
                    "  - {id: custodian, label: 举报信息保管人}\n  - {id: auditor, label: 审计组}\n",
                )
            ],
            "{id: auditor, label: 审计组}",
            "roles[9].id",
            "角色 auditor 未被任何触发、操作、职责或通知使用",
        ),
        (
            [("  ladder: item_overdue\n", "")],
            "  - id: item_overdue",
            "ladders[0].id",
            "督办阶梯 item_overdue 未被使用",
        ),
        (
            [
                ("        offset: -2\n", "        offset: 2\n"),
                ("        offset: 1\n        action: red", "        offset: 3\n        action: red"),
                ("        offset: -5\n", "        offset: 1\n"),
            ],
            "        offset: 1\n",
            "ladders[0].steps[0].offset",
            "到期提醒排在到期之后 (1 天)",
        ),
        (
            [
                (
                    "    item_submitted:\n",
                    "    item_spare:\n      subject: 备用\n      body: 备用\n    item_submitted:\n",
                )
            ],
            "    item_spare:",
            "notifications.templates.item_spare",
            "消息模板 item_spare 未被使用",
        ),
        (
            [("      sms_template: SMS_ZG_0004\n", "")],
            "    item_closed:",
            "notifications.templates.item_closed",
            "未填短信模板编号",
        ),
        (
            [("  extra_holidays: []", "  extra_holidays: [{date: 2023-10-02, name: 国庆}]")],
            "{date: 2023-10-02, name: 国庆}",
            "calendar.extra_holidays[0].date",
            "2023-10-02 本来就是休息日",
        ),
        (
            [("  extra_workdays: []", "  extra_workdays: [{date: 2023-06-25, name: 补班}]")],
            "{date: 2023-06-25, name: 补班}",
            "calendar.extra_workdays[0].date",
            "2023-06-25 本来就是工作日",
        ),
        (
            [
                (
                    "  - {id: court, name: 县法院, kind: judicial}",
                    "  - {id: court, name: 县法院, kind: judicial, contacts: [{name: 刘庭长}]}",
                )
            ],
            "contacts: [{name: 刘庭长}]",
            "units[29].contacts[0]",
            "联系人 刘庭长 没有邮箱也没有手机号",
        ),
        (
            [
                (
                    "notify: [{message: item_closed, to: responsible_unit}]",
                    "notify: [{message: item_closed, to: responsible_unit},\n               {message: item_closed, to: responsible_unit}]",
                )
            ],
            "               {message: item_closed, to: responsible_unit}]",
            "lifecycle.transitions[5].notify[1]",
            "消息 item_closed 重复发给 responsible_unit",
        ),
    ],
    ids=[
        "unused role",
        "unused ladder",
        "reminder after due",
        "unused template",
        "no sms template",
        "holiday already off",
        "workday already on",
        "contact unreachable",
        "duplicate notify",
    ],
)
def test_suspicious_but_legal_is_a_located_warning(
    tmp_path: Path, replacements: list[tuple[str, str]], needle: str, where: str, fragment: str
) -> None:
    """A warning is located like an error, and the definition still loads."""
    warnings, path, text = _warnings(tmp_path, replacements)
    prefix = f"{path}:{_line_of(text, needle)}: {where}: "
    matching = [w for w in warnings if w.startswith(prefix)]
    assert matching, f"no warning starts with {prefix!r}:\n" + "\n".join(warnings)
    assert any(fragment in w for w in matching), matching
