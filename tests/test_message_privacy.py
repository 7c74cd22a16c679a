"""A reporter's identity never reaches a message. Hypothesis: random reports with random reporter
details (name, phone, contact, note) worked through assignment, rework, a change of unit and the
ladder's sweeps; every message queued, rendered as its channel would send it, contains none of
those details — nor does any payload. And a payload that somehow carried reporter fields is
refused by the dispatcher whatever its template says."""

from __future__ import annotations

import datetime as dt
import tempfile
import zoneinfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhenggai.engine import Actor, DeliveryError, Engine, OutboxView, Reporter, ReporterKeys, VirtualClock
from zhenggai.notifications.dispatcher import render
from zhenggai.testing import advance_and_sweep, items_only
from zhenggai.workflows import load_setup

from .test_dispatch import with_email_contacts

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
UNITS = ["housing_construction_bureau", "finance_bureau", "commerce_bureau"]
#: Random text unlikely to occur in any template by chance: rare CJK ideographs and digits.
SECRET_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=6, max_size=12
)
PHONE = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    reports=st.lists(
        st.tuples(SECRET_TEXT, PHONE, SECRET_TEXT, SECRET_TEXT, st.sampled_from(UNITS), st.booleans()),
        min_size=1,
        max_size=4,
    ),
    days=st.integers(5, 40),
)
def test_no_message_carries_any_reporter_detail(
    reports: list[tuple[str, str, str, str, str, bool]], days: int
) -> None:
    clock = VirtualClock(dt.datetime(2023, 8, 1, 9, tzinfo=SHANGHAI))
    secrets: list[str] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        Engine(f"{folder}/p.db", clock=clock, reporter_keys=ReporterKeys.generate()) as engine,
    ):
        setup = with_email_contacts(items_only(load_setup("county_2023")), ["sms", "email"])
        engine.start_campaign(setup, key="test")
        for name, phone, contact, note, unit, move in reports:
            secrets += [name, phone, contact, note]
            item = engine.report(
                "test",
                OFFICE,
                title="审批推诿",
                description="企业反映审批推诿",
                track="construction",
                channel="hotline",
                reporter=Reporter(name=name, phone=phone, contact=contact, note=note),
            ).id
            engine.assign(item, OFFICE, unit=unit, due="2023-08-15")
            if move:
                other = next(u for u in UNITS if u != unit)
                engine.reassign(item, OFFICE, unit=other, due="2023-08-21")
        advance_and_sweep(engine, clock, dt.timedelta(days=days))
        rows = engine.outbox("test")
        assert rows
        for row in rows:
            text = str(row.payload)
            if row.channel != "unrouted":
                sent = render(setup, row)
                text += sent.subject + sent.body + "".join(sent.sms_params.values())
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"message {row.kind} to {row.recipient} carries reporter details {leaked}"


def test_the_dispatcher_refuses_a_payload_with_reporter_fields() -> None:
    setup = load_setup("county_2023")
    row = OutboxView(
        id=1,
        item_id=1,
        kind="item_assigned",
        channel="email",
        recipient="a@example.gov.cn",
        idempotency_key="k",
        payload={"reporter_name": "张三", "title": "t"},
        status="sending",
        attempts=1,
        last_error=None,
        campaign_id=1,
        next_try_at=dt.datetime.now(dt.UTC),
        created_at=dt.datetime.now(dt.UTC),
        sent_at=None,
    )
    with pytest.raises(DeliveryError, match="举报人") as err:
        render(setup, row)
    assert err.value.permanent and "张三" not in str(err.value)
