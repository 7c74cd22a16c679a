"""What the bulletins, the ranking and the digest share: one autoescaping Jinja2 environment,
the page frame with its inline style sheet, PNGs as ``data:`` URIs, the report's scope and
file name, and writing a report's files all or nothing.

Every page is self-contained: one file, ``lang="zh-CN"``, UTF-8, the style inline, images
embedded; it loads nothing from anywhere (no script, no external link), so it can be mailed or
put on an intranet as is. Every value a template prints is escaped (``autoescape``); the
templates live here as strings, so the package needs no data files.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import os
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._files import ReportError, safe_name

if TYPE_CHECKING:  # pragma: no cover - typing only
    import jinja2
    from zhenggai.engine import CampaignView, Engine

__all__ = [
    "data_uri",
    "file_stem",
    "local_now",
    "local_time",
    "page",
    "percent",
    "render",
    "scope_names",
    "write_all",
]

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: #1a1a1a; margin: 0 auto; max-width: 960px; padding: 24px; line-height: 1.7; }
h1 { text-align: center; font-size: 26px; color: #b71c1c; margin: 8px 0 4px; }
.subtitle { text-align: center; color: #555; margin: 0 0 20px; }
h2 { font-size: 20px; border-left: 5px solid #b71c1c; padding-left: 10px; margin-top: 28px; }
h3 { font-size: 17px; margin: 18px 0 6px; }
table { border-collapse: collapse; width: 100%; margin: 10px 0 16px; font-size: 14px; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 16px 0; text-align: center; }
figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 13px; }
.light-red { color: #c62828; } .light-yellow { color: #a86f00; } .light-green { color: #2e7d32; }
.note { color: #555; font-size: 13px; }
footer { margin-top: 32px; color: #777; font-size: 12px; border-top: 1px solid #ddd; padding-top: 8px; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="zhenggai">
<title>{{ title }}</title>
<style>{{ style }}</style>
</head>
<body>
<h1>{{ title }}</h1>
{% if subtitle %}<p class="subtitle">{{ subtitle }}</p>{% endif %}
{{ body }}
<footer>{{ footer }}</footer>
</body>
</html>
"""


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _template(source: str) -> jinja2.Template:
    return _environment().from_string(source)


def render(template: str, **values: Any) -> str:
    """``template`` rendered with every value escaped (a ``Markup`` value is kept as is)."""
    return _template(template).render(**values)


def page(title: str, body: str, *, subtitle: str = "", footer: str = "") -> str:
    """A complete HTML document around ``body`` (already-rendered, escaped HTML)."""
    from markupsafe import Markup

    return render(
        _PAGE, title=title, subtitle=subtitle, footer=footer, body=Markup(body), style=Markup(_STYLE)
    )


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:image/png;base64,…`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def percent(value: float | None, *, none: str = "—") -> str:
    """``0.8765`` as ``87.7%``; ``none`` for None."""
    return none if value is None else f"{value * 100:.1f}%"


def write_all(files: Sequence[tuple[Path, bytes | Callable[[Path], None]]]) -> list[Path]:
    """Write every file or none. Each ``(path, content)`` gives the bytes, or a function that
    writes the file at the path it is given (an XlsxWriter workbook). Each goes to a temporary
    file beside its place first; only when all are written are they moved into place. A
    failure removes the temporary files and leaves what was there before."""
    staged: list[tuple[Path, Path]] = []
    try:
        for number, (path, content) in enumerate(files):
            # Short, whatever the file's name: a name already at 255 bytes has no room to grow.
            temporary = path.with_name(f".zhenggai-{os.getpid()}-{number}.part")
            staged.append((temporary, path))
            if isinstance(content, bytes):
                temporary.write_bytes(content)
            else:
                content(temporary)
        for temporary, path in staged:
            os.replace(temporary, path)
    except BaseException as error:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        if isinstance(error, OSError):
            raise ReportError(
                f"无法写入报告文件 {error.filename or ''}: {error.strerror or error}"
            ) from error
        raise
    return [path for _, path in staged]


def scope_names(engine: Engine, campaign: str, *, unit: str | None = None, track: str | None = None) -> str:
    """What a report covers, as its title says it: the unit's name, the track's name, both,
    or ``全县`` (the whole campaign). An unknown key is left to the engine's query to refuse."""
    parts: list[str] = []
    if unit is not None:
        parts.append(dict(engine.units(campaign)).get(unit, unit))
    if track is not None:
        parts.append(dict(engine.tracks(campaign)).get(track, track))
    return " · ".join(parts) if parts else "全县"


def local_time(at: dt.datetime, timezone: str) -> dt.datetime:
    """``at`` in ``timezone`` (a naive value is UTC, as the database hands it back)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(zoneinfo.ZoneInfo(timezone))


def local_now(engine: Engine, campaign: CampaignView) -> dt.datetime:
    """The engine clock's time in the campaign's timezone."""
    return local_time(engine.clock.now(), campaign.timezone)


def file_stem(kind: str, scope: str, day: dt.date) -> str:
    """``县住建局-工作进展通报-20230815``: what it covers (the campaign's title, a unit's or a
    track's name; made safe and cut to 40 characters, so the name stays well within the 255
    bytes a file system allows), what it is, and the day, so that this week's bulletin does not
    replace last week's."""
    return f"{safe_name(scope)[:40].rstrip(' .')}-{kind}-{day:%Y%m%d}"
