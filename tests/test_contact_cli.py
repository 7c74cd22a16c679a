"""``zhenggai contact``: the roster of a running campaign from the command line, as a county uses
it — people added, listed (addresses masked), changed, removed; a 通讯录 imported all or nothing
with every bad row located; the template filled in and imported; a message that went nowhere
delivered after the forgotten person is added (``outbox retry --all-dead``); a new definition
version's contacts taken over by ``campaign migrate``; ``init`` and ``status`` naming the units
and roles nobody can be reached for. Through the real ``main``, on the system clock (dates in
2099, the plan on a Monday-to-Friday calendar, see tests/test_cli.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine import ContactSpec, Engine
from zhenggai.workflows import dump_setup, load_setup

from .test_cli import FUTURE, OFFICE, Run, weekends_plan

BUREAU_ACTOR = ["--actor", "李科长", "--role", "responsible", "--as-unit", "housing_construction_bureau"]
HEADERS = ["单位", "姓名", "角色", "手机", "邮箱", "企业微信ID", "钉钉ID", "接收渠道", "生效日期", "失效日期"]
Cli = Callable[..., Run]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT", "ZHENGGAI_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database with the built-in plan (weekend calendar) started as campaign ``county_2023``."""
    path = str(tmp_path / "zg.db")
    engine = Engine(path)
    try:
        engine.start_campaign(load_setup(weekends_plan()))
    finally:
        engine.dispose()
    return path


@pytest.fixture
def cli(db: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> Run:
        code = main(["--db", db, *argv])
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return run


def roster(cli: Cli, *extra: str) -> list[dict[str, Any]]:
    result = cli("contact", "list", "--json", *extra)
    assert result.code == 0, result.err
    return list(result.json()["contacts"])


def test_add_list_update_remove(cli: Cli) -> None:
    """Units and roles by Chinese name; the table masks mobiles and mailboxes, --json does not;
    an empty option clears a field; a removed contact is listed only with --all."""
    added = cli(
        "contact",
        "add",
        "--unit",
        "县住建局",
        "--name",
        "张三",
        "--mobile",
        "138 0013 8000",
        "--channels",
        "短信,电子邮件",
        "--email",
        "zhangsan@example.gov.cn",
        *OFFICE,
    )
    assert added.code == 0, added.err
    assert added.out.startswith("已添加联系人 1: 张三 (县住建局 · 联系人) 138****8000 · z***@example.gov.cn")
    office = cli(
        "contact",
        "add",
        "--unit",
        "县纪委县监委",
        "--name",
        "王主任",
        "--contact-role",
        "领导小组办公室",
        "--email",
        "wang@example.gov.cn",
        *OFFICE,
        "--json",
    )
    assert office.code == 0 and office.json()["role"] == "leading_group_office"

    table = cli("contact", "list")
    assert table.code == 0
    assert "138****8000" in table.out and "z***@example.gov.cn" in table.out and "短信、电子邮件" in table.out
    assert "13800138000" not in table.out and "zhangsan@" not in table.out
    assert "县干部作风整顿领导小组办公室" in table.out and "共 2 人" in table.out
    assert "无可达联系人的单位 (35):" in table.out  # 37 units, two now have someone
    full = roster(cli)
    assert [(c["name"], c["mobile"], c["email"]) for c in full] == [
        ("张三", "13800138000", "zhangsan@example.gov.cn"),
        ("王主任", None, "wang@example.gov.cn"),
    ]

    changed = cli("contact", "update", "1", "--email", "", "--channels", "sms", "--to", FUTURE, *OFFICE)
    assert changed.code == 0, changed.err
    (now,) = roster(cli, "--unit", "housing_construction_bureau")
    assert now["updated_at"] > full[0]["updated_at"]
    assert {**now, "updated_at": None} == {
        **full[0],
        "email": None,
        "channels": ["sms"],
        "active_to": FUTURE,
        "updated_at": None,
    }
    assert cli("contact", "remove", "1", *OFFICE).out.startswith("已移除联系人 1: 张三")
    assert [c["name"] for c in roster(cli)] == ["王主任"]
    listed = cli("contact", "list", "--all", "--unit", "县住建局")
    assert "已移除" in listed.out and "无可达联系人" not in listed.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--unit", "县住建局", "--name", "甲", "--mobile", "12345"],
            "错误: 输入无效: mobile: 不是有效的手机号码",
        ),
        (
            ["--unit", "县住建局", "--name", "甲", "--email", "a@b"],
            "错误: 输入无效: email: 不是有效的电子邮箱",
        ),
        (["--unit", "县住建局", "--name", "甲"], "错误: 输入无效: mobile: 至少须有一种联系方式"),
        (
            ["--unit", "县住建局", "--name", "甲", "--mobile", "13800138000", "--channels", "传真"],
            "错误: 未知接收渠道「传真」",
        ),
        (
            ["--unit", "县住建局", "--name", "甲", "--mobile", "13800138000", "--channels", "email"],
            "错误: 输入无效: channels: 接收渠道「电子邮件」需要邮箱",
        ),
        (["--unit", "县月球局", "--name", "甲", "--mobile", "13800138000"], "错误: 未知单位「县月球局」"),
        (
            [
                "--unit",
                "县住建局",
                "--name",
                "甲",
                "--mobile",
                "13800138000",
                "--from",
                "2099-09-01",
                "--to",
                "2099-08-01",
            ],
            "错误: 输入无效: active_to: 失效日期 2099-08-01 早于生效日期 2099-09-01",
        ),
    ],
)
def test_refusals_are_one_chinese_line(cli: Cli, argv: list[str], message: str) -> None:
    result = cli("contact", "add", *argv, *OFFICE)
    assert result.code == 1 and result.err.startswith(message) and result.err.count("\n") == 1
    assert roster(cli) == []


