"""Quiet hours per channel kind: by default SMS and the WeCom / DingTalk robots (what rings a
phone) wait from 21:00 to 08:00, email goes out unless the definition names it; with
``working_days_only`` what waits goes out at 08:00 of the next working day. Real dispatch runs
over a sweep's messages (00:05) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from zhenggai.engine import Actor, CampaignSetup, ContactSpec, Engine, VirtualClock
from zhenggai.notifications.dispatcher import Dispatcher
from zhenggai.testing import RecordingChannel, items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import QUIET_BY_DEFAULT, NotificationsSpec, QuietHours

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
UNIT = "housing_construction_bureau"
KINDS = ("email", "wecom", "dingtalk")


def at(day: str, hh: int = 0, mm: int = 5) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def setup_with(quiet: list[QuietHours] | None = None) -> CampaignSetup:
    """The plan (items only), the bureau reached by email, WeCom and DingTalk; ``quiet``
    replacing the plan's quiet hours."""
    plan = items_only(load_setup("county_2023"))
    contacts = [
        ContactSpec(
            name=f"住建局{kind}联络员", email="zjj@example.gov.cn", mobile="13800000000", channels=[kind]
        )
        for kind in KINDS
    ]
    units = [u.model_copy(update={"contacts": contacts}) if u.id == UNIT else u for u in plan.units]
    notifications = plan.notifications
    if quiet is not None:
        notifications = NotificationsSpec(
            routes=notifications.routes, quiet_hours=quiet, templates=notifications.templates
        )
    return plan.model_copy(update={"units": units, "notifications": notifications})


def assigned(engine: Engine, due: str) -> None:
    item = engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超时",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due=due)


def reminded_at_night(engine: Engine, clock: VirtualClock, setup: CampaignSetup) -> Dispatcher:
    """An item due Monday 7-31: its reminder (5 working days before) is queued by the sweep at
    00:05 on Monday 7-24, one message per contact of the bureau (one by email, one by WeCom, one by DingTalk)."""
    clock.set(at("2023-07-03", 9, 0))
    engine.start_campaign(setup, key="test")
    assigned(engine, "2023-07-31")
    dispatcher = Dispatcher(engine, [RecordingChannel(k) for k in KINDS])
    assert dispatcher.dispatch().sent == 3  # the 交办 messages, in the daytime
    clock.set(at("2023-07-24"))
    engine.sweep()
    due_soon = [m for m in engine.outbox("test") if m.kind == "item_due_soon"]
    assert sorted(m.channel for m in due_soon) == sorted(KINDS)
    assert all(m.created_at == at("2023-07-24") for m in due_soon)
    return dispatcher


def waiting(engine: Engine) -> dict[str, dt.datetime]:
    return {
        m.channel: m.next_try_at for m in engine.outbox("test", status="pending") if m.kind == "item_due_soon"
    }


def test_robots_and_sms_are_quiet_by_default_and_email_is_not() -> None:
    assert QuietHours(start=dt.time(21), end=dt.time(8)).delivery == list(QUIET_BY_DEFAULT)
    assert set(QUIET_BY_DEFAULT) == {"sms", "wecom", "dingtalk"}
    (plan,) = load_setup("county_2023").notifications.quiet_hours
    assert (plan.start, plan.end, plan.delivery) == (dt.time(21), dt.time(8), ["sms", "wecom", "dingtalk"])


def test_a_night_sweeps_robot_messages_wait_until_eight_and_its_email_goes(
    engine: Engine, clock: VirtualClock
) -> None:
    dispatcher = reminded_at_night(engine, clock, load_setup_with_contacts())
    report = dispatcher.dispatch()
    assert (report.sent, report.deferred) == (1, 2)
    sent = [m for m in engine.outbox("test", status="sent") if m.kind == "item_due_soon"]
    assert [m.channel for m in sent] == ["email"]
    assert waiting(engine) == {"wecom": at("2023-07-24", 8, 0), "dingtalk": at("2023-07-24", 8, 0)}
    clock.set(at("2023-07-24", 7, 59))
    assert dispatcher.dispatch().sent == 0
    clock.set(at("2023-07-24", 8, 0))
    assert dispatcher.dispatch().sent == 2
    assert waiting(engine) == {}


def load_setup_with_contacts() -> CampaignSetup:
    return setup_with(None)


def test_email_waits_too_where_the_definition_names_it(engine: Engine, clock: VirtualClock) -> None:
    quiet = [QuietHours(start=dt.time(21), end=dt.time(8), delivery=["email", "sms", "wecom", "dingtalk"])]
    dispatcher = reminded_at_night(engine, clock, setup_with(quiet))
    assert dispatcher.dispatch().deferred == 3
    assert waiting(engine) == dict.fromkeys(KINDS, at("2023-07-24", 8, 0))


def test_working_days_only_releases_at_eight_on_the_next_working_day(
    engine: Engine, clock: VirtualClock
) -> None:
    """Assigned Friday 7-28 at 22:00: the 交办 message waits over the weekend until Monday 7-31
    08:00 (a Saturday morning is quiet all day); without ``working_days_only``, until Saturday
    08:00."""
    quiet = [QuietHours(start=dt.time(21), end=dt.time(8), delivery=["email"], working_days_only=True)]
    clock.set(at("2023-07-28", 22, 0))
    engine.start_campaign(setup_with(quiet), key="test")
    assigned(engine, "2023-08-31")
    email = RecordingChannel("email")
    dispatcher = Dispatcher(engine, [email, RecordingChannel("wecom"), RecordingChannel("dingtalk")])
    dispatcher.dispatch()
    (row,) = [m for m in engine.outbox("test") if m.kind == "item_assigned" and m.channel == "email"]
    assert row.status == "pending" and row.next_try_at == at("2023-07-31", 8, 0)
    clock.set(at("2023-07-29", 10, 0))  # Saturday daytime: still quiet
    dispatcher.dispatch()
    assert email.messages == []
    clock.set(at("2023-07-31", 8, 0))
    dispatcher.dispatch()
    assert len(email.messages) == 1


@pytest.mark.parametrize("working_days_only", [False, True])
def test_the_window_end_on_a_weekend(working_days_only: bool) -> None:
    from zhenggai.notifications.dispatcher import _quiet_until

    setup = setup_with([QuietHours(start=dt.time(21), end=dt.time(8), working_days_only=working_days_only)])
    friday_night = at("2023-07-28", 22, 0)
    workday = (lambda day: day.weekday() < 5) if working_days_only else None
    until = _quiet_until(setup, "sms", friday_night, workday)
    assert until == (at("2023-07-31", 8, 0) if working_days_only else at("2023-07-29", 8, 0))
    assert _quiet_until(setup, "email", friday_night, workday) is None
