"""Reporter identity sealed at rest (举报人信息加密保存, issue 13 point 11): the database, its files
and a dump of it hold no reporter's name, phone, contact or note in any encoding; the identity
opens only with a key kept outside the database, for the custodian; a lost key, another key,
an altered value or a value moved to another item is a clear error; keys rotate with
``rekey_reporters``, which also seals the plaintext rows written before sealing existed.

The engine tests run on SQLite (the database file with its -wal and -shm) and on PostgreSQL
(a ``pg_dump`` of the test schema).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import make_url
from zhenggai.adapters.cli import main
from zhenggai.engine import (
    Actor,
    ConfigError,
    Engine,
    NewItem,
    PermissionDeniedError,
    Reporter,
    ReporterKeyError,
    ReporterKeys,
    VirtualClock,
    ZhenggaiError,
)
from zhenggai.engine._sealing import parse_key
from zhenggai.notifications.config import load_config, reporter_keys
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

from tests.conftest import PG_URL, REPORTER_KEY, REPORTER_KEYS
from tests.test_cli import OFFICE as CLI_OFFICE
from tests.test_cli import Cli, Run
from tests.test_cli import init as cli_init

OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
CUSTODIAN = Actor("保管员", "custodian", "discipline_commission")
CLI_CUSTODIAN = ["--actor", "保管员", "--role", "custodian", "--as-unit", "discipline_commission"]
ITEMS = 24


# ------------------------------------------------------------------------------- canaries


def canary_identities(count: int) -> list[Reporter]:
    """Identities no database could hold by chance: Chinese and ASCII names, phones, contacts
    and notes with random parts."""
    hanzi = "甄金丝雀鸥鹭鹳鹈鹕鸬鹚鹬鸻鹡鸰鹪鹩鸲鹟鹛"

    def chinese(n: int) -> str:
        return "".join(secrets.choice(hanzi) for _ in range(n))

    people = []
    for i in range(count):
        name = f"金丝雀{chinese(4)}" if i % 2 == 0 else f"Canary-{secrets.token_hex(5)}"
        phone = "139" + "".join(secrets.choice("0123456789") for _ in range(8))
        contact = f"某小区{chinese(3)}栋{i}单元" if i % 3 else f"canary.{secrets.token_hex(4)}@example.cn"
        people.append(Reporter(name=name, phone=phone, contact=contact, note=f"担心打击报复{chinese(3)}"))
    return people


def secrets_of(people: Sequence[Reporter]) -> list[str]:
    return [v for p in people for v in (p.name, p.phone, p.contact, p.note) if v]


def forms(canary: str) -> dict[str, bytes]:
    """``canary`` in every form a careless store could hold it: UTF-8, UTF-16 (both byte
    orders), GB18030, hex of the UTF-8 (both cases), JSON's \\u escapes, and base64 of the
    UTF-8 at each of the three alignments (only the characters the canary alone decides)."""
    raw = canary.encode("utf-8")
    found = {
        "utf-8": raw,
        "utf-16-le": canary.encode("utf-16-le"),
        "utf-16-be": canary.encode("utf-16-be"),
        "gb18030": canary.encode("gb18030"),
        "hex": raw.hex().encode("ascii"),
        "HEX": raw.hex().upper().encode("ascii"),
        "json-ascii": json.dumps(canary).strip('"').encode("ascii"),
    }
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).rstrip(b"=")
        drop = (0, 2, 3)[shift]
        found[f"base64+{shift}"] = encoded[drop:-4]
    return found


def leaked(data: bytes, canaries: Sequence[str]) -> list[tuple[str, str]]:
    """(canary, form) for each form of each canary found in ``data``."""
    return [(c, name) for c in canaries for name, needle in forms(c).items() if needle and needle in data]


def stored_bytes(engine: Engine) -> bytes:
    """Everything the database keeps: SQLite's file, -wal and -shm; PostgreSQL's test schema as
    ``pg_dump`` writes it (every text column SELECTed when pg_dump is not installed)."""
    if engine.store.dialect.name == "sqlite":
        path = Path(str(make_url(str(engine.store.engine.url)).database))
        return b"".join(
            Path(f"{path}{suffix}").read_bytes()
            for suffix in ("", "-wal", "-shm")
            if Path(f"{path}{suffix}").exists()
        )
    with engine.store.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        if shutil.which("pg_dump") is None:  # pragma: no cover - pg_dump is in CI's image
            names = [
                r[0]
                for r in conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                    )
                )
            ]
            rows = [list(r) for n in names for r in conn.execute(text(f'SELECT * FROM "{n}"'))]
            return json.dumps(rows, ensure_ascii=False, default=str).encode("utf-8")
    dump = subprocess.run(
        ["pg_dump", "--schema", schema, "--no-owner", PG_URL], capture_output=True, check=True, timeout=120
    )
    return dump.stdout


# -------------------------------------------------------------------------------- helpers


@pytest.fixture
def started(engine: Engine) -> Engine:
    engine.start_campaign(load_setup("county_2023"), key="test")
    return engine


def report(engine: Engine, reporter: Reporter | None = None, title: str = "审批超时") -> int:
    return engine.report(
        "test",
        OFFICE,
        title=title,
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
        reporter=reporter,
    ).id


@dataclass
class Other:
    """A second engine on the same database, with other reporter keys."""

    engines: list[Engine]
    url: str

    def __call__(self, keys: ReporterKeys | None) -> Engine:
        engine = Engine(self.url, clock=VirtualClock(DEFAULT_START), migrate=False, reporter_keys=keys)
        self.engines.append(engine)
        return engine


@pytest.fixture
def other(db_url: str, started: Engine) -> Iterator[Other]:
    made = Other([], db_url)
    yield made
    for engine in made.engines:
        engine.dispose()


def reporter_rows(engine: Engine) -> list[dict[str, object]]:
    with engine.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM zg_item_reporter ORDER BY item_id")).mappings()
        return [dict(r) for r in rows]


def sql(engine: Engine, statement: str, **values: object) -> None:
    with engine.store.engine.begin() as conn:
        conn.execute(text(statement), values)


def legacy_rows(engine: Engine, people: Sequence[Reporter]) -> list[int]:
    """Items whose reporters are stored as before revision 0011: plain text, no seal."""
    ids = []
    for person in people:
        item = report(engine, title="旧记录")
        sql(
            engine,
            "INSERT INTO zg_item_reporter (item_id, name, phone, contact, note) VALUES (:i, :n, :p, :c, :o)",
            i=item,
            n=person.name,
            p=person.phone,
            c=person.contact,
            o=person.note,
        )
        sql(engine, "UPDATE zg_item SET has_reporter = :t WHERE id = :i", t=True, i=item)
        ids.append(item)
    return ids


def identity(view: object) -> tuple[object, ...]:
    return tuple(getattr(view, f) for f in ("name", "phone", "contact", "note"))


# ------------------------------------------------------------------------- the canary scans


def test_the_database_holds_no_reporter_identity_in_any_form(started: Engine) -> None:
    """Reported identities (Chinese and ASCII) are in no form in the database's files or dump,
    and every one reads back for the custodian."""
    people = canary_identities(ITEMS)
    ids = [report(started, person) for person in people]
    assert leaked(stored_bytes(started), secrets_of(people)) == []
    assert [identity(started.read_reporter(i, CUSTODIAN)) for i in ids] == [identity(p) for p in people]


def test_rekey_seals_legacy_plaintext_and_leaves_no_trace_of_it(started: Engine, other: Other) -> None:
    """Rows stored in plain text before sealing (found by the scan, so the scan sees them) are
    sealed by rekey with their plain text cleared; afterwards no form of them is left, also
    with a key rotation in the same run, and each still reads back."""
    old = canary_identities(6)
    sealed_ids = [report(started, person) for person in old]
    legacy = canary_identities(ITEMS)
    legacy_ids = legacy_rows(started, legacy)
    assert leaked(stored_bytes(started), secrets_of(legacy))  # the scan finds plain text
    rotated = other(ReporterKeys(os.urandom(32), [os.urandom(32), _key_bytes(started)]))
    result = rotated.rekey_reporters(None, CUSTODIAN)
    assert (result.resealed, result.sealed_plaintext, result.unchanged) == (len(old), len(legacy), 0)
    assert result.scrubbed and result.campaigns == ("test",)
    assert leaked(stored_bytes(rotated), secrets_of(legacy) + secrets_of(old)) == []
    rows = reporter_rows(rotated)
    assert all(r["name"] is r["phone"] is r["contact"] is r["note"] is None for r in rows)
    assert {r["key_id"] for r in rows} == {rotated_id(rotated)}
    assert [identity(rotated.read_reporter(i, CUSTODIAN)) for i in legacy_ids] == [
        identity(p) for p in legacy
    ]
    assert [identity(rotated.read_reporter(i, CUSTODIAN)) for i in sealed_ids] == [identity(p) for p in old]


def _key_bytes(engine: Engine) -> bytes:
    """The key ``engine`` seals with: the test session's (conftest), to build rings with it."""
    assert engine._rt.reporter_keys is REPORTER_KEYS
    return REPORTER_KEY