def test_a_unit_may_not_change_the_roster(cli: Cli) -> None:
    result = cli(
        "contact", "add", "--unit", "县住建局", "--name", "甲", "--mobile", "13800138000", *BUREAU_ACTOR
    )
    assert result.code == 1 and "维护通讯录" in result.err
    missing = cli("contact", "add", "--unit", "县住建局", "--name", "甲", "--mobile", "13800138000")
    assert missing.code == 2 and "缺少操作人" in missing.err


def _sheet(path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_import_with_bad_rows_reports_every_row_and_stores_nothing(cli: Cli, tmp_path: Path) -> None:
    cli("contact", "add", "--unit", "县住建局", "--name", "张三", "--mobile", "13800138000", *OFFICE)
    path = _sheet(
        tmp_path / "通讯录.xlsx",
        [
            ["县财政局", "李四", None, "13900139000", None, None, None, None, None, None],  # row 2: fine
            ["县月球局", "王五", None, "13700137000", None, None, None, None, None, None],  # 3: unknown unit
            ["县财政局", "赵六", None, "123", "not-mail", None, None, None, None, None],  # 4: mobile, email
            [
                "县住建局",
                "张三",
                None,
                None,
                "zs@example.gov.cn",
                None,
                None,
                None,
                None,
                None,
            ],  # 5: in the roster
            [
                "县财政局",
                "钱七",
                "市长",
                "13600136000",
                None,
                None,
                None,
                "传真",
                "2099-13-01",
                None,
            ],  # 6: three
            ["县财政局", None, None, "13500135000", None, None, None, None, None, None],  # 7: no name
            ["县财政局", "李四", None, "13900139000", None, None, None, None, None, None],  # 8: repeats 2
            ["县财政局", "孙八", None, None, None, None, None, None, None, None],  # 9: no address
        ],
    )
    before = cli("audit", "verify", "--json").json()
    result = cli("contact", "import", str(path), *OFFICE)
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("错误: 导入被拒绝, 文件中有 10 处问题, 未导入任何联系人")
    assert [line.split(" ", 1)[0] for line in lines[1:]] == [
        "第3行",
        "第4行",
        "第4行",
        "第5行",
        "第6行",
        "第6行",
        "第6行",
        "第7行",
        "第8行",
        "第9行",
    ]
    assert "第3行 [单位]: 未知的单位「县月球局」" in lines[1]
    assert lines[2].startswith("第4行 [手机]: 不是有效的手机号码") and lines[3].startswith(
        "第4行 [邮箱]: 不是有效的电子邮箱"
    )
    assert lines[4] == "第5行 [姓名]: 通讯录中已有该联系人 (编号 1)"
    assert [line.split(":", 1)[0] for line in lines[5:8]] == [
        "第6行 [角色]",
        "第6行 [接收渠道]",
        "第6行 [生效日期]",
    ]
    assert lines[8] == "第7行 [姓名]: 必填, 不能为空"
    assert lines[9] == "第8行 [整行]: 与第2行重复"
    assert lines[10].startswith("第9行 [手机]: 至少须有一种联系方式")
    assert [c["name"] for c in roster(cli)] == ["张三"]
    assert cli("audit", "verify", "--json").json() == before


def test_template_round_trip(cli: Cli, tmp_path: Path) -> None:
    """The template has the header, drop-downs of units and roles and a 填写说明 sheet; filled in
    with openpyxl (names, a key, a channel list, dates), it imports as it is."""
    path = tmp_path / "通讯录.xlsx"
    written = cli("contact", "template", str(path))
    assert written.code == 0 and "已写出通讯录模板" in written.out
    assert cli("contact", "template", str(path)).code == 1  # never over an existing file
    workbook = openpyxl.load_workbook(path)
    sheet, guide = workbook.worksheets
    assert (sheet.title, guide.title) == ("通讯录", "填写说明")
    assert [c.value for c in sheet[1]] == [*HEADERS, "所属专项整治组"]
    lists = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation if v.type == "list"}
    assert set(lists) == {"A2", "C2", "K2"}  # 单位, 角色, 所属专项整治组; 接收渠道 takes several: none
    guide_text = " ".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "县住建局" in guide_text and "leading_group_office" in guide_text and "短信" in guide_text
    sheet.append(
        [
            "县住建局",
            "张三",
            None,
            "13800138000",
            "zs@example.gov.cn",
            None,
            None,
            "电子邮件、短信",
            dt.datetime(2099, 8, 17),
            None,
        ]
    )
    sheet.append(
        [
            "discipline_commission",
            "王主任",
            "县干部作风整顿领导小组办公室",
            None,
            "wang@example.gov.cn",
            "wangzhuren",
            None,
            "企业微信",
            None,
            "2099-12-31",
        ]
    )
    workbook.save(path)
    result = cli("contact", "import", str(path), *OFFICE)
    assert result.code == 0, result.err
    assert "已导入 2 名联系人" in result.out
    assert [
        (c["unit"], c["name"], c["role"], c["channels"], c["active_from"], c["active_to"])
        for c in roster(cli)
    ] == [
        ("housing_construction_bureau", "张三", "contact", ["email", "sms"], FUTURE, None),
        ("discipline_commission", "王主任", "leading_group_office", ["wecom"], None, "2099-12-31"),
    ]


