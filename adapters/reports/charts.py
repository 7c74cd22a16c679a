"""Charts for the progress bulletin (工作进展通报), as PNG bytes.

matplotlib draws them with the Agg renderer on a :class:`~matplotlib.figure.Figure` of its own
(no ``pyplot``, no global ``rcParams`` changes: safe to call from several threads). Chinese
text is set in Noto Sans CJK SC, which the ``noto-cjk-sans-otc`` wheel ships (a dependency in
``pyproject.toml``), so no system font has to be installed: the collection is registered with
matplotlib's font manager once, on first use, and every text element gets its font explicitly.

The output is deterministic: the same numbers give the same bytes (no date or software
version in the PNG's metadata).

- :func:`bar_chart` and :func:`trend_chart` are the two shapes;
- :func:`progress_charts` draws the five charts of a :class:`~zhenggai.engine.ProgressReport`:
  items by track, by state, by light (green / yellow / red), overdue items by unit (the
  ``top`` units with most), and the weekly trend (reported, closed, open).
- :func:`target_chart` and :func:`cumulative_chart` are the 五个一批 shapes (each outcome's
  count against its target, as a share of the target; the five cumulative counts by week);
  :func:`five_outcomes_charts` draws both for a :class:`~zhenggai.engine.FiveOutcomes`.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from zhenggai.engine import FiveOutcomes, ProgressReport, TrendPoint

__all__ = [
    "CJK_FAMILY",
    "LIGHT_COLOURS",
    "OUTCOME_UNITS",
    "Chart",
    "bar_chart",
    "cumulative_chart",
    "five_outcomes_charts",
    "outcome_summary",
    "progress_charts",
    "target_chart",
    "trend_chart",
]

#: The font family every chart text uses (from the noto-cjk-sans-otc wheel).
CJK_FAMILY = "Noto Sans CJK SC"
#: Fallback for a character Noto Sans CJK lacks (matplotlib's own font, always there).
_FALLBACK_FAMILY = "DejaVu Sans"
#: 红/黄/绿灯 as the ledger colours them; any other light is grey.
LIGHT_COLOURS: Mapping[str, str] = {"green": "#2e7d32", "yellow": "#f2a900", "red": "#c62828"}
_BAR = "#1f5fa8"
_OVERDUE = "#c62828"
_GREY = "#9e9e9e"
_LINES = {"reported": "#1f5fa8", "closed": "#2e7d32", "open": "#c62828"}
#: The 五个一批 lines, in the plan's order (a sixth series and beyond cycle through them).
_SERIES = ("#1f5fa8", "#c62828", "#f2a900", "#2e7d32", "#6a1b9a")
_MET = "#2e7d32"
_TARGET = "#e0e0e0"
#: What each of the five outcomes counts (件 problems, 起 cases, 人 people, 项 mechanisms);
#: an outcome key not listed here is counted without a measure word.
OUTCOME_UNITS: Mapping[str, str] = {
    "problems_found": "件",
    "cases_published": "起",
    "people_educated": "人",
    "problems_solved": "件",
    "mechanisms_established": "项",
}
_SIZE = (8.0, 4.5)  # inches
_DPI = 100
#: Weeks labelled on the trend's x axis at most (every n-th week beyond that).
_MAX_TICKS = 12

_lock = threading.Lock()
_registered = False


@dataclass(frozen=True, slots=True)
class Chart:
    """One drawn chart: ``key`` (``by_track`` …), its Chinese ``title``, a one-line ``summary``
    of what it shows (the HTML's alt text), and the PNG."""

    key: str
    title: str
    summary: str
    png: bytes


def _font(size: float | None = None) -> FontProperties:
    """Noto Sans CJK SC (registered on first use), falling back to DejaVu Sans. The wheel
    ships the Regular weight only, so titles are set larger rather than bold."""
    from matplotlib.font_manager import FontProperties

    _register_font()
    return FontProperties(family=[CJK_FAMILY, _FALLBACK_FAMILY], size=size)


def _register_font() -> None:
    global _registered
    with _lock:
        if _registered:
            return
        import noto_cjk_sans_otc
        from matplotlib import font_manager

        path = noto_cjk_sans_otc.FONT_PATH
        if not any(entry.name == CJK_FAMILY for entry in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(str(path))
        _registered = True


def _figure() -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=_SIZE, dpi=_DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None}, facecolor="white")
    return buffer.getvalue()