def rotated_id(engine: Engine) -> str:
    assert engine._rt.reporter_keys is not None
    return engine._rt.reporter_keys.current_id


# ------------------------------------------------------------------------ reading the identity


def test_only_sealed_text_and_key_id_are_written(started: Engine) -> None:
    """A new reporter row has its plaintext columns NULL, a sealed value and the current key id."""
    item = report(started, Reporter(name="张某", phone="13800000000"))
    (row,) = reporter_rows(started)
    assert row["item_id"] == item and row["name"] is row["phone"] is row["contact"] is row["note"] is None
    assert row["key_id"] == rotated_id(started) and isinstance(row["sealed"], str)


def test_a_non_custodian_is_refused_before_anything_opens(started: Engine) -> None:
    """The office may not read the reporter; the refusal names no identity."""
    item = report(started, Reporter(name="甄秘密人", phone="13912345678"))
    with pytest.raises(PermissionDeniedError) as info:
        started.read_reporter(item, OFFICE)
    assert "甄秘密人" not in str(info.value)


def test_a_lost_key_is_a_clear_error_and_the_attempt_is_audited(started: Engine, other: Other) -> None:
    """An engine whose keys do not include the sealing key says which key is missing (never the
    key), as a ZhenggaiError; the attempt stays in the audit trail."""
    item = report(started, Reporter(name="甄秘密人"))
    stranger = other(ReporterKeys.generate())
    with pytest.raises(ReporterKeyError) as info:
        stranger.read_reporter(item, CUSTODIAN)
    err = info.value
    assert err.reason == "lost_key" and err.item_id == item and err.key_id == rotated_id(started)
    assert "无法恢复" in str(err) and rotated_id(started) in str(err) and "old_key_files" in str(err)
    assert isinstance(err, ZhenggaiError) and "甄秘密人" not in str(err)
    assert stranger.events(item)[-1].trigger == "read_reporter"