def test_a_message_nobody_received_goes_out_after_the_contact_is_added(cli: Cli, tmp_path: Path) -> None:
    """Assigned to a unit with no contact: a dead letter; after ``contact add``, ``outbox retry
    --all-dead`` routes it to the new contact and ``outbox send`` delivers it (file channel)."""
    item = cli(
        "item",
        "add",
        "--title",
        "施工许可审批超时",
        "--description",
        "审批超时",
        "--track",
        "construction",
        "--channel",
        "hotline",
        *OFFICE,
        "--json",
    ).json()["id"]
    assert (
        cli(
            "item",
            "fire",
            str(item),
            "assign",
            "--unit",
            "housing_construction_bureau",
            "--due",
            FUTURE,
            *OFFICE,
        ).code
        == 0
    )
    (dead,) = [m for m in cli("outbox", "list", "--json").json() if m["item_id"] == item]
    assert (dead["status"], dead["channel"], dead["recipient"]) == (
        "dead",
        "unrouted",
        "unit:housing_construction_bureau",
    )

    added = cli(
        "contact",
        "add",
        "--unit",
        "县住建局",
        "--name",
        "张三",
        "--email",
        "zs@example.gov.cn",
        "--channels",
        "email",
        *OFFICE,
    )
    assert "用 zhenggai outbox retry --all-dead" in added.out
    retried = cli("outbox", "retry", "--all-dead")
    assert retried.code == 0 and f"已重新排队 1 条死信: {dead['id']}" in retried.out

    sent_file = tmp_path / "sent.jsonl"
    config = tmp_path / "delivery.toml"
    config.write_text(f'[file]\npath = "{sent_file}"\nchannels = ["email", "sms"]\n', encoding="utf-8")
    sent = cli("outbox", "send", "--config", str(config))
    assert sent.code == 0 and "已发送 1 条" in sent.out
    (row,) = [m for m in cli("outbox", "list", "--json").json() if m["item_id"] == item]
    assert (row["id"], row["status"], row["channel"], row["recipient"]) == (
        dead["id"],
        "sent",
        "email",
        "zs@example.gov.cn",
    )
    (message,) = [json.loads(line) for line in sent_file.read_text(encoding="utf-8").splitlines()]
    assert message["to"] == "zs@example.gov.cn" and "施工许可审批超时" in message["subject"]
    assert cli("outbox", "retry", "--all-dead").out.startswith("已重新排队 0 条死信")


