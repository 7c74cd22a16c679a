"""The roster (通讯录) of a running campaign, in the engine: contacts added, changed, removed and
imported all or nothing; only active contacts receive messages; dead letters nobody could
receive are routed again once the roster has someone; a new definition version adds its new
contacts; audit events hold no personal data. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from zhenggai.engine import (
    Actor,
    CampaignView,
    ContactNotFound,
    ContactSpec,
    Engine,
    ImportRejected,
    InvalidInputError,
    NewContact,
    PermissionDeniedError,
    UnitNotFound,
    VirtualClock,
)
from zhenggai.workflows import load_setup

from .conftest import Actors, today_plus

UNIT = "housing_construction_bureau"
OFFICE_ROLE = "leading_group_office"


def _assign(engine: Engine, unit: str = UNIT) -> int:
    item = engine.report(
        "test",
        Actors.office,
        title="施工许可审批超时",
        description="审批超过法定时限",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, Actors.office, unit=unit, due=today_plus(30))
    return item


def _messages(engine: Engine, item: int) -> list[tuple[str, str, str]]:
    """(status, channel, recipient) of the item's outbox rows, by id."""
    return [(m.status, m.channel, m.recipient) for m in engine.outbox("test") if m.item_id == item]


def test_add_list_update_remove(engine: Engine, campaign: CampaignView) -> None:
    """A contact is added (its mobile normalised), listed, changed (None clears a field) and
    removed softly: gone from the roster, still there with ``include_removed``."""
    added = engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit=UNIT, name="张三", mobile="+86 138-0013-8000", channels=("sms",)),
    )
    assert (added.unit, added.unit_name, added.role, added.mobile) == (
        UNIT,
        "县住建局",
        "contact",
        "13800138000",
    )
    office = engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit="discipline_commission", name="王五", role=OFFICE_ROLE, email="ww@example.gov.cn"),
    )
    assert [c.id for c in engine.contacts("test")] == [added.id, office.id]
    assert [c.id for c in engine.contacts("test", unit=UNIT)] == [added.id]
    assert [c.id for c in engine.contacts("test", role=OFFICE_ROLE)] == [office.id]

    changed = engine.update_contact(
        added.id,
        Actors.office,
        email="zs@example.gov.cn",
        channels=("email", "sms"),
        active_to=dt.date(2023, 12, 31),
    )
    assert (changed.email, changed.channels, changed.active_to) == (
        "zs@example.gov.cn",
        ("email", "sms"),
        dt.date(2023, 12, 31),
    )
    cleared = engine.update_contact(added.id, Actors.office, active_to=None)
    assert cleared.active_to is None and engine.contact(added.id).active_to is None

    removed = engine.remove_contact(added.id, Actors.office)
    assert removed.removed_at is not None
    assert [c.id for c in engine.contacts("test")] == [office.id]
    assert [c.id for c in engine.contacts("test", include_removed=True)] == [added.id, office.id]
    with pytest.raises(InvalidInputError, match="已移除"):
        engine.update_contact(added.id, Actors.office, name="张三丰")
    with pytest.raises(ContactNotFound, match="联系人不存在: 999"):
        engine.remove_contact(999, Actors.office)
    with pytest.raises(UnitNotFound):
        engine.contacts("test", unit="nowhere")