def test_no_key_configured_reads_only_legacy_rows(started: Engine, other: Other) -> None:
    """Without keys a sealed identity is a clear error (how to configure one); a plaintext row
    from before sealing still reads."""
    sealed = report(started, Reporter(name="甄秘密人"))
    (legacy,) = legacy_rows(started, [Reporter(name="旧举报人", phone="13700000000")])
    keyless = other(None)
    with pytest.raises(ReporterKeyError) as info:
        keyless.read_reporter(sealed, CUSTODIAN)
    assert info.value.reason == "no_key" and "[reporter]" in str(info.value) and "keygen" in str(info.value)
    assert identity(keyless.read_reporter(legacy, CUSTODIAN)) == ("旧举报人", "13700000000", None, None)


def test_an_altered_sealed_value_does_not_open(started: Engine) -> None:
    """One character of the stored value changed: not authentic, a clear error."""
    item = report(started, Reporter(name="甄秘密人"))
    (row,) = reporter_rows(started)
    value = str(row["sealed"])
    middle = len(value) // 2
    altered = value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1 :]
    sql(started, "UPDATE zg_item_reporter SET sealed = :s WHERE item_id = :i", s=altered, i=item)
    with pytest.raises(ReporterKeyError) as info:
        started.read_reporter(item, CUSTODIAN)
    assert info.value.reason == "not_authentic" and "被改动" in str(info.value)


@pytest.mark.parametrize("garbage", ["", "not base64!", base64.b64encode(b"\x01short").decode()])
def test_a_sealed_value_that_is_not_one_does_not_open(started: Engine, garbage: str) -> None:
    """Garbage in the sealed column (empty, not base64, too short) is the same clear error."""
    item = report(started, Reporter(name="甄秘密人"))
    sql(started, "UPDATE zg_item_reporter SET sealed = :s WHERE item_id = :i", s=garbage, i=item)
    with pytest.raises(ReporterKeyError) as info:
        started.read_reporter(item, CUSTODIAN)
    assert info.value.reason == "not_authentic"