def test_campaign_migrate_takes_over_the_new_versions_contacts(cli: Cli, tmp_path: Path) -> None:
    """The issue's case: a new version with contacts leaves them in the roster (none removed)."""
    cli("contact", "add", "--unit", "县住建局", "--name", "张三", "--mobile", "13800138000", *OFFICE)
    base = load_setup(weekends_plan())
    units = [
        u.model_copy(
            update={"contacts": [ContactSpec(name=f"{u.name}联络员", email=f"{u.id}@example.gov.cn")]}
        )
        for u in base.units
    ]
    plan = tmp_path / "v2.yaml"
    plan.write_text(
        dump_setup(base.model_copy(update={"definition_version": "2023.2", "units": units})), encoding="utf-8"
    )
    result = cli("campaign", "migrate", "--campaign", "county_2023", "--definition", str(plan), *OFFICE)
    assert result.code == 0, result.err
    contacts = roster(cli)
    assert len(contacts) == len(units) + 1 and contacts[0]["name"] == "张三"
    assert cli("contact", "list", "--json").json()["unreachable"]["units"] == []


def test_init_and_status_name_who_cannot_be_reached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "new.db")
    code = main(["--db", db, "init", "--definition", weekends_plan(), "--start", dt.date.today().isoformat()])
    out = capsys.readouterr().out
    assert code == 0
    assert "\n无可达联系人的单位 (37): 县纪委县监委、县委办、" in out
    assert "\n无可达联系人的角色 (7): 县干部作风整顿领导小组办公室、县优化营商环境工作领导小组、" in out
    assert out.rstrip().splitlines()[-1].startswith("  发给它们的消息将成为死信")
    assert (
        main(
            [
                "--db",
                db,
                "contact",
                "add",
                "--unit",
                "县纪委县监委",
                "--name",
                "王主任",
                "--contact-role",
                "leading_group_office",
                "--email",
                "w@example.gov.cn",
                *OFFICE,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["--db", db, "status"]) == 0
    status = capsys.readouterr().out
    assert "无可达联系人的单位 (36):" in status and "县纪委县监委、" not in status
    assert "无可达联系人的角色 (6): 县优化营商环境工作领导小组、" in status
    assert main(["--db", db, "status", "--json"]) == 0
    unreachable = json.loads(capsys.readouterr().out)["unreachable"]["county_2023"]
    assert (
        len(unreachable["units"]) == 36
        and ["leading_group_office", "县干部作风整顿领导小组办公室"] not in unreachable["roles"]
    )