@pytest.mark.parametrize(
    ("contact", "field", "reason"),
    [
        (NewContact(unit="nowhere", name="甲", mobile="13800138000"), "unit", "没有单位"),
        (NewContact(unit=UNIT, name="甲", role="mayor", mobile="13800138000"), "role", "没有角色"),
        (NewContact(unit=UNIT, name="甲"), "mobile", "至少须有一种联系方式"),
        (NewContact(unit=UNIT, name="甲", mobile="1380013800"), "mobile", "不是有效的手机号码"),
        (NewContact(unit=UNIT, name="甲", mobile="23800138000"), "mobile", "不是有效的手机号码"),
        (NewContact(unit=UNIT, name="甲", email="jia.example.gov.cn"), "email", "不是有效的电子邮箱"),
        (
            NewContact(unit=UNIT, name="甲", mobile="13800138000", channels=("fax",)),
            "channels",
            "未知接收渠道",
        ),
        (NewContact(unit=UNIT, name="甲", mobile="13800138000", channels=("email",)), "channels", "需要邮箱"),
        (
            NewContact(
                unit=UNIT,
                name="甲",
                mobile="13800138000",
                active_from=dt.date(2023, 9, 1),
                active_to=dt.date(2023, 8, 1),
            ),
            "active_to",
            "早于生效日期",
        ),
        (NewContact(unit=UNIT, name=" ", mobile="13800138000"), "name", "不能为空"),
        (NewContact(unit=UNIT, name="甲", wecom_id="张 三"), "wecom_id", "账号只能含"),
    ],
)
def test_bad_contacts_are_refused_in_chinese(
    engine: Engine, campaign: CampaignView, contact: NewContact, field: str, reason: str
) -> None:
    """Each wrong value is refused with its field and a Chinese reason; nothing is written."""
    before = len(engine.events(campaign="test"))
    with pytest.raises(InvalidInputError) as caught:
        engine.add_contact("test", Actors.office, contact)
    assert caught.value.field == field and reason in caught.value.reason
    assert engine.contacts("test", include_removed=True) == []
    assert len(engine.events(campaign="test")) == before


def test_an_exact_duplicate_is_refused_but_a_removed_one_may_return(
    engine: Engine, campaign: CampaignView
) -> None:
    first = engine.add_contact(
        "test", Actors.office, NewContact(unit=UNIT, name="张三", mobile="13800138000")
    )
    with pytest.raises(InvalidInputError, match=f"已有该联系人 \\(编号 {first.id}\\)"):
        engine.add_contact(
            "test", Actors.office, NewContact(unit=UNIT, name="张三", email="zs@example.gov.cn")
        )
    engine.add_contact(
        "test", Actors.office, NewContact(unit=UNIT, name="张三", role=OFFICE_ROLE, mobile="13800138000")
    )  # another role: another entry
    engine.remove_contact(first.id, Actors.office)
    again = engine.add_contact(
        "test", Actors.office, NewContact(unit=UNIT, name="张三", mobile="13900139000")
    )
    assert again.id != first.id


def test_who_may_change_the_roster(engine: Engine, campaign: CampaignView) -> None:
    """The definition's manage_contacts roles (the office); a unit is refused."""
    bureau = Actors.unit()
    with pytest.raises(PermissionDeniedError, match="维护通讯录"):
        engine.add_contact("test", bureau, NewContact(unit=UNIT, name="张三", mobile="13800138000"))
    added = engine.add_contact(
        "test", Actors.office, NewContact(unit=UNIT, name="张三", mobile="13800138000")
    )
    with pytest.raises(PermissionDeniedError):
        engine.remove_contact(added.id, bureau)


def test_without_manage_contacts_the_recompute_roles_may(engine: Engine) -> None:
    """A definition without ``manage_contacts`` lets the roles of ``recompute_deadlines`` do it;
    a unit-bound role listed there only for its own unit."""
    base = load_setup("county_2023")
    operations = {k: v for k, v in base.lifecycle.operations.items() if k != "manage_contacts"}
    operations["recompute_deadlines"] = [OFFICE_ROLE, "responsible"]
    setup = base.model_copy(
        update={"lifecycle": base.lifecycle.model_copy(update={"operations": operations})}
    )
    engine.start_campaign(setup, key="old")
    assert engine.add_contact("old", Actors.office, NewContact(unit=UNIT, name="甲", mobile="13800138000")).id
    assert engine.add_contact("old", Actors.unit(), NewContact(unit=UNIT, name="乙", mobile="13800138001")).id
    with pytest.raises(PermissionDeniedError, match="只能维护本单位的联系人"):
        engine.add_contact(
            "old", Actors.unit(), NewContact(unit="finance_bureau", name="丙", mobile="13800138002")
        )
    with pytest.raises(PermissionDeniedError):
        engine.add_contact("old", Actors.track_leader, NewContact(unit=UNIT, name="丁", mobile="13800138003"))