def test_a_sealed_value_moved_to_another_item_does_not_open(started: Engine) -> None:
    """Item B's row given item A's sealed value and key id: it is bound to A and refuses on B."""
    first = report(started, Reporter(name="甲举报人"))
    second = report(started, Reporter(name="乙举报人"))
    rows = {r["item_id"]: r for r in reporter_rows(started)}
    sql(
        started,
        "UPDATE zg_item_reporter SET sealed = :s, key_id = :k WHERE item_id = :i",
        s=rows[first]["sealed"],
        k=rows[first]["key_id"],
        i=second,
    )
    with pytest.raises(ReporterKeyError) as info:
        started.read_reporter(second, CUSTODIAN)
    assert info.value.reason == "not_authentic" and info.value.item_id == second
    assert started.read_reporter(first, CUSTODIAN).name == "甲举报人"  # type: ignore[union-attr]


# ------------------------------------------------------------------------------- no key at all


def test_reporting_a_reporter_without_a_key_is_refused_and_writes_nothing(
    started: Engine, other: Other
) -> None:
    """No keys: report with a reporter and an import carrying one are refused whole (no item,
    no event, no reporter row); reporting without a reporter still works."""
    keyless = other(None)
    before = (len(keyless.items("test")), len(keyless.events(campaign="test")))
    with pytest.raises(ReporterKeyError) as info:
        report(keyless, Reporter(name="甄秘密人"))
    assert info.value.reason == "no_key" and info.value.item_id is None
    assert "举报人信息须加密保存" in str(info.value) and "未登记任何内容" in str(info.value)
    with pytest.raises(ReporterKeyError):
        keyless.import_items(
            "test",
            OFFICE,
            [
                NewItem(
                    "审批超时",
                    "审批超过承诺时限",
                    "construction",
                    "hotline",
                    reporter=Reporter(name="甄秘密人"),
                )
            ],
        )
    assert (len(keyless.items("test")), len(keyless.events(campaign="test"))) == before
    assert reporter_rows(keyless) == []
    assert report(keyless) > 0


# ---------------------------------------------------------------------------------- rotation


def test_rotation_a_then_b_needs_only_b_afterwards(started: Engine, other: Other) -> None:
    """Keys A, then B with A as the previous key: everything reads; rekey moves all to B; with
    A removed everything still reads, and a second rekey changes nothing."""
    a = _key_bytes(started)
    b = os.urandom(32)
    people = canary_identities(5)
    ids = [report(started, p) for p in people]
    both = other(ReporterKeys(b, [a]))
    assert [identity(both.read_reporter(i, CUSTODIAN)) for i in ids] == [identity(p) for p in people]
    newer = report(both, Reporter(name="新举报人"))  # sealed with B already
    result = both.rekey_reporters("test", CUSTODIAN)
    assert (result.resealed, result.sealed_plaintext, result.unchanged) == (5, 0, 1)
    only_b = other(ReporterKeys(b))
    assert [identity(only_b.read_reporter(i, CUSTODIAN)) for i in ids] == [identity(p) for p in people]
    assert only_b.read_reporter(newer, CUSTODIAN).name == "新举报人"  # type: ignore[union-attr]
    again = only_b.rekey_reporters(None, CUSTODIAN)
    assert (again.resealed, again.sealed_plaintext, again.unchanged, again.scrubbed) == (0, 0, 6, False)


def test_rekey_is_audited_with_counts_only(started: Engine, other: Other) -> None:
    """One rekey event on the campaign: key id and counts, no identity; the chain holds."""
    people = canary_identities(3)
    for person in people:
        report(started, person)
    rotated = other(ReporterKeys(os.urandom(32), [_key_bytes(started)]))
    rotated.rekey_reporters(None, CUSTODIAN)
    event = rotated.events(campaign="test")[-1]
    assert event.trigger == "rekey_reporters" and event.item_id is None
    assert event.data == {"key_id": rotated_id(rotated), "resealed": 3, "sealed_plaintext": 0, "unchanged": 0}
    assert (event.actor, event.role) == (CUSTODIAN.name, "custodian")
    assert (
        leaked(
            json.dumps([e.to_dict() for e in rotated.events(campaign="test")], ensure_ascii=False).encode(),
            secrets_of(people),
        )
        == []
    )
    assert rotated.verify_audit().ok


