"""The public digest for the 践诺 / 晒成效 column: ``.html`` and ``.md``, only what may be published.

What it prints: the campaign's counts (from :meth:`Engine.progress
<zhenggai.engine.Engine.progress>`: items collected, finished, open; by track) and every item
that was 销号 — its title, track, responsible unit, what was done (the measures) and the 销号
date. And the 晒成效 section: the good practices the publicity role selected (:meth:`Engine.practices
<zhenggai.engine.Engine.practices>` with ``selected=True``: title, unit, track, summary) and the
typical cases whose publication is recorded (title, unit, where and when published). The 践诺
section: the units' commitments (:meth:`Engine.commitments`: unit, text, due day, open / kept /
broken, an open one past its day shown 逾期未兑现, the day settled; not the settling note). Nothing
else: no description (a complaint's details), no reporter (the digest never calls
``read_reporter``), no case note, no outcome of an item (accountability outcomes name people:
the digest never calls ``outcome`` or ``outcomes``), no person's name, no phone number.

Every text that came from a person (titles, measures, practices, where a case was published) goes through the redaction first:

- e-mail addresses, 18- and 15-digit ID numbers, mobile numbers (``1[3-9]`` and nine digits,
  with or without ``+86`` and separators), landlines with an area code, and any other run of
  seven or more digits become ``***``;
- every person's name the campaign knows becomes ``某同志``: the contacts in its definition
  (with their addresses and numbers), leading officials (领衔领导), and everyone who acted on
  it (who reported, closed, added or completed a measure; every actor in the audit trail);
- the words and regular expressions of a :class:`Redaction` (``--redact FILE``, TOML) become
  ``***``.

Then the HTML is escaped by its template, and the Markdown has every character that could
start markup (links, images, emphasis, HTML) backslash-escaped, with line breaks folded into
spaces, so a title cannot open a link, an image or a heading.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhenggai.adapters._tables import format_date

from ._files import ReportError, out_file
from ._html import file_stem, local_now, local_time, page, percent, render, write_all

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import CommitmentView, Engine, ItemView, LedgerRow, PracticeView

__all__ = [
    "NAME_MARK",
    "SECRET_MARK",
    "Redaction",
    "Redactor",
    "known_names",
    "markdown_text",
    "write_digest",
]

DIGEST = "践诺晒成效"
#: What a person's name becomes.
NAME_MARK = "某同志"
#: What a number, an address or a configured word becomes.
SECRET_MARK = "***"

_EMAIL = r"[0-9A-Za-z._%+\-]+[@＠][0-9A-Za-z\-]+(?:[.．][0-9A-Za-z\-]+)+"
_ID_NUMBER = r"\d{17}[\dXx]|\d{15}"
_MOBILE = r"(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}"
_LANDLINE = r"[(（]?0\d{2,3}[)）]?[\s\-]?\d{3,4}[\s\-]?\d{4}(?:\s*(?:-|转|ext\.?)\s*\d{1,6})?"
_DIGIT_RUN = r"\d{7,}"
#: Numbers and addresses, in the order they are tried at each position (longest forms first).
_ALWAYS = re.compile(
    "|".join(f"(?:{p})" for p in (_EMAIL, _ID_NUMBER, _MOBILE, _LANDLINE, _DIGIT_RUN)), re.IGNORECASE
)
#: Invisible characters (zero-width spaces and joiners, bidi controls) that would split a name.
_INVISIBLE = frozenset({"Cf"})
_KEYS = ("words", "patterns")


def _fail(path: Path | None, message: str) -> ReportError:
    where = f"脱敏配置 {path}" if path is not None else "脱敏配置"
    return ReportError(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Redaction:
    """Extra redaction for the public digest: ``words`` (literal, e.g. a company or a village)
    and ``patterns`` (Python regular expressions), each replaced by ``***``. Phone numbers, ID
    numbers, e-mail addresses and the names the campaign knows are removed in any case.

    A file for ``Redaction.load`` (TOML, UTF-8)::

        words = ["某某建材有限公司", "张家湾"]
        patterns = ['工号\\s*\\d+', '车牌[:：]?\\s*\\w{7}']
    """

    words: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check(None, list(self.words), list(self.patterns))

    @classmethod
    def load(cls, path: Path) -> Redaction:
        """Read a TOML file with the optional keys ``words`` and ``patterns`` (lists of strings).

        Raises :class:`~zhenggai.adapters.reports._files.ReportError` (in Chinese, naming the
        file and the key) for a missing or unreadable file, bad TOML, an unknown key, a value
        that is not a list of non-empty strings, or an invalid regular expression.
        """
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise _fail(path, f"无法读取: {error.strerror or error}") from error
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise _fail(path, "不是 UTF-8 编码的文本") from error
        except tomllib.TOMLDecodeError as error:
            raise _fail(path, f"不是有效的 TOML ({error})") from error
        unknown = [key for key in data if key not in _KEYS]
        if unknown:
            raise _fail(path, f"未知的键「{unknown[0]}」(只能有 words 和 patterns)")
        values: dict[str, list[str]] = {}
        for key in _KEYS:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _fail(path, f'键「{key}」应为字符串列表, 如 {key} = ["…", "…"]')
            values[key] = value
        _check(path, values["words"], values["patterns"])
        return cls(words=tuple(values["words"]), patterns=tuple(values["patterns"]))


def _check(path: Path | None, words: list[str], patterns: list[str]) -> None:
    for n, word in enumerate(words, 1):
        if not isinstance(word, str) or not word.strip():
            raise _fail(path, f"键「words」第 {n} 项为空")
    for n, pattern in enumerate(patterns, 1):
        if not isinstance(pattern, str) or not pattern:
            raise _fail(path, f"键「patterns」第 {n} 项为空")
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise _fail(path, f"键「patterns」第 {n} 项「{pattern}」不是有效的正则表达式: {error}") from error
        if compiled.fullmatch(""):
            raise _fail(path, f"键「patterns」第 {n} 项「{pattern}」能匹配空字符串, 会处处插入 ***")


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    if not unique:
        return None
    return re.compile("|".join(re.escape(w) for w in unique), re.IGNORECASE)


class Redactor:
    """Removes what must not be published from a text (see the module's docstring)."""

    def __init__(self, names: Iterable[str], redaction: Redaction | None = None) -> None:
        redaction = redaction or Redaction()
        cleaned = {_visible(n).strip() for n in names}
        cleaned.discard("")
        self._names = _alternation(cleaned)
        #: A name that is part of the name mark itself would survive as part of it: ``***``.
        self._name_marks = {
            n.casefold(): SECRET_MARK for n in cleaned if n.casefold() in NAME_MARK.casefold()
        }
        self._words = _alternation(_visible(w).strip() for w in redaction.words)
        self._patterns = [re.compile(p) for p in redaction.patterns]

    def __call__(self, text: str) -> str:
        text = _visible(text)
        text = _ALWAYS.sub(SECRET_MARK, text)
        if self._names is not None:
            text = self._names.sub(lambda m: self._name_marks.get(m.group(0).casefold(), NAME_MARK), text)
        if self._words is not None:
            text = self._words.sub(SECRET_MARK, text)
        for pattern in self._patterns:
            text = pattern.sub(SECRET_MARK, text)
        return text


def _visible(text: str) -> str:
    """``text`` without invisible format characters, with white space folded to single spaces."""
    text = "".join(c for c in text if unicodedata.category(c) not in _INVISIBLE)
    return " ".join(text.split())


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&$^])")