def test_only_active_contacts_receive_messages(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Removed contacts, contacts not yet active and those no longer active get nothing; the
    days are the campaign's (Shanghai) days."""

    def add(name: str, **extra: object) -> int:
        return engine.add_contact("test", Actors.office, NewContact(unit=UNIT, name=name, **extra)).id  # type: ignore[arg-type]

    active = add("在岗", email="a@example.gov.cn")
    add("未到任", email="b@example.gov.cn", active_from=today_plus(1))
    add("已离任", email="c@example.gov.cn", active_to=today_plus(-1))
    last_day = add("今天最后一天", email="d@example.gov.cn", active_to=today_plus(0))
    engine.remove_contact(add("已移除", email="e@example.gov.cn"), Actors.office)
    item = _assign(engine)
    rows = [m for m in engine.outbox("test") if m.item_id == item]
    assert sorted(m.recipient for m in rows) == ["a@example.gov.cn", "d@example.gov.cn"]
    assert {m.status for m in rows} == {"pending"}
    assert {m.idempotency_key.rsplit(":", 1)[1] for m in rows} == {str(active), str(last_day)}

    # 2023-07-03 23:30 in Shanghai is 15:30 UTC: still the contacts' last day there.
    clock.set(dt.datetime(2023, 7, 3, 15, 30, tzinfo=dt.UTC))
    second = _assign(engine)
    assert len([m for m in engine.outbox("test") if m.item_id == second]) == 2
    clock.set(dt.datetime(2023, 7, 3, 16, 30, tzinfo=dt.UTC))  # 00:30 on the 4th in Shanghai
    third = _assign(engine)
    recipients = sorted(m.recipient for m in engine.outbox("test") if m.item_id == third)
    assert recipients == ["a@example.gov.cn", "b@example.gov.cn"]


def test_nobody_active_means_a_dead_letter(engine: Engine, campaign: CampaignView) -> None:
    engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit=UNIT, name="未到任", email="b@example.gov.cn", active_from=today_plus(10)),
    )
    item = _assign(engine)
    assert _messages(engine, item) == [("dead", "unrouted", f"unit:{UNIT}")]


def test_import_refuses_every_bad_entry_and_stores_nothing(engine: Engine, campaign: CampaignView) -> None:
    existing = engine.add_contact(
        "test", Actors.office, NewContact(unit=UNIT, name="张三", mobile="13800138000")
    )
    entries = [
        NewContact(unit=UNIT, name="李四", mobile="13900139000"),  # fine
        NewContact(unit="nowhere", name="王五", mobile="13700137000"),
        NewContact(unit=UNIT, name="赵六", mobile="123", email="not-mail"),
        NewContact(unit=UNIT, name="张三", email="zs@example.gov.cn"),  # already in the roster
        NewContact(unit=UNIT, name="李四", email="ls@example.gov.cn"),  # the first entry again
        NewContact(unit=UNIT, name="钱七"),
    ]
    before = (engine.contacts("test", include_removed=True), len(engine.events(campaign="test")))
    assert [(p.index, p.field) for p in engine.check_contacts("test", entries)] == [
        (1, "unit"),
        (2, "mobile"),
        (2, "email"),
        (3, "name"),
        (4, "name"),
        (5, "mobile"),
    ]
    with pytest.raises(ImportRejected, match="未导入任何联系人") as caught:
        engine.import_contacts("test", Actors.office, entries)
    problems = {(p.index, p.field): p.message for p in caught.value.problems}
    assert problems[(3, "name")] == f"通讯录中已有该联系人 (编号 {existing.id})"
    assert problems[(4, "name")] == "与第 1 条重复"
    assert (engine.contacts("test", include_removed=True), len(engine.events(campaign="test"))) == before


