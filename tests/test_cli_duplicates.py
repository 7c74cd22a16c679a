"""``zhenggai duplicate list | resolve`` (关联研判) and ``zhenggai item case`` (典型案例)."""

from __future__ import annotations

from tests.test_cli import BUREAU, OFFICE, Cli, add_item, cli, db, init  # noqa: F401  (fixtures)


def test_similar_reports_are_listed_and_a_person_merges_them(cli: Cli, db: str) -> None:
    init(cli, db)
    first = add_item(cli, db, "施工许可审批超时")
    second = add_item(cli, db, "施工许可审批超时问题")
    other = cli(
        "--db",
        db,
        "item",
        "add",
        "--title",
        "征地补偿款拖欠",
        "--description",
        "村民反映补偿款迟迟未到位",
        "--track",
        "construction",
        "--channel",
        "hotline",
        *OFFICE,
    )
    assert other.code == 0, other.err
    listed = cli("--db", db, "duplicate", "list")
    assert listed.code == 0, listed.err
    lines = listed.out.splitlines()
    assert lines[0].split() == ["编号", "问题", "疑似重复于", "相似度", "研判"]
    assert (
        len(lines) == 3
        and f"#{second} 施工许可审批超时问题" in lines[2]
        and f"#{first} 施工许可审批超时" in lines[2]
    )
    assert "待研判" in lines[2] and "征地" not in listed.out

    refused = cli("--db", db, "duplicate", "resolve", "1", "--merge", *BUREAU)
    assert refused.code == 1 and refused.err.startswith("错误: 无权操作")
    both = cli("--db", db, "duplicate", "resolve", "1", *OFFICE)
    assert both.code == 2 and "用法错误" in both.err
    merged = cli("--db", db, "duplicate", "resolve", "1", "--merge", "--note", "同一项目", *OFFICE)
    assert merged.code == 0 and merged.out == f"疑似重复 1: 问题 {second} 已合并到问题 {first}\n"
    assert cli("--db", db, "duplicate", "list").out == "没有待研判的疑似重复问题。\n"
    assert "已合并" in cli("--db", db, "duplicate", "list", "--all").out
    shown = cli("--db", db, "item", "show", str(second), "--json").json()
    assert shown["item"]["state"] == "merged"
    again = cli("--db", db, "duplicate", "resolve", "1", "--distinct", *OFFICE)
    assert again.code == 1 and "已于" in again.err
    missing = cli("--db", db, "duplicate", "resolve", "99", "--distinct", *OFFICE)
    assert missing.code == 1 and missing.err.startswith("错误:")


def test_item_case_marks_a_typical_case(cli: Cli, db: str) -> None:
    init(cli, db)
    item = add_item(cli, db)
    done = cli("--db", db, "item", "case", str(item), "--note", "审批拖延, 以案为鉴", *OFFICE)
    assert done.code == 0 and done.out == f"问题 {item} 已标记为典型案例: 审批拖延, 以案为鉴 (第 2 版)\n"
    refused = cli("--db", db, "item", "case", str(item), "--note", "x", *BUREAU)
    assert refused.code == 1 and "无权操作" in refused.err
    assert (
        cli("--db", db, "item", "show", str(item), "--json").json()["item"]["case_note"]
        == "审批拖延, 以案为鉴"
    )
