"""The blank lists to fill in (.xlsx with input hints, drop-down lists and a 填写说明 sheet): the
problem list of ``zhenggai import --template`` and the frame the roster template uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import Engine

from ._import import _TEXT_LIMITS, COLUMNS, Column, Vocabulary
from ._sheets import MAX_ROWS, ImportFileError

__all__ = ["template_target", "write_list_template", "write_template"]


def write_template(engine: Engine, campaign: str, path: Path) -> Path:
    """An empty problem list at ``path`` (.xlsx): the header row with input hints and drop-down
    lists, and a 填写说明 sheet with the rules and the campaign's tracks, channels, severities
    and units (the lists' source). An existing file is never overwritten."""
    target = template_target(path)
    vocabulary = Vocabulary.load(engine, campaign)
    view = engine.campaign(campaign)
    lists = [
        ("所属领域", vocabulary.tracks),
        ("来源渠道", vocabulary.channels),
        ("问题程度", vocabulary.severities),
        ("责任单位", vocabulary.units),
    ]
    rules = [
        "每行填写一个问题; 第一行是表头, 请勿改动表头文字; 只读取第一个工作表, 空行不读取。",
        "问题标题、问题描述、所属领域、来源渠道必填; 其余各列可不填。",
        "所属领域、来源渠道、问题程度、责任单位: 从下拉列表选择, 即下表的名称 (也可填标识)。",
        (
            "整改时限填日期, 如 2023-08-15、2023/8/15 或 2023年8月15日, 不能早于导入当天; "
            "填写整改时限或牵头领导须同时填写责任单位; 不填整改时限时按实施方案的规定计算。"
        ),
        "填写了责任单位的问题, 导入时即交办该单位。",
        "不要合并单元格; 公式须有计算结果 (最好另存为数值); 最多 20000 行。",
        "导入全部成功或全部不导入: 有问题时逐条列出行号、列名和原因, 改正后重新导入。",
        f"导入命令: zhenggai import 文件.xlsx --campaign {view.key}",
    ]
    checks: dict[str, dict[str, Any]] = {
        "due": {
            "validate": "date",
            "criteria": ">=",
            "value": vocabulary.today,
            "error_message": f"须为不早于 {vocabulary.today.isoformat()} 的日期",
        }
    }
    for name, limit in _TEXT_LIMITS.items():
        checks[name] = {
            "validate": "length",
            "criteria": "<=",
            "value": limit,
            "error_message": f"不超过 {limit} 字",
        }
    widths = {
        "title": 30,
        "description": 50,
        "track": 24,
        "channel": 16,
        "severity": 10,
        "unit": 24,
        "due": 14,
        "leading_official": 12,
    }
    return write_list_template(
        target,
        created=engine.clock.now(),
        sheet_name="问题清单",
        title=f"问题清单填写说明: {view.title}",
        subtitle=f"专项行动标识 {view.key}; 模板生成于 {vocabulary.today.isoformat()}",
        layout=COLUMNS,
        lists=lists,
        rules=rules,
        widths=widths,
        checks=checks,
        dates=("due",),
    )


def template_target(path: Path) -> Path:
    """Where a template named ``path`` is written: an .xlsx that does not exist yet."""
    from .reports._files import out_file

    if path.suffix.lower() != ".xlsx":
        raise ImportFileError(f"模板须为 .xlsx 文件: {path.name}")
    target = out_file(path.parent, path.name)
    if target.exists():
        raise ImportFileError(f"文件已存在, 不覆盖: {target}")
    return target


def write_list_template(
    target: Path,
    *,
    created: dt.datetime,
    sheet_name: str,
    title: str,
    subtitle: str,
    layout: Sequence[Column],
    lists: Sequence[tuple[str, Mapping[str, str]]],
    rules: Sequence[str],
    widths: Mapping[str, int],
    checks: Mapping[str, Mapping[str, Any]],
    dates: Sequence[str] = (),
) -> Path:
    """An empty list to fill in at ``target``: a sheet ``sheet_name`` with the ``layout``'s header
    (required columns marked), an input hint on each column, a drop-down list on each column
    named like one of ``lists`` (header → key → label), the data validation ``checks`` gives
    the others (``validate``, ``criteria``, ``value``, ``error_message``); and a 填写说明 sheet with
    ``title``, ``rules``, the columns and the lists' names and keys (the drop-downs' source)."""
    from .reports._files import cell_text, new_workbook

    guide = "填写说明"
    list_row = 4 + len(rules) + 2 + len(layout) + 2  # 0-based row of the lists' header
    workbook = new_workbook(target, created=created)
    try:
        bold = workbook.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        required = workbook.add_format(
            {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        text_format = workbook.add_format({"num_format": "@", "text_wrap": True})
        sheet = workbook.add_worksheet(sheet_name)
        last = MAX_ROWS  # 0-based last data row
        for col, column in enumerate(layout):
            sheet.set_column(
                col, col, widths.get(column.field, 16), date_format if column.field in dates else text_format
            )
            sheet.write_string(0, col, column.header, required if column.required else bold)
            hint = f"{'必填' if column.required else '选填'}: {column.hint}"
            options: dict[str, Any] = {"input_title": column.header, "input_message": hint[:255]}
            choice = next((i for i, (name, _) in enumerate(lists) if name == column.header), None)
            if choice is not None:
                size = max(len(lists[choice][1]), 1)
                first = list_row + 2  # 1-based first row of the list
                letter = "ABCDEFGHIJKLMNOP"[choice * 2]
                options.update(
                    {
                        "validate": "list",
                        "source": f"='{guide}'!${letter}${first}:${letter}${first + size - 1}",
                        "error_title": column.header,
                        "error_message": f"请从下拉列表选择 (见「{guide}」工作表)",
                    }
                )
            elif column.field in checks:
                options.update({"error_title": column.header, **checks[column.field]})
            else:
                options["validate"] = "any"
            sheet.data_validation(1, col, last, col, options)
        sheet.set_row(0, 30)
        sheet.freeze_panes(1, 0)

        notes = workbook.add_worksheet(guide)
        notes.set_column(0, 2 * len(lists) - 1, 22)
        heading = workbook.add_format({"bold": True, "font_size": 14})
        notes.write_string(0, 0, cell_text(title), heading)
        notes.write_string(1, 0, cell_text(subtitle))
        for i, rule in enumerate(rules, 1):
            notes.write_string(2 + i, 0, f"{i}. {rule}")
        row = 4 + len(rules)
        for col, text in enumerate(("列名", "是否必填", "填写内容")):
            notes.write_string(row, col, text, bold)
        for i, column in enumerate(layout, 1):
            notes.write_string(row + i, 0, column.header)
            notes.write_string(row + i, 1, "必填" if column.required else "选填")
            notes.write_string(row + i, 2, column.hint)
        for choice, (name, _) in enumerate(lists):
            notes.write_string(list_row, choice * 2, name, bold)
            notes.write_string(list_row, choice * 2 + 1, f"{name}标识", bold)
        longest = max(len(values) for _, values in lists)
        columns = [list(values.items()) for _, values in lists]
        for r in range(longest):
            for choice, pairs in enumerate(columns):
                if r < len(pairs):
                    key, label = pairs[r]
                    notes.write_string(list_row + 1 + r, choice * 2, str(cell_text(label)))
                    notes.write_string(list_row + 1 + r, choice * 2 + 1, str(cell_text(key)))
    finally:
        workbook.close()
    return target