def _title(figure: Figure, title: str) -> None:
    figure.suptitle(title, fontproperties=_font(15), y=0.97)


def _empty(axes: Axes, note: str) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    for side in ("left", "bottom"):
        axes.spines[side].set_visible(False)
    axes.text(
        0.5,
        0.5,
        note,
        ha="center",
        va="center",
        transform=axes.transAxes,
        fontproperties=_font(13),
        color="#555555",
    )


#: The most characters of a tick label; a longer one (an 85-character unit name) is cut with
#: ``…`` (the chart's text summary keeps the whole name), else the axes have no room left.
_MAX_TICK = 16


def _ticks(labels: Sequence[str]) -> list[str]:
    return [label if len(label) <= _MAX_TICK else label[: _MAX_TICK - 1] + "…" for label in labels]


def _style_ticks(axes: Axes) -> None:
    font = _font(10)
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontproperties(font)


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    *,
    colours: Sequence[str] | None = None,
    horizontal: bool = False,
    unit: str = "件",
    empty_note: str = "暂无数据",
) -> bytes:
    """A bar chart as PNG: one bar per label, its value written at its end.

    ``horizontal`` bars read top to bottom in the given order (for long unit names);
    ``colours`` one per bar (default: one blue). With no label, or every value 0, the chart
    says ``empty_note`` instead.
    """
    from matplotlib.ticker import MaxNLocator

    if len(labels) != len(values) or (colours is not None and len(colours) != len(values)):
        raise ValueError("labels, values and colours must have the same length")
    figure, axes = _figure()
    _title(figure, title)
    if not labels or not any(values):
        _empty(axes, empty_note)
        return _png(figure)
    colour_list = list(colours) if colours is not None else [_BAR] * len(values)
    positions = list(range(len(labels)))
    top = max(values)
    text_font = _font(10)
    if horizontal:
        bars = axes.barh(positions, values, color=colour_list, height=0.6)
        axes.set_yticks(positions, _ticks(labels))
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.15 + 1)
        axes.set_xlabel(unit, fontproperties=text_font)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        bars = axes.bar(positions, values, color=colour_list, width=0.6)
        axes.set_xticks(positions, _ticks(labels))
        axes.set_ylim(0, top * 1.15 + 1)
        axes.set_ylabel(unit, fontproperties=text_font, rotation=0, labelpad=12)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        # Slant the labels when the widest (about 14 px a character at 10 pt) would not fit
        # under its bar (the plot is about 700 px wide).
        if max(len(label) for label in _ticks(labels)) * 14 > 0.9 * 700 / len(labels):
            for label in axes.get_xticklabels():
                label.set_rotation(30)
                label.set_horizontalalignment("right")
    axes.bar_label(bars, labels=[str(v) for v in values], padding=2, fontproperties=text_font)
    _style_ticks(axes)
    figure.tight_layout()
    return _png(figure)


