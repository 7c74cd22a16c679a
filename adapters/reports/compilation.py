"""规范性文件汇编 (二、(二) 对涉及营商环境的政策文件进行梳理 … 编印成册, 组织再学习): the documents of
the 规范性文件清理 register (``Engine.documents``) by decision (保留 / 修订 / 废止, the document
lifecycle's final states in its order), each unit's together in the definition's unit order,
with the day decided and the reason; those still under review listed last. A .docx filled into
the ``document_compilation`` template (GB/T 9704 layout, issued by the leading group's office)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._bulletin_shared import _doc_body, _doc_table, _ordinal, _zh
from ._docx import WIDE_TABLE_PT
from ._files import ReportError, out_file
from ._templates import DocumentFields, Templates, leading_office

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import DocumentView, Engine

__all__ = ["COMPILATION_KIND", "write_document_compilation"]

#: The template kind (``TEMPLATE_FILES``) the compilation is filled into.
COMPILATION_KIND = "document_compilation"

_HEADERS = ("序号", "制定单位", "文件名称", "文号", "决定日期", "理由")
_OPEN_HEADERS = ("序号", "制定单位", "文件名称", "文号", "当前状态", "清理期限")


def write_document_compilation(
    engine: Engine, campaign: str, out: Path, *, templates: Templates | None = None
) -> Path:
    """Write the 规范性文件汇编 of ``campaign`` to ``out`` (a .docx path, or a folder to write
    ``规范性文件汇编.docx`` in); returns the path written."""
    info = engine.campaign_info(campaign)
    setup = info.definition
    if setup is None or setup.documents is None:
        raise ReportError(f"专项行动 {info.view.key} 的实施方案没有规范性文件清理 (documents), 无法编印汇编")
    now = engine.clock.now()
    tz = _zone(info.view.timezone)
    today = now.astimezone(tz).date()
    documents = engine.documents(info.view.key)
    order = {key: n for n, (key, _) in enumerate(info.units)}
    decisions = [(s.id, s.label) for s in setup.documents.lifecycle.states if s.final]
    decided = {state: [d for d in documents if d.decided and d.state == state] for state, _ in decisions}
    pending = sorted((d for d in documents if not d.decided), key=lambda d: (order.get(d.unit, 0), d.id))
    label = setup.documents.label or "规范性文件清理"
    title = f"{info.view.county}{label}汇编"
    office = leading_office(setup)

    def body(document: object) -> None:
        counts = "，".join(f"{name}{len(decided[state])}件" for state, name in decisions)
        _doc_body(
            document,
            _zh(
                f"按照{info.view.title}关于对涉及营商环境的政策文件进行梳理的部署，各单位共列入清理"
                f"规范性文件{len(documents)}件，已作出清理结论{len(documents) - len(pending)}件（{counts}），"
                f"尚在清理{len(pending)}件。现将清理结果汇编印发，请各单位组织干部职工再学习，"
                "保留和修订的文件按规定执行，废止的文件自决定之日起停止执行。"
            ),
        )
        section = 0
        for state, name in decisions:
            section += 1
            document.add_heading(f"{_ordinal(section)}、{name}的文件", level=1)  # type: ignore[attr-defined]
            rows = _rows(
                sorted(decided[state], key=lambda d: (order.get(d.unit, 0), d.decided_at or now, d.id)), tz
            )
            if rows:
                _doc_table(document, _HEADERS, rows, size_pt=WIDE_TABLE_PT)  # six columns: the smaller type
            else:
                _doc_body(document, "无。")
        if pending:
            section += 1
            document.add_heading(f"{_ordinal(section)}、尚在清理的文件", level=1)  # type: ignore[attr-defined]
            _doc_table(
                document,
                _OPEN_HEADERS,
                [
                    [n, d.unit_name, d.title, d.doc_number or "—", d.state_label, _day(d.due)]
                    for n, d in enumerate(pending, start=1)
                ],
                size_pt=WIDE_TABLE_PT,
            )

    fields = DocumentFields(
        title=title,
        subtitle=f"截至{_day(today)}",
        issuer=office or info.view.county,
        day=today,
        county=info.view.county,
        campaign=info.view.title,
        default_recipients="各地各单位",
        marks=setup.reports.document_compilation,
    )
    path = (
        out_file(out.parent, out.name)
        if out.suffix.lower() == ".docx"
        else out_file(out, "规范性文件汇编.docx")
    )
    path.write_bytes((templates or Templates()).fill(COMPILATION_KIND, fields, body, created=now))
    return path


def _rows(documents: Sequence[DocumentView], tz: dt.tzinfo) -> list[list[object]]:
    return [
        [
            n,
            d.unit_name,
            d.title,
            d.doc_number or "—",
            _day(d.decided_at.astimezone(tz).date()) if d.decided_at else "—",
            d.decision_note or "—",
        ]
        for n, d in enumerate(documents, start=1)
    ]


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)