def test_import_is_one_transaction_and_one_event(engine: Engine, campaign: CampaignView) -> None:
    entries = [NewContact(unit=UNIT, name=f"联络员{i}", mobile=f"1380013800{i}") for i in range(5)]
    entries.append(
        NewContact(unit="discipline_commission", name="王主任", role=OFFICE_ROLE, email="w@example.gov.cn")
    )
    done = engine.import_contacts("test", Actors.office, entries)
    assert [c.name for c in done] == [e.name for e in entries]
    (event,) = [e for e in engine.events(campaign="test") if e.trigger == "contacts_imported"]
    assert event.data == {
        "contacts": [c.id for c in done],
        "units": sorted({UNIT, "discipline_commission"}),
        "roles": sorted({"contact", OFFICE_ROLE}),
    }
    with pytest.raises(PermissionDeniedError):
        engine.import_contacts(
            "test", Actors.unit(), [NewContact(unit=UNIT, name="甲", mobile="13800138009")]
        )


def test_audit_events_hold_no_personal_data(engine: Engine, campaign: CampaignView) -> None:
    """Ids, the unit, the role and the NAMES of fields changed; never a name, number, mailbox
    or account, whatever the change."""
    personal = [
        "欧阳秘书",
        "13512345678",
        "ouyang@example.gov.cn",
        "ouyang_wecom",
        "ouyangding",
        "司马主任",
        "15987654321",
        "sima@example.gov.cn",
        "诸葛新名",
        "18611112222",
        "zhuge@example.gov.cn",
    ]
    added = engine.add_contact(
        "test",
        Actors.office,
        NewContact(
            unit=UNIT,
            name="欧阳秘书",
            mobile="13512345678",
            email="ouyang@example.gov.cn",
            wecom_id="ouyang_wecom",
            dingtalk_id="ouyangding",
            channels=("wecom", "email"),
        ),
    )
    engine.import_contacts(
        "test",
        Actors.office,
        [
            NewContact(
                unit="discipline_commission",
                name="司马主任",
                role=OFFICE_ROLE,
                mobile="15987654321",
                email="sima@example.gov.cn",
            )
        ],
    )
    engine.update_contact(
        added.id, Actors.office, name="诸葛新名", mobile="18611112222", email="zhuge@example.gov.cn"
    )
    engine.remove_contact(added.id, Actors.office)
    events = [e for e in engine.events(campaign="test") if e.trigger.startswith("contact")]
    assert [e.trigger for e in events] == [
        "contact_added",
        "contacts_imported",
        "contact_updated",
        "contact_removed",
    ]
    text = json.dumps([e.data for e in events], ensure_ascii=False)
    assert [value for value in personal if value in text] == []
    updated = events[2].data
    assert updated == {
        "contact": added.id,
        "unit": UNIT,
        "role": "contact",
        "changed": ["name", "mobile", "email"],
    }
    assert engine.verify_audit("test").ok


def test_dead_letter_routed_again_once_someone_is_added(engine: Engine, campaign: CampaignView) -> None:
    """An unrouted dead letter stays dead while nobody can receive it; after contacts are added
    it becomes the first contact's message and the others get theirs; re-queueing again does
    nothing more."""
    item = _assign(engine)
    (dead,) = [m for m in engine.outbox("test") if m.item_id == item]
    assert (dead.status, dead.channel, dead.recipient) == ("dead", "unrouted", f"unit:{UNIT}")
    assert engine.outbox_retry([dead.id]) == []
    assert engine.outbox_message(dead.id).status == "dead"

    first = engine.add_contact(
        "test", Actors.office, NewContact(unit=UNIT, name="张三", mobile="13800138000")
    )
    second = engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit=UNIT, name="李四", email="ls@example.gov.cn", channels=("email",)),
    )
    engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit=UNIT, name="王五", email="ww@example.gov.cn", active_from=today_plus(5)),
    )  # not yet: nothing
    assert engine.outbox_retry(campaign="test") == [dead.id]
    rows = [m for m in engine.outbox("test") if m.item_id == item]
    # The plan routes a responsible unit by SMS first, then email; 李四 prefers email.
    assert [(m.id, m.status, m.channel, m.recipient) for m in rows] == [
        (dead.id, "pending", "sms", "13800138000"),
        (rows[1].id, "pending", "email", "ls@example.gov.cn"),
    ]
    key_base = dead.idempotency_key.removesuffix(f":unit:{UNIT}")
    assert [m.idempotency_key for m in rows] == [
        f"{key_base}:contact:{first.id}",
        f"{key_base}:contact:{second.id}",
    ]
    assert rows[0].attempts == 0 and rows[0].payload == dead.payload == rows[1].payload
    assert engine.outbox_retry(campaign="test") == []
    assert len([m for m in engine.outbox("test") if m.item_id == item]) == 2


