"""``zhenggai calendar list | show YEAR | load FILE``: the working-day calendar's years.

The statutory data comes with the installed ``chinesecalendar`` package and stops at the last
year it has a State Council notice for; a county loads the next year itself from the notice
(a small YAML file, :func:`zhenggai.workflows.load_calendar_year`) when it is published. Every
campaign on the statutory calendar in the database counts on it from then on; ``campaign
recompute`` moves the deadlines a rule counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence

from zhenggai.engine import CalendarYearView

from ._context import ActorTuple, _actor, _print_json, open_engine
from ._tables import display_width, pad

__all__ = ["CALENDAR_COMMANDS", "calendar_rows"]

_WEEKDAYS = "一二三四五六日"
_ORIGIN = {"package": "内置", "loaded": "载入"}
_REPLACES = {"package": "替换内置数据", "loaded": "替换此前载入"}


def _day(day: dt.date) -> str:
    return f"{day.isoformat()} (星期{_WEEKDAYS[day.weekday()]})"


def _when(view: CalendarYearView) -> str:
    if view.loaded_at is None:
        return ""
    local = view.loaded_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{view.loaded_by} 于 {local:%Y-%m-%d %H:%M} 载入"


def calendar_rows(views: Sequence[CalendarYearView]) -> list[tuple[str, str, str, str]]:
    """(years, 来源, 状态, 依据) per year, the package's contiguous years in force on one row
    (``calendar list`` and the operator's calendar page)."""
    rows: list[tuple[str, str, str, str]] = []
    run: list[CalendarYearView] = []

    def flush() -> None:
        if run:
            years = f"{run[0].year}" if len(run) == 1 else f"{run[0].year}-{run[-1].year}"
            rows.append((years, "内置", "使用中", "chinesecalendar (国务院办公厅节假日安排通知)"))
            run.clear()

    for view in views:
        if view.origin == "package" and view.in_force:
            run.append(view)
            continue
        flush()
        state = "使用中" if view.in_force else "已替换"
        source = view.source + (f" ({view.notice})" if view.notice else "")
        if view.origin == "loaded":
            source += f"; {_when(view)}" + (f", {_REPLACES[view.replaces]}" if view.replaces else "")
        rows.append((str(view.year), _ORIGIN[view.origin], state, source))
    flush()
    return rows


def cmd_calendar_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """The years the database counts working days in (contiguous package years on one line)."""
    with open_engine(db) as engine:
        views = engine.calendar_years()
    if args.json:
        _print_json([v.to_dict() | {"holidays": len(v.holidays)} for v in views])
        return 0
    rows = calendar_rows(views)
    print("工作日历 (节假日和调休上班日)")
    widths = [max(display_width(r[k]) for r in [("年份", "来源", "状态", "依据"), *rows]) for k in range(3)]
    for row in [("年份", "来源", "状态", "依据"), *rows]:
        print("  " + "  ".join(pad(row[k], widths[k]) for k in range(3)) + "  " + row[3])
    last = max(v.year for v in views)
    print(
        f"{last + 1} 年及以后没有节假日安排: 通知发布后用 zhenggai calendar load 文件 载入;"
        " 在此之前落在这些年份的督办步骤待日历, 按规则计算的整改时限不能交办"
    )
    return 0


def cmd_calendar_show(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """One year's arrangement: each holiday, its make-up working days, the year's totals."""
    with open_engine(db) as engine:
        view = engine.calendar_year(args.year)
    if args.json:
        _print_json(view.to_dict())
        return 0
    print(
        f"{view.year} 年节假日安排 ({_ORIGIN[view.origin]}; {view.source}{f', {view.notice}' if view.notice else ''})"
    )
    if view.origin == "loaded":
        print(
            f"  {_when(view)}"
            + (f" ({_REPLACES[view.replaces]})" if view.replaces else "")
            + f"; 文件 SHA-256 {view.sha256}"
        )
    width = max(display_width(h.name) for h in view.holidays)
    for h in view.holidays:
        days = (h.end - h.start).days + 1
        text = (
            f"{_day(h.start)} 至 {_day(h.end)}, 放假 {days} 天" if days > 1 else f"{_day(h.start)}, 放假 1 天"
        )
        if h.makeup:
            text += "; 调休上班: " + "、".join(_day(d) for d in h.makeup)
        print(f"  {pad(h.name, width)}  {text}")
    print(f"  全年工作日 {view.working_days} 天, 休息日 {view.days_off} 天 (不含各县自定的节假日)")
    return 0


def cmd_calendar_load(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """Check a year file, store it, say what it armed and what to run next."""
    from zhenggai.workflows import load_calendar_year

    checked = load_calendar_year(args.file)
    with open_engine(db, create=True) as engine:  # a county may load the year before its first campaign
        waiting = engine.status().awaiting_calendar
        view = engine.load_calendar_year(
            checked.spec, _actor(actor), replace=args.replace, sha256=checked.sha256
        )
        armed = waiting - engine.status().awaiting_calendar
        campaigns = [c.key for c in engine.campaigns()]
    if args.json:
        _print_json(view.to_dict() | {"armed_steps": armed})
        return 0
    makeup = sum(len(h.makeup) for h in view.holidays)
    print(f"已载入 {view.year} 年节假日安排: {view.source}" + (f" ({view.notice})" if view.notice else ""))
    print(
        f"  放假 {len(view.holidays)} 段, 调休上班 {makeup} 天; 全年工作日 {view.working_days} 天, 休息日 {view.days_off} 天"
    )
    if view.replaces:
        print(f"  {_REPLACES[view.replaces]}")
    print(f"  待日历的督办步骤: {armed} 个已按新日历启用" if armed else "  没有待日历的督办步骤")
    if campaigns:
        print(
            "  按规则计算的整改时限不会自动改变; 请逐个专项行动运行: "
            + "; ".join(f"zhenggai campaign recompute --campaign {key}" for key in campaigns)
        )
    return 0


CALENDAR_COMMANDS = {
    "calendar_list": cmd_calendar_list,
    "calendar_show": cmd_calendar_show,
    "calendar_load": cmd_calendar_load,
}
