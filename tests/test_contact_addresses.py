"""One address per contact field (issue 13, point 10): ``a@x, b@y`` in an email field (or two
mobiles in one) reached two people. Refused in a definition's contacts (``zhenggai check`` names
the file and line), in the roster (add, update, import) and, last, by the mail channel (see
``tests/test_mail_headers.py``). On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import zhenggai.workflows
from pydantic import ValidationError
from zhenggai.adapters.cli import main
from zhenggai.engine import CampaignView, ContactSpec, Engine, ImportRejected, InvalidInputError, NewContact

from .conftest import Actors

UNIT = "housing_construction_bureau"
EMAILS = [
    "a@example.gov.cn, b@example.gov.cn",
    "a@example.gov.cn;b@example.gov.cn",
    "a@example.gov.cn b@example.gov.cn",
    "a@example.gov.cn，b@example.gov.cn",
    "a@example.gov.cn、b@example.gov.cn",
    "a@example.gov.cnb@example.gov.cn",
]
MOBILES = [
    "13800138000,13900139000",
    "13800138000；13900139000",
    "13800138000/13900139000",
    "13800138000 13900139000",
]


@pytest.mark.parametrize("email", EMAILS)
def test_a_definition_contact_holds_one_email(email: str) -> None:
    with pytest.raises(ValidationError, match="只能填一个电子邮箱"):
        ContactSpec(name="张三", email=email)


@pytest.mark.parametrize("mobile", MOBILES)
def test_a_definition_contact_holds_one_mobile(mobile: str) -> None:
    with pytest.raises(ValidationError, match="只能填一个手机号码"):
        ContactSpec(name="张三", mobile=mobile)


def test_a_definition_contact_still_takes_one_address() -> None:
    contact = ContactSpec(name="张三", email="zs@example.gov.cn", mobile="+86 138-0013-8000")
    assert (contact.email, contact.mobile) == ("zs@example.gov.cn", "13800138000")


def test_check_locates_a_listed_email(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = zhenggai.workflows.builtin_path("county_2023").read_text(encoding="utf-8")
    line_text = "  - {id: housing_construction_bureau, name: 县住建局, kind: county_government}"
    assert line_text in text
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        text.replace(line_text, line_text[:-1] + ", contacts: [{name: 张三, email: 'a@x.cn, b@y.cn'}]}"),
        encoding="utf-8",
    )
    code = main(["check", str(mine)])
    out = capsys.readouterr().out
    assert code == 1, out
    line = text[: text.index(line_text)].count("\n") + 1
    (located,) = [x.strip() for x in out.splitlines() if "只能填一个电子邮箱" in x]
    assert located.startswith(f"{mine}:{line}: units[")
    assert ".contacts[0].email" in located


@pytest.mark.parametrize(
    ("field", "value"), [*(("email", e) for e in EMAILS), *(("mobile", m) for m in MOBILES)]
)
def test_the_roster_refuses_a_list_on_add_update_and_import(
    engine: Engine, campaign: CampaignView, field: str, value: str
) -> None:
    what = "电子邮箱" if field == "email" else "手机号码"
    with pytest.raises(InvalidInputError) as caught:
        engine.add_contact("test", Actors.office, NewContact(unit=UNIT, name="张三", **{field: value}))
    assert caught.value.field == field and f"只能填一个{what}" in caught.value.reason
    added = engine.add_contact(
        "test",
        Actors.office,
        NewContact(unit=UNIT, name="张三", mobile="13800138000", email="zs@example.gov.cn"),
    )
    with pytest.raises(InvalidInputError) as caught:
        engine.update_contact(added.id, Actors.office, **{field: value})
    assert caught.value.field == field and f"只能填一个{what}" in caught.value.reason
    with pytest.raises(ImportRejected) as rejected:
        engine.import_contacts("test", Actors.office, [NewContact(unit=UNIT, name="李四", **{field: value})])
    assert [(p.index, p.field) for p in rejected.value.problems] == [(0, field)]
    assert f"只能填一个{what}" in rejected.value.problems[0].message
    assert [c.id for c in engine.contacts("test")] == [added.id]