def test_a_role_dead_letter_is_routed_to_the_role(engine: Engine, campaign: CampaignView) -> None:
    """A dead letter for a role (here the office, told of a submitted item) goes to contacts of
    that role, in any unit."""
    item = _assign(engine)
    engine.add_contact("test", Actors.office, NewContact(unit=UNIT, name="联络员", mobile="13800138000"))
    bureau = Actors.unit()
    measure = engine.add_measure(item, bureau, text="七个工作日内办结审批")
    engine.start_rectification(item, bureau)
    engine.complete_measure(measure.id, bureau)
    engine.submit_for_verification(item, bureau)
    dead = [m for m in engine.outbox("test") if m.item_id == item and m.recipient.startswith("role:")]
    assert [(m.status, m.channel, m.recipient) for m in dead] == [("dead", "unrouted", f"role:{OFFICE_ROLE}")]
    office = engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit="discipline_commission", name="王主任", role=OFFICE_ROLE, email="w@example.gov.cn"),
    )
    assert engine.outbox_retry([dead[0].id]) == [dead[0].id]
    routed = engine.outbox_message(dead[0].id)
    assert (routed.status, routed.channel, routed.recipient) == ("pending", "email", "w@example.gov.cn")
    assert routed.idempotency_key.endswith(f":contact:{office.id}")


def test_migrate_adds_the_new_versions_contacts_only(engine: Engine, campaign: CampaignView) -> None:
    """The definition's contacts seed the roster: a new version's contacts not yet there are
    added (counted in the event); those already there, or removed by the county, are not."""
    kept = engine.add_contact("test", Actors.office, NewContact(unit=UNIT, name="张三", mobile="13800138000"))
    gone = engine.add_contact("test", Actors.office, NewContact(unit=UNIT, name="李四", mobile="13900139000"))
    engine.remove_contact(gone.id, Actors.office)
    base = load_setup("county_2023")
    new = [
        ContactSpec(name="张三", mobile="13800138000"),
        ContactSpec(name="李四", mobile="13900139000"),
        ContactSpec(name="王五", email="ww@example.gov.cn"),
        ContactSpec(name="赵六", role=OFFICE_ROLE, email="zl@example.gov.cn"),
    ]
    units = [u.model_copy(update={"contacts": new}) if u.id == UNIT else u for u in base.units]
    engine.migrate_campaign(
        "test", base.model_copy(update={"definition_version": "2023.2", "units": units}), Actors.office
    )
    roster = engine.contacts("test", include_removed=True)
    assert [(c.name, c.role, c.removed_at is None) for c in roster] == [
        ("张三", "contact", True),
        ("李四", "contact", False),
        ("王五", "contact", True),
        ("赵六", OFFICE_ROLE, True),
    ]
    assert roster[0].id == kept.id
    (event,) = [e for e in engine.events(campaign="test") if e.trigger == "migrate_campaign"]
    assert event.data["contacts_added"] == 2