def trend_chart(title: str, points: Sequence[TrendPoint], *, empty_note: str = "暂无数据") -> bytes:
    """Weekly lines as PNG: items reported and closed in each week, and open at its end.

    The x axis names each week by its Monday (``8/7``), at most twelve labels.
    """
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure()
    _title(figure, title)
    if not points:
        _empty(axes, empty_note)
        return _png(figure)
    positions = list(range(len(points)))
    series = (
        ("reported", "新增", [p.reported for p in points]),
        ("closed", "办结", [p.closed for p in points]),
        ("open", "未办结 (周末)", [p.open for p in points]),
    )
    for key, label, values in series:
        axes.plot(positions, values, color=_LINES[key], marker="o", markersize=3, linewidth=1.8, label=label)
    step = max(1, -(-len(points) // _MAX_TICKS))
    ticks = positions[::step]
    axes.set_xticks(ticks, [f"{points[i].week_start.month}/{points[i].week_start.day}" for i in ticks])
    axes.set_xlabel("周 (以周一日期标注)", fontproperties=_font(10))
    axes.set_ylabel("件", fontproperties=_font(10), rotation=0, labelpad=12)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.legend(prop=_font(10), frameon=False, loc="upper left")
    _style_ticks(axes)
    figure.tight_layout()
    return _png(figure)


def progress_charts(report: ProgressReport, *, top: int = 10) -> list[Chart]:
    """The progress bulletin's charts, in the order it shows them."""
    charts: list[Chart] = []

    def add(key: str, title: str, summary: str, png: bytes) -> None:
        charts.append(Chart(key, title, summary, png))

    def listing(pairs: Sequence[tuple[str, int]]) -> str:
        return "; ".join(f"{label} {count} 件" for label, count in pairs) or "暂无数据"

    tracks = [(t.label, t.count) for t in report.by_track]
    add(
        "by_track",
        "问题按领域分布",
        listing(tracks),
        bar_chart("问题按领域分布", [t[0] for t in tracks], [t[1] for t in tracks]),
    )

    states = [(t.label, t.count) for t in report.by_state]
    add(
        "by_state",
        "问题按办理状态分布",
        listing(states),
        bar_chart("问题按办理状态分布", [t[0] for t in states], [t[1] for t in states]),
    )

    lights = [(t.label, t.count) for t in report.by_light]
    add(
        "by_light",
        "未办结问题红黄绿灯预警情况",
        listing(lights),
        bar_chart(
            "未办结问题红黄绿灯预警情况",
            [t[0] for t in lights],
            [t[1] for t in lights],
            colours=[LIGHT_COLOURS.get(t.key, _GREY) for t in report.by_light],
        ),
    )

    overdue = sorted((u for u in report.by_unit if u.overdue > 0), key=lambda u: (-u.overdue, u.unit_name))[
        :top
    ]
    overdue_title = f"逾期问题最多的单位 (前 {top} 位)"
    add(
        "overdue_by_unit",
        overdue_title,
        listing([(u.unit_name, u.overdue) for u in overdue]) if overdue else "无逾期问题",
        bar_chart(
            overdue_title,
            [u.unit_name for u in overdue],
            [u.overdue for u in overdue],
            colours=[_OVERDUE] * len(overdue),
            horizontal=True,
            empty_note="无逾期问题",
        ),
    )

    trend = report.trend
    trend_summary = (
        f"{trend[0].week_start.isoformat()} 起 {len(trend)} 周; 最近一周新增 {trend[-1].reported} 件,"
        f" 办结 {trend[-1].closed} 件, 周末未办结 {trend[-1].open} 件"
        if trend
        else "暂无数据"
    )
    add(
        "trend", "每周新增、办结与未办结问题", trend_summary, trend_chart("每周新增、办结与未办结问题", trend)
    )
    return charts


def _rate_text(count: int, target: int | None, unit: str) -> str:
    if target is None:
        return f"{count} {unit} (未设目标)".replace("  ", " ")
    rate = "—" if target == 0 else f"{count / target * 100:.1f}%"
    return f"{count}/{target} {unit} ({rate})".replace("  ", " ")


def target_chart(
    title: str,
    labels: Sequence[str],
    counts: Sequence[int],
    targets: Sequence[int | None],
    *,
    units: Sequence[str] | None = None,
    empty_note: str = "暂无数据",
) -> bytes:
    """Counts against targets as PNG: one horizontal bar per label, top to bottom, its length
    the count as a share of the target (完成率; a grey bar marks 100%, a dashed line too), green
    once the target is met; ``120/300 件 (40.0%)`` written at its end. The counts differ in
    scale (hundreds of items, a handful of cases), so shares make them comparable. A label
    without a target (None, or 0) gets no bar, only ``N 件 (未设目标)``. With no label the
    chart says ``empty_note``."""
    if (
        len(labels) != len(counts)
        or len(labels) != len(targets)
        or (units is not None and len(units) != len(labels))
    ):
        raise ValueError("labels, counts, targets and units must have the same length")
    figure, axes = _figure()
    _title(figure, title)
    if not labels:
        _empty(axes, empty_note)
        return _png(figure)
    unit_list = list(units) if units is not None else [""] * len(labels)
    positions = list(range(len(labels)))
    rates = [count / target * 100 if target else 0.0 for count, target in zip(counts, targets, strict=True)]
    has_target = [bool(target) for target in targets]
    axes.barh(
        [p for p, has in zip(positions, has_target, strict=True) if has],
        [100.0] * sum(has_target),
        color=_TARGET,
        height=0.7,
        zorder=1,
    )
    axes.barh(
        positions, rates, height=0.45, zorder=2, color=[_MET if rate >= 100 else _BAR for rate in rates]
    )
    right = max([100.0, *rates])
    axes.axvline(100.0, color="#555555", linestyle="--", linewidth=1.0, zorder=3)
    text_font = _font(10)
    for position, count, target, rate, unit in zip(positions, counts, targets, rates, unit_list, strict=True):
        axes.text(
            max(rate, 100.0 if target else 0.0) + right * 0.01,
            position,
            _rate_text(count, target or None, unit),
            va="center",
            ha="left",
            fontproperties=text_font,
        )
    axes.set_yticks(positions, _ticks(labels))
    axes.invert_yaxis()
    axes.set_xlim(0, right * 1.45)
    axes.set_xlabel("完成率 (%, 以目标为 100%)", fontproperties=text_font)
    _style_ticks(axes)
    figure.tight_layout()
    return _png(figure)


def cumulative_chart(
    title: str,
    weeks: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    empty_note: str = "暂无数据",
) -> bytes:
    """Cumulative weekly lines as PNG: one line per ``(label, values)`` in ``series``, a value
    per week (the count at the week's end); the x axis names each week by its Monday, at most
    twelve labels."""
    from matplotlib.ticker import MaxNLocator

    if any(len(values) != len(weeks) for _, values in series):
        raise ValueError("every series needs one value per week")
    figure, axes = _figure()
    _title(figure, title)
    if not weeks or not series:
        _empty(axes, empty_note)
        return _png(figure)
    positions = list(range(len(weeks)))
    for n, (label, values) in enumerate(series):
        axes.plot(
            positions,
            list(values),
            color=_SERIES[n % len(_SERIES)],
            marker="o",
            markersize=3,
            linewidth=1.8,
            label=label,
        )
    step = max(1, -(-len(weeks) // _MAX_TICKS))
    ticks = positions[::step]
    axes.set_xticks(ticks, [f"{weeks[i].month}/{weeks[i].day}" for i in ticks])
    axes.set_xlabel("周 (以周一日期标注, 数值为周末累计)", fontproperties=_font(10))
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.legend(prop=_font(10), frameon=False, loc="upper left")
    _style_ticks(axes)
    figure.tight_layout()
    return _png(figure)


def outcome_summary(key: str, label: str, count: int, target: int | None) -> str:
    """``排查发现问题线索 120/300 件 (40.0%)`` (or ``… 12 项 (未设目标)``): one outcome in words."""
    return f"{label} {_rate_text(count, target, OUTCOME_UNITS.get(key, ''))}"


def five_outcomes_charts(five: FiveOutcomes) -> list[Chart]:
    """The 五个一批 charts of the progress bulletin: ``five_outcomes`` (each outcome against
    its target) and ``five_outcomes_trend`` (the five cumulative counts by week)."""
    totals = five.totals
    summary = "; ".join(outcome_summary(t.key, t.label, t.count, t.target) for t in totals) or "暂无数据"
    title = "“五个一批”目标完成情况"
    charts = [
        Chart(
            "five_outcomes",
            title,
            summary,
            target_chart(
                title,
                [t.label for t in totals],
                [t.count for t in totals],
                [t.target for t in totals],
                units=[OUTCOME_UNITS.get(t.key, "") for t in totals],
            ),
        )
    ]
    weeks = [week for week, _ in five.trend]
    series = [(t.label, [counts[n] for _, counts in five.trend]) for n, t in enumerate(totals)]
    trend_title = "“五个一批”累计进展 (按周)"
    if five.trend:
        last_week, last = five.trend[-1]
        trend_summary = (
            f"{weeks[0].isoformat()} 起 {len(weeks)} 周; 截至 {last_week.isoformat()} 所在周末: "
            + "; ".join(f"{t.label} {last[n]}" for n, t in enumerate(totals))
        )
    else:
        trend_summary = "暂无数据"
    charts.append(
        Chart("five_outcomes_trend", trend_title, trend_summary, cumulative_chart(trend_title, weeks, series))
    )
    return charts