def test_rekey_refuses_whole_when_an_identity_does_not_open(started: Engine, other: Other) -> None:
    """A row sealed with a key the ring lacks: rekey lists it and changes nothing."""
    first = report(started, Reporter(name="甲举报人"))
    lost = other(ReporterKeys.generate())
    second = report(lost, Reporter(name="乙举报人"))  # sealed with a key nobody keeps
    rows = reporter_rows(started)
    rotated = other(ReporterKeys(os.urandom(32), [_key_bytes(started)]))
    events = len(rotated.events(campaign="test"))
    with pytest.raises(ReporterKeyError) as info:
        rotated.rekey_reporters(None, CUSTODIAN)
    assert info.value.reason == "lost_key" and info.value.item_id == second
    assert "未改动任何内容" in str(info.value) and f"问题 {second}" in str(info.value)
    assert reporter_rows(rotated) == rows and len(rotated.events(campaign="test")) == events
    assert rotated.read_reporter(first, CUSTODIAN).name == "甲举报人"  # type: ignore[union-attr]


def test_rekey_takes_the_custodian_and_a_key(started: Engine, other: Other) -> None:
    """The office may not rekey; neither may anyone on an engine without keys."""
    report(started, Reporter(name="甄秘密人"))
    rows = reporter_rows(started)
    with pytest.raises(PermissionDeniedError):
        started.rekey_reporters(None, OFFICE)
    with pytest.raises(ReporterKeyError) as info:
        other(None).rekey_reporters(None, CUSTODIAN)
    assert info.value.reason == "no_key"
    assert reporter_rows(started) == rows


# ------------------------------------------------------------------------------ the key ring


IDENTITY_TEXT = st.none() | st.text(max_size=120)


@settings(max_examples=200, deadline=None)
@given(
    name=IDENTITY_TEXT,
    phone=IDENTITY_TEXT,
    contact=IDENTITY_TEXT,
    note=IDENTITY_TEXT,
    item_id=st.integers(1, 2**62),
    other_id=st.integers(1, 2**62),
)
def test_seal_then_open_round_trips_and_is_bound_to_its_item(
    name: str | None, phone: str | None, contact: str | None, note: str | None, item_id: int, other_id: int
) -> None:
    """Any identity opens as it was sealed, for its own item only; its length is padded."""
    keys = ReporterKeys.generate()
    person = {"name": name, "phone": phone, "contact": contact, "note": note}
    sealed, key_id = keys.seal(item_id, person)
    assert key_id == keys.current_id
    assert keys.open(item_id, sealed, key_id) == person
    assert (len(base64.b64decode(sealed)) - 1 - 12 - 16) % 64 == 0
    if other_id != item_id:
        with pytest.raises(ReporterKeyError):
            keys.open(other_id, sealed, key_id)


def test_a_ring_opens_with_any_of_its_keys_and_seals_with_the_current() -> None:
    """Previous keys open; the current seals; the repr shows key ids only."""
    a, b = os.urandom(32), os.urandom(32)
    old = ReporterKeys(a)
    sealed, key_id = old.seal(7, {"name": "张某"})
    ring = ReporterKeys(b, [a])
    assert ring.open(7, sealed, key_id)["name"] == "张某"
    assert ring.seal(7, {"name": "张某"})[1] == ring.current_id == ReporterKeys(b).current_id != key_id
    assert ring.key_ids == (ring.current_id, key_id) and key_id in ring
    shown = repr(ring)
    assert base64.b64encode(a).decode() not in shown and a.hex() not in shown and ring.current_id in shown


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abc",
        base64.b64encode(bytes(range(16))).decode(),
        base64.b64encode(bytes(range(33))).decode(),
        "不是密钥" * 11,
        "*" * 44,
    ],
    ids=["empty", "short", "16-bytes", "33-bytes", "chinese", "not-base64"],
)
def test_a_key_text_that_is_not_a_key_names_where_it_came_from(bad: str) -> None:
    """Not base64 of 32 bytes: a ConfigError naming the setting, never the text."""
    with pytest.raises(ConfigError) as info:
        parse_key(bad, "reporter.key_file")
    assert info.value.setting == "reporter.key_file" and "keygen" in str(info.value)
    assert (bad not in str(info.value)) or not bad


def test_key_texts_parse_with_whitespace_and_url_safe_alphabet() -> None:
    """A key file's trailing newline and the URL-safe alphabet are accepted."""
    key = os.urandom(32)
    assert parse_key(base64.b64encode(key).decode() + "\n", "x") == key
    assert parse_key(base64.urlsafe_b64encode(key).decode(), "x") == key
    assert parse_key(ReporterKeys.new_key_text(), "x") != parse_key(ReporterKeys.new_key_text(), "x")


