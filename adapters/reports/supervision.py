"""督查通报: what one 督查 draw sent the teams to, the visits they recorded, what they found and
the items the findings became (五、(四) 严格督查问效), as a .docx laid out as a 公文 (GB/T 9704:
A4, the 公文 margins and fonts, page numbers), 抄送 the supervision's lead unit."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._bulletin_shared import _doc_body, _doc_table, zh_date
from ._docx import new_document
from ._files import doc_text, out_file
from ._html import file_stem, write_all

if TYPE_CHECKING:
    from zhenggai.engine._supervision import SupervisionBulletin

__all__ = ["SUPERVISION_BULLETIN", "write_supervision_bulletin"]

SUPERVISION_BULLETIN = "督查通报"


def _document(bulletin: SupervisionBulletin) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    title = f"{bulletin.campaign}{SUPERVISION_BULLETIN}"
    document = new_document(title)
    heading = document.add_paragraph(doc_text(title), style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    visits, findings = bulletin.visits, bulletin.findings
    _doc_body(
        document,
        f"根据实施方案“严格督查问效”要求，{zh_date(bulletin.draw_day)}督查抽签后，"
        f"{len(bulletin.teams)}个督查组不打招呼、不发通知、直奔现场，"
        f"对{sum(len(units) for _, units in bulletin.teams)}个单位开展明察暗访，"
        f"已记录督查{len(visits)}次，发现问题{len(findings)}个，均已作为问题线索登记办理。现将有关情况通报如下。",
    )
    document.add_heading(doc_text("一、督查安排"), level=1)
    _doc_table(
        document,
        ("督查组", "抽查单位"),
        [(f"第{team}督查组", "、".join(units) or "本次无") for team, units in bulletin.teams],
    )
    if bulletin.focus:
        _doc_body(document, f"督查重点：{'、'.join(bulletin.focus)}。")
    document.add_heading(doc_text("二、督查情况"), level=1)
    if visits:
        found = {v.id: len(v.items) for v in visits}
        _doc_table(
            document,
            ("督查组", "被督查单位", "督查日期", "发现问题"),
            [(f"第{v.team}督查组", v.unit_name, zh_date(v.day), found[v.id]) for v in visits],
        )
    else:
        _doc_body(document, "本次抽签尚无督查记录。")
    document.add_heading(doc_text("三、发现问题及办理"), level=1)
    if findings:
        _doc_table(
            document,
            ("序号", "问题编号", "被督查单位", "问题", "办理状态"),
            [
                (
                    n,
                    f.number or f"#{f.item_id}",
                    f.unit_name,
                    f.title.removeprefix("督查发现: "),
                    f.state_label,
                )
                for n, f in enumerate(findings, 1)
            ],
        )
    else:
        _doc_body(document, "本次督查未发现问题。")
    if bulletin.copy_to:
        _doc_body(document, f"抄送: {bulletin.copy_to}")
    return document


def write_supervision_bulletin(bulletin: SupervisionBulletin, out: Path) -> Path:
    """The draw's 督查通报 as ``<campaign>-督查通报-<draw day>.docx`` in ``out``; its path."""
    buffer = io.BytesIO()
    _document(bulletin).save(buffer)
    path = out_file(
        Path(out), file_stem(SUPERVISION_BULLETIN, bulletin.campaign, bulletin.draw_day) + ".docx"
    )
    (written,) = write_all([(path, buffer.getvalue())])
    return written