def markdown_text(text: str) -> str:
    """``text`` safe inside a Markdown paragraph or list item: one line, and every character
    that could start inline markup (links, images, emphasis, code, HTML, entities)
    backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def known_names(engine: Engine, campaign: str, ledger: Sequence[LedgerRow] | None = None) -> set[str]:
    """Every person's name (and contact address) the campaign knows: its definition's contacts,
    leading officials, and every actor on its items, measures and audit trail. Reporters are
    not read (they are not the digest's to know); the system actor is no person. ``ledger``:
    the campaign's ledger when the caller has it already."""
    names: set[str] = set()
    setup = engine.definition(campaign)
    system = "system"
    if setup is not None:
        system = setup.system_actor
        for unit in setup.units:
            for contact in unit.contacts:
                names.update(v for v in (contact.name, contact.email, contact.mobile) if v)
    for row in engine.ledger(campaign) if ledger is None else ledger:
        item = row.item
        names.update(v for v in (item.leading_official, item.created_by, item.closed_by) if v)
        for measure in row.measures:
            names.update(v for v in (measure.created_by, measure.done_by) if v)
    names.update(event.actor for event in engine.events(campaign=campaign))
    names.discard(system)
    return names


_HTML_BODY = """
<p id="summary">{{ summary }}</p>
<table id="by-track">
<tr><th>领域</th><th class="n">问题数</th></tr>
{% for label, count in tracks %}<tr><td>{{ label }}</td><td class="n">{{ count }}</td></tr>
{% endfor %}
</table>
<h2>已销号问题 ({{ items|length }} 件)</h2>
{% for item in items %}
<section class="item">
<h3>{{ loop.index }}. {{ item.title }}</h3>
<table class="facts">
<tr><th>领域</th><td>{{ item.track }}</td></tr>
<tr><th>责任单位</th><td>{{ item.unit }}</td></tr>
<tr><th>销号日期</th><td>{{ item.closed }}</td></tr>
<tr><th>整改措施</th><td>{% if item.measures %}<ul>{% for m in item.measures %}<li>{{ m }}</li>{% endfor %}</ul>
{% else %}—{% endif %}</td></tr>
</table>
</section>
{% else %}
<p>暂无已销号问题。</p>
{% endfor %}
<h2 id="commitments-heading">践诺 · 单位承诺 ({{ commitments|length }} 项)</h2>
{% if commitments %}
<table id="commitments">
<tr><th>序号</th><th>单位</th><th>承诺</th><th>兑现期限</th><th>状态</th><th>认定日期</th></tr>
{% for c in commitments %}<tr><td class="n">{{ loop.index }}</td><td>{{ c.unit }}</td><td>{{ c.text }}</td><td>{{ c.due }}</td><td>{{ c.state }}</td><td>{{ c.settled }}</td></tr>
{% endfor %}
</table>
{% else %}
<p>暂无公开承诺。</p>
{% endif %}
<h2 id="practices-heading">晒成效 · 典型做法和创新案例 ({{ practices|length }} 项)</h2>
{% if practices %}
<table id="practices">
<tr><th>序号</th><th>标题</th><th>单位</th><th>领域</th><th>简介</th></tr>
{% for p in practices %}<tr><td class="n">{{ loop.index }}</td><td>{{ p.title }}</td><td>{{ p.unit }}</td><td>{{ p.track }}</td><td>{{ p.summary }}</td></tr>
{% endfor %}
</table>
{% else %}
<p>暂无选入晒成效的典型做法。</p>
{% endif %}
<h2 id="cases-heading">晒成效 · 通报曝光典型案例 ({{ cases|length }} 起)</h2>
{% if cases %}
<table id="published-cases">
<tr><th>序号</th><th>案例</th><th>责任单位</th><th>通报曝光</th><th>日期</th></tr>
{% for c in cases %}<tr><td class="n">{{ loop.index }}</td><td>{{ c.title }}</td><td>{{ c.unit }}</td><td>{{ c.where }}</td><td>{{ c.when }}</td></tr>
{% endfor %}
</table>
{% else %}
<p>暂无已通报曝光的典型案例。</p>
{% endif %}
"""


def _markdown(
    title: str,
    subtitle: str,
    summary: str,
    tracks: list[tuple[str, int]],
    items: list[dict[str, Any]],
    footer: str,
    practices: Sequence[dict[str, str]] = (),
    cases: Sequence[dict[str, str]] = (),
    commitments: Sequence[dict[str, str]] = (),
) -> str:
    lines = [
        f"# {markdown_text(title)}",
        "",
        markdown_text(subtitle),
        "",
        markdown_text(summary),
        "",
        "| 领域 | 问题数 |",
        "| --- | ---: |",
    ]
    lines += [f"| {markdown_text(label)} | {count} |" for label, count in tracks]
    lines += ["", f"## 已销号问题 ({len(items)} 件)", ""]
    if not items:
        lines += ["暂无已销号问题。", ""]
    for n, item in enumerate(items, 1):
        lines += [
            f"### {n}\\. {markdown_text(item['title'])}",
            "",
            f"- 领域: {markdown_text(item['track'])}",
            f"- 责任单位: {markdown_text(item['unit'])}",
            f"- 销号日期: {markdown_text(item['closed'])}",
        ]
        if item["measures"]:
            lines.append("- 整改措施:")
            lines += [f"  - {markdown_text(m)}" for m in item["measures"]]
        lines.append("")
    lines += [f"## 践诺 · 单位承诺 ({len(commitments)} 项)", ""]
    if not commitments:
        lines.append("暂无公开承诺。")
    for c in commitments:
        settled = f", {markdown_text(c['settled'])}认定" if c["settled"] != "—" else ""
        lines.append(
            f"- {markdown_text(c['unit'])}: {markdown_text(c['text'])} "
            f"(兑现期限 {markdown_text(c['due'])}; {markdown_text(c['state'])}{settled})"
        )
    lines += ["", f"## 晒成效 · 典型做法和创新案例 ({len(practices)} 项)", ""]
    if not practices:
        lines.append("暂无选入晒成效的典型做法。")
    for p in practices:
        where = "、".join(markdown_text(x) for x in (p["unit"], p["track"]) if x)
        lines.append(f"- {markdown_text(p['title'])} ({where}): {markdown_text(p['summary'])}")
    lines += ["", f"## 晒成效 · 通报曝光典型案例 ({len(cases)} 起)", ""]
    if not cases:
        lines.append("暂无已通报曝光的典型案例。")
    for c in cases:
        lines.append(
            f"- {markdown_text(c['title'])} ({markdown_text(c['unit'])}): "
            f"{markdown_text(c['when'])} 于{markdown_text(c['where'])}通报曝光"
        )
    lines.append("")
    lines += ["---", "", markdown_text(footer), ""]
    return "\n".join(lines)


def write_digest(
    engine: Engine, campaign: str, out: Path, *, redaction: Redaction | None = None
) -> list[Path]:
    """The public digest (践诺 / 晒成效) of the campaign into ``out``: ``.html`` and ``.md``.
    Returns the files written."""
    report = engine.progress(campaign)
    view = report.campaign
    ledger = engine.ledger(campaign)
    chosen = engine.practices(campaign, selected=True)
    promised = engine.commitments(campaign)
    officials = {n for c in promised for n in (c.created_by, c.settled_by) if n}
    redact = Redactor(known_names(engine, campaign, ledger) | _practice_people(chosen) | officials, redaction)
    final = engine.lifecycle(campaign).final_states
    track_order = {key: n for n, (key, _) in enumerate(engine.tracks(campaign))}
    rows = [
        row
        for row in ledger
        if row.item.closed_at is not None
        and row.item.state in final
        and row.item.merged_into is None
        and row.item.dismiss_reason is None
    ]
    rows.sort(key=lambda r: (track_order.get(r.item.track, len(track_order)), r.item.closed_at, r.item.id))
    items = [
        {
            "title": redact(row.item.title),
            "track": row.item.track_name,
            "unit": row.item.unit_name or "",
            "closed": format_date(local_time(row.item.closed_at, view.timezone).date())
            if row.item.closed_at
            else "",
            "measures": [redact(m.text) for m in row.measures],
        }
        for row in rows
    ]
    tracks = [(t.label, t.count) for t in report.by_track]
    published = [c for c in engine.cases(campaign) if c.case_published_at is not None]
    practices = _practices(chosen, dict(engine.tracks(campaign)), redact)
    cases = _published(published, redact)
    commitments = _commitments(promised, redact)
    title = f"{view.title} · 践诺晒成效"
    subtitle = f"{view.county} · 截至{format_date(report.today)}"
    rate = percent(report.closed / report.total if report.total else None)
    summary = (
        f"截至{format_date(report.today)}, 本次专项行动共收集问题 {report.total} 件, 已办结 {report.closed} 件"
        f" (办结率 {rate}), 正在整改 {report.open} 件; 其中已整改到位并销号 {len(items)} 件, 列示如下。"
    )
    now = local_now(engine, view)
    footer = f"{view.county} · 发布材料已去除个人信息 · 生成于 {now:%Y-%m-%d %H:%M}"
    html = page(
        title,
        render(
            _HTML_BODY,
            summary=summary,
            tracks=tracks,
            items=items,
            practices=practices,
            cases=cases,
            commitments=commitments,
        ),
        subtitle=subtitle,
        footer=footer,
    )
    markdown = _markdown(title, subtitle, summary, tracks, items, footer, practices, cases, commitments)
    stem = file_stem(DIGEST, view.title, report.today)
    return write_all(
        [
            (out_file(out, stem + ".html"), html.encode("utf-8")),
            (out_file(out, stem + ".md"), markdown.encode("utf-8")),
        ]
    )


def _practice_people(practices: Sequence[PracticeView]) -> set[str]:
    """Who submitted and selected the practices (officials: their names are not published)."""
    return {name for p in practices for name in (p.submitted_by, p.selected_by) if name}


def _practices(
    practices: Sequence[PracticeView], tracks: dict[str, str], redact: Redactor
) -> list[dict[str, str]]:
    """The selected 典型做法和创新案例, in the order they were submitted."""
    return [
        {
            "title": redact(p.title),
            "unit": p.unit_name,
            "track": tracks.get(p.track, p.track) if p.track else "",
            "summary": redact(p.summary),
        }
        for p in sorted(practices, key=lambda p: p.id)
    ]


def _commitments(commitments: Sequence[CommitmentView], redact: Redactor) -> list[dict[str, str]]:
    """The units' commitments (践诺) by due day: open, kept or broken; an open one past its due
    day marked 逾期未兑现."""
    return [
        {
            "unit": c.unit_name,
            "text": redact(c.text),
            "due": format_date(c.due),
            "state": "逾期未兑现" if c.overdue else c.state_label,
            "settled": format_date(c.settled_on) if c.settled_on else "—",
        }
        for c in commitments
    ]


def _published(cases: Sequence[ItemView], redact: Redactor) -> list[dict[str, str]]:
    """The typical cases with a recorded publication, earliest published first."""
    ordered = sorted(cases, key=lambda c: (c.case_published_at or dt.date.min, c.id))
    return [
        {
            "title": redact(c.title),
            "unit": c.unit_name or "",
            "where": redact(c.case_published_where or ""),
            "when": format_date(c.case_published_at) if c.case_published_at is not None else "",
        }
        for c in ordered
    ]