# ------------------------------------------------------------------------------ configuration


def write_key(path: Path) -> str:
    path.write_text(ReporterKeys.new_key_text() + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def test_the_reporter_section_gives_current_and_previous_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """key_file (current), old_key_files and old_keys_env (previous) make one ring; the
    delivery configuration accepts the section and ignores it."""
    current, old_file = write_key(tmp_path / "now.key"), write_key(tmp_path / "old.key")
    old_env = [ReporterKeys.new_key_text(), ReporterKeys.new_key_text()]
    monkeypatch.setenv("ZG_OLD_KEYS", ", ".join(old_env))
    config = tmp_path / "zhenggai.toml"
    config.write_text(
        f'[reporter]\nkey_file = "{tmp_path / "now.key"}"\nold_key_files = ["{tmp_path / "old.key"}"]\n'
        'old_keys_env = "ZG_OLD_KEYS"\n',
        encoding="utf-8",
    )
    ring = reporter_keys(config)
    assert ring is not None
    expected = [ReporterKeys.from_text(t).current_id for t in (current, old_file, *old_env)]
    assert list(ring.key_ids) == expected
    assert load_config(config).channels == []
    monkeypatch.setenv("ZG_KEY", current)
    config.write_text('[reporter]\nkey_env = "ZG_KEY"\n', encoding="utf-8")
    assert reporter_keys(config).key_ids == (expected[0],)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("section", "setting", "reason"),
    [
        ('key_file = "/nonexistent/reporter.key"', "reporter.key_file", "无法读取"),
        ('key_env = "ZG_UNSET_KEY"', "reporter.key_env", "ZG_UNSET_KEY 未设置"),
        ('key = "c2hvcnQ="', "reporter.key", "32 字节"),
        ("old_key_files = []", "reporter.key", "缺少"),
        (
            'key_file = "NOW"\nold_key_files = ["/nonexistent/old.key"]',
            "reporter.old_key_files[0]",
            "无法读取",
        ),
        ('key_file = "NOW"\nold_keys_env = ["ZG_UNSET_OLD"]', "reporter.old_keys_env", "ZG_UNSET_OLD 未设置"),
        ('key_file = "NOW"\nold_key_files = "x.key"', "reporter.old_key_files", "列表"),
        ('key_file = "NOW"\nkeys = 1', "reporter.keys", "未知的设置"),
    ],
)
def test_an_unusable_reporter_section_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: str, setting: str, reason: str
) -> None:
    """A missing key file, an unset variable, a text that is no key, a misspelt setting: one
    ConfigError naming the setting."""
    monkeypatch.delenv("ZG_UNSET_KEY", raising=False)
    monkeypatch.delenv("ZG_UNSET_OLD", raising=False)
    write_key(tmp_path / "now.key")
    config = tmp_path / "zhenggai.toml"
    config.write_text(
        "[reporter]\n" + section.replace("NOW", str(tmp_path / "now.key")) + "\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        reporter_keys(config)
    assert info.value.setting == setting and reason in info.value.reason


def test_no_configuration_means_no_keys_and_a_config_without_the_section_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --config and no ZHENGGAI_CONFIG: None (the engine says how to configure); a
    configuration without [reporter]: an error naming the section."""
    monkeypatch.delenv("ZHENGGAI_CONFIG", raising=False)
    assert reporter_keys(None) is None
    config = tmp_path / "zhenggai.toml"
    config.write_text('[console]\nchannels = ["sms"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        reporter_keys(config)
    assert info.value.setting.endswith("[reporter]")


# ---------------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT", "ZHENGGAI_CONFIG"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    yield run


def test_keygen_writes_a_private_key_file_once(cli: Cli, tmp_path: Path) -> None:
    """keygen: a 0600 file with a key, the key id printed and never the key; an existing file
    is refused in one line and left as it was."""
    path = tmp_path / "reporter.key"
    done = cli("reporter", "keygen", "--out", str(path))
    assert done.code == 0, done.err
    key = path.read_text(encoding="utf-8").strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ReporterKeys.from_text(key).current_id in done.out and key not in done.out
    again = cli("reporter", "keygen", "--out", str(path))
    assert (
        again.code == 1 and again.err.startswith("错误: 密钥文件已存在") and len(again.err.splitlines()) == 1
    )
    assert path.read_text(encoding="utf-8").strip() == key


def test_cli_reporter_identity_from_add_to_custodian_read_and_rekey(cli: Cli, tmp_path: Path) -> None:
    """item add --reporter-* needs the key (one error line without it, nothing written); with
    --config it seals; the custodian reads it with item reporter; after a new key, rekey
    prints the counts; a lost key is one error line, never a traceback."""
    db = str(tmp_path / "zhenggai.db")
    cli_init(cli, db)
    add = [
        "--db",
        db,
        "item",
        "add",
        "--title",
        "审批超时",
        "--description",
        "审批超过承诺时限",
        "--track",
        "construction",
        "--channel",
        "hotline",
        "--reporter-name",
        "甄秘密人",
        "--reporter-phone",
        "13912345678",
        *CLI_OFFICE,
    ]
    refused = cli(*add)
    assert refused.code == 1 and len(refused.err.splitlines()) == 1
    assert refused.err.startswith("错误: 举报人信息须加密保存") and "Traceback" not in refused.err
    assert cli("--db", db, "item", "list", "--json").out.strip() == "[]"

    assert cli("reporter", "keygen", "--out", str(tmp_path / "a.key")).code == 0
    config_a = tmp_path / "a.toml"
    config_a.write_text(f'[reporter]\nkey_file = "{tmp_path / "a.key"}"\n', encoding="utf-8")
    added = cli(*add, "--config", str(config_a))
    assert added.code == 0, added.err
    read = cli("--db", db, "item", "reporter", "1", "--config", str(config_a), *CLI_CUSTODIAN)
    assert read.code == 0 and "甄秘密人" in read.out and "13912345678" in read.out
    denied = cli("--db", db, "item", "reporter", "1", "--config", str(config_a), *CLI_OFFICE)
    assert denied.code == 1 and denied.err.startswith("错误: 无权操作") and "甄秘密人" not in denied.err

    assert cli("reporter", "keygen", "--out", str(tmp_path / "b.key")).code == 0
    config_b = tmp_path / "b.toml"
    config_b.write_text(f'[reporter]\nkey_file = "{tmp_path / "b.key"}"\n', encoding="utf-8")
    lost = cli("--db", db, "item", "reporter", "1", "--config", str(config_b), *CLI_CUSTODIAN)
    assert lost.code == 1 and len(lost.err.splitlines()) == 1 and "无法恢复" in lost.err
    config_ab = tmp_path / "ab.toml"
    config_ab.write_text(
        f'[reporter]\nkey_file = "{tmp_path / "b.key"}"\nold_key_files = ["{tmp_path / "a.key"}"]\n',
        encoding="utf-8",
    )
    rekeyed = cli("--db", db, "reporter", "rekey", "--config", str(config_ab), *CLI_CUSTODIAN)
    assert rekeyed.code == 0, rekeyed.err
    assert "由旧密钥改用现用密钥 1 条" in rekeyed.out and "可从配置中删去旧密钥" in rekeyed.out
    assert (
        "甄秘密人" in cli("--db", db, "item", "reporter", "1", "--config", str(config_b), *CLI_CUSTODIAN).out
    )
    as_json = cli("--db", db, "reporter", "rekey", "--config", str(config_b), *CLI_CUSTODIAN, "--json")
    assert as_json.json()["unchanged"] == 1
    missing = cli(
        "--db", db, "item", "reporter", "1", "--config", str(tmp_path / "none.toml"), *CLI_CUSTODIAN
    )
    assert (
        missing.code == 1 and missing.err.startswith("错误: 配置有误") and len(missing.err.splitlines()) == 1
    )
    data = b"".join(Path(db + s).read_bytes() for s in ("", "-wal", "-shm") if Path(db + s).exists())
    assert leaked(data, ["甄秘密人", "13912345678"]) == []


def test_help_of_the_reporter_commands_imports_nothing_heavy() -> None:
    """--help of the new commands stays light (as every command's does)."""
    code = """
import contextlib, io, sys
from zhenggai.adapters.cli import main
for argv in (["reporter", "--help"], ["reporter", "keygen", "--help"], ["reporter", "rekey", "--help"],
             ["item", "reporter", "--help"]):
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(argv) == 0, argv
print(sorted(m for m in sys.modules if m.split(".")[0] in {"sqlalchemy", "sqlmodel", "alembic", "cryptography"}))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