def test_unreachable_units_and_roles(engine: Engine, campaign: CampaignView) -> None:
    """Every unit, and each role the definition sends messages to, until someone active with an
    address is in the roster."""
    first = engine.unreachable("test")
    assert len(first.units) == len(engine.units("test")) and (UNIT, "县住建局") in first.units
    assert [key for key, _ in first.roles] == [
        OFFICE_ROLE,
        "business_environment_group",
        "track_group_leader",
        "county_leader",
        "publicity",
        "unit_principal",  # 一把手: their unit's 挂牌督办 and 问责 notices (issue 16)
        "custodian",  # 回访: the reporter's custodian calls the reporter back (issue 17)
    ]
    engine.add_contact("test", Actors.office, NewContact(unit=UNIT, name="张三", mobile="13800138000"))
    engine.add_contact(
        "test",
        Actors.office,
        NewContact(
            unit="discipline_commission",
            name="王主任",
            role=OFFICE_ROLE,
            email="w@example.gov.cn",
            active_from=today_plus(3),
        ),
    )
    later = engine.unreachable("test")
    assert (UNIT, "县住建局") not in later.units and len(later.units) == len(first.units) - 1
    assert OFFICE_ROLE in [key for key, _ in later.roles]  # not active yet
    engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit="discipline_commission", name="李秘书", role=OFFICE_ROLE, email="l@example.gov.cn"),
    )
    now = engine.unreachable("test")
    assert OFFICE_ROLE not in [key for key, _ in now.roles]
    assert ("discipline_commission", "县纪委县监委") not in now.units


def test_robots_mention_a_contact_by_its_account(engine: Engine, campaign: CampaignView) -> None:
    """A WeCom preference with a WeCom id routes to the id (the robot @-mentions it); without
    one, to the mobile."""
    engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit=UNIT, name="甲", mobile="13800138000", wecom_id="zhangsan", channels=("wecom",)),
    )
    engine.add_contact(
        "test", Actors.office, NewContact(unit=UNIT, name="乙", mobile="13900139000", channels=("dingtalk",))
    )
    item = _assign(engine)
    assert _messages(engine, item) == [
        ("pending", "wecom", "zhangsan"),
        ("pending", "dingtalk", "13900139000"),
    ]


def test_the_actor_must_be_known(engine: Engine, campaign: CampaignView) -> None:
    with pytest.raises(PermissionDeniedError, match="本专项行动没有该角色"):
        engine.add_contact(
            "test", Actor("某人", "mayor"), NewContact(unit=UNIT, name="甲", mobile="13800138000")
        )


def test_robot_bodies_mention_an_account_or_a_mobile() -> None:
    """WeCom: ``mentioned_list`` (``<@id>`` in markdown) for an account, ``mentioned_mobile_list``
    for a mobile; DingTalk: ``atUserIds`` or ``atMobiles``, with the @ in the text."""
    from zhenggai.engine import OutgoingMessage
    from zhenggai.notifications.robots import DingTalkRobot, WeComRobot
    from zhenggai.notifications.web import HostPolicy

    def message(recipient: str) -> OutgoingMessage:
        return OutgoingMessage(
            outbox_id=1,
            idempotency_key="k1",
            channel="wecom",
            recipient=recipient,
            kind="item_assigned",
            subject="【交办】审批超时",
            body="县住建局: 请办理。",
            attempt=1,
        )

    wecom = WeComRobot(key="k", policy=HostPolicy())
    assert wecom.body(message("zhangsan"))["text"] == {
        "content": "【交办】审批超时\n县住建局: 请办理。",
        "mentioned_list": ["zhangsan"],
    }
    assert wecom.body(message("13800138000"))["text"]["mentioned_mobile_list"] == ["13800138000"]
    assert "mentioned_list" not in wecom.body(message("13800138000"))["text"]
    markdown = WeComRobot(key="k", policy=HostPolicy(), markdown=True)
    assert markdown.body(message("zhangsan"))["markdown"]["content"].endswith("\n<@zhangsan>")
    ding = DingTalkRobot(access_token="t", policy=HostPolicy())
    by_id = ding.body(message("manager4711"))
    assert by_id["at"] == {"atMobiles": [], "atUserIds": ["manager4711"], "isAtAll": False}
    assert by_id["text"]["content"].endswith("\n@manager4711")
    assert ding.body(message("13800138000"))["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}
