"""Items and audit events as officials read them: the item table, timeline entries, field lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from zhenggai.engine import EventView, ItemView, MeasureView

from ._labels import Labels
from ._tables import display_width, format_date, format_time, pad, render_table, truncate

__all__ = ["event_lines", "item_table"]


#: Columns of the longest time text: 2023年12月31日(星期一) 09:00.
TIME_WIDTH = 28
#: Labels of event data keys shown in the timeline's 说明.
DATA_LABELS: Mapping[str, str] = {
    "title": "标题",
    "track": "专项",
    "channel": "来源渠道",
    "severity": "问题程度",
    "unit": "责任单位",
    "from_unit": "原责任单位",
    "due": "整改时限",
    "due_rule": "整改时限依据",
    "leading_official": "领衔领导",
    "text": "措施",
    "measure_id": "措施编号",
    "finding": "回头看发现",
    "reason": "理由",
    "survivor_id": "合并到问题",
    "note": "备注",
    "step_label": "督办步骤",
    "caught_up": "补办(已合并)",
    "missed": "错过(待人工处理)",
    "approved_by": "批准角色",
    "days_left": "剩余工作日",
    "old_due": "原整改时限",
    "root_cause": "根源分析",
    "people": "被问责人数",
    "mechanisms": "长效机制",
    "where": "通报载体",
    "on": "通报日期",
    "key_id": "现用密钥",
    "resealed": "改用现用密钥",
    "sealed_plaintext": "明文改为加密",
    "unchanged": "已是现用密钥",
}


def item_table(
    items: Sequence[ItemView],
    *,
    measures: Mapping[int, Sequence[MeasureView]] | None = None,
    campaign_column: bool = False,
) -> str:
    """The readable item table (编号, 问题编号, 标题, 专项, 状态, 责任单位, 整改时限, 版本)."""
    headers = ["编号", "问题编号", "标题", "专项", "状态", "责任单位", "整改时限", "版本"]
    aligns = [">", "<", "<", "<", "<", "<", "<", ">"]
    if measures is not None:
        headers.insert(7, "措施(完成/总数)")
        aligns.insert(7, ">")
    if campaign_column:
        headers.insert(1, "专项行动")
        aligns.insert(1, "<")
    rows = []
    for item in items:
        row = [
            str(item.id),
            item.number or "-",
            truncate(_flat(item.title), 36),
            truncate(item.track_name, 28),
            item.state_label,
            item.unit_name or "-",
            format_date(item.due) or "-",
            str(item.version),
        ]
        if measures is not None:
            ms = measures.get(item.id, ())
            row.insert(7, f"{sum(1 for m in ms if m.done_at is not None)}/{len(ms)}")
        if campaign_column:
            row.insert(1, item.campaign)
        rows.append(row)
    return render_table(headers, rows, aligns=aligns)


def _flat(text: str) -> str:
    """``text`` on one line (a table cell or a timeline entry must not break)."""
    return " ".join(text.split())


def _details(event: EventView, labels: Labels) -> str:
    parts = []
    for key in DATA_LABELS:
        value = event.data.get(key)
        if value is None or value == "":
            continue
        if key in ("unit", "from_unit"):
            value = labels.unit(value)
        elif key == "due":
            value = format_date(dt.date.fromisoformat(value))
        elif key == "track":
            value = labels.tracks.get(value, value)
        elif key == "channel":
            value = labels.channels.get(value, value)
        elif key == "severity":
            value = labels.severities.get(value, value)
        elif key in ("survivor_id", "measure_id"):
            value = str(value)
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        label = "措施完成时限" if key == "due" and event.trigger == "add_measure" else DATA_LABELS[key]
        parts.append(f"{label}: {_flat(str(value))}")
    return "; ".join(parts)


def _state_change(event: EventView, labels: Labels) -> str:
    if event.from_state is None and event.to_state is None:
        return ""
    if event.from_state == event.to_state:
        return f"{labels.state(event.to_state)} (状态不变)"
    return f"{labels.state(event.from_state) or '新登记'} → {labels.state(event.to_state)}"


def event_lines(event: EventView, labels: Labels, *, item_column: bool = False) -> list[str]:
    """One audit event as a timeline entry: time, (item), 操作, from → to, actor and role;
    its details on an indented second line."""
    actor = f"{event.actor} ({labels.role(event.role)}"
    actor += f", {labels.unit(event.unit)})" if event.unit else ")"
    cells = [pad(format_time(event.at, labels.tz), TIME_WIDTH)]
    if item_column:
        cells.append(pad(f"问题{event.item_id}" if event.item_id is not None else "", 7))
    cells += [pad(labels.trigger(event.trigger), 14), pad(_state_change(event, labels), 22), actor]
    lines = ["  ".join(cells).rstrip()]
    details = _details(event, labels)
    if details:
        indent = TIME_WIDTH + 2 + (9 if item_column else 0)
        lines.append(" " * indent + "说明: " + details)
    return lines


def _field_lines(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """``label  value`` lines, labels padded to one width; a value's further lines indented."""
    width = max(display_width(label) for label, _ in pairs)
    indent = "\n" + " " * (width + 4)
    return [f"  {pad(label, width)}  {indent.join(value.splitlines())}" for label, value in pairs]
