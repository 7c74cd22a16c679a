"""The Word templates every .docx report is filled into (docxtpl: Jinja2 fields in a .docx).

A report's .docx is its kind's template with the fields below filled in and the body (tables,
charts, the text) put where ``{{p body }}`` stands. The built-in templates are made here, in the
公文 layout of :func:`._docx.new_document` (版头 with 密级/紧急程度, 发文机关标志 and 期数; 标题;
主送; body; 落款 and 成文日期; ``— N —`` page numbers): they are the county's templates until
it has its own. A county replaces any of them with a folder of .docx files named after the
documents (:data:`TEMPLATE_FILES`), given as ``[reports] templates`` in the operations config
or ``zhenggai report … --templates DIR``; ``zhenggai report templates --out DIR`` writes the
built-in ones to start from. A kind the folder lacks keeps its built-in template.

Fields (every template gets all of them; an unknown one is an error naming the template):

============== ================================================================================
title          标题 (e.g. ``XX县…专项行动工作进展通报``)
subtitle       范围与日期 (``全县 · 截至2023年8月21日``)
issuer         发文机关 (the leading group's office; a unit for its 自查报告)
masthead       发文机关标志: the issuer in red 方正小标宋, sized to fit one line (``{{r masthead }}``)
number         期数 (a number; empty for a 自查报告); ``issue`` is ``第N期``
classification 密级 and 保密期限 (``秘密★1年``), empty when the definition sets none
urgency        紧急程度 (``特急``/``加急``), or empty
recipients     主送
date           成文日期 in Chinese numerals (``二〇二三年八月二十一日``)
county         the county; ``campaign`` the campaign's title
body           the body (``{{p body }}``, alone in its paragraph)
signature      落款 and 成文日期 laid out by GB/T 9704-2012 7.3.5.1 (``{{p signature }}``)
============== ================================================================================

Fields are escaped for Word and rendered in a sandbox (a template cannot reach Python). Styles
the body uses (标题 ``Title``, ``Heading 1``/``Heading 2``, ``Table Grid``) come from the county's
template when it defines them, else from the built-in one; the body's page width, and the
portrait page a landscape table returns to, are the template's last section's.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhenggai.adapters._tables import display_width

from ._docx import (
    BODY_FONT,
    BODY_PT,
    TITLE_FONT,
    chinese_date,
    new_document,
    set_run_font,
    single_spaced,
    text_width_cm,
)
from ._files import ReportError, doc_text, out_file

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.workflows.schema import CampaignSetup, DocumentMarksSpec

__all__ = [
    "TEMPLATE_FILES",
    "DocumentFields",
    "Templates",
    "builtin_template",
    "leading_office",
    "write_builtin",
]

#: The documents made from templates: kind (as numbered in ``zg_issue``) → the template's file.
TEMPLATE_FILES: Mapping[str, str] = {
    "progress_bulletin": "工作进展通报.docx",
    "case_bulletin": "典型案例通报.docx",
    "self_check": "自查报告.docx",
    "document_compilation": "规范性文件汇编.docx",
}
#: 发文机关标志: red, 方正小标宋简体, at most 小初 (36 pt), smaller for a long name.
MASTHEAD_RED = "FF0000"
_MASTHEAD_MAX_PT = 36
#: A template larger than this is refused (a county's template is a page or two of layout).
_MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
#: The styles the body uses; a county template without one gets the built-in one.
_BODY_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid")


@dataclass(frozen=True)
class DocumentFields:
    """The fields of one document (see the module's table): ``marks`` is the definition's
    ``reports.<kind>`` (密级, 紧急程度; its 主送 is what ``recipients`` falls back to)."""

    title: str
    subtitle: str
    issuer: str
    day: dt.date
    county: str
    campaign: str
    default_recipients: str
    recipients: str | None = None
    number: int | None = None
    marks: DocumentMarksSpec | None = None

    @property
    def addressed_to(self) -> str:
        """主送: the caller's, else the definition's for this kind, else the default."""
        return self.recipients or (self.marks.recipients if self.marks else None) or self.default_recipients

    @property
    def classification(self) -> str:
        """密级 as printed: ``秘密★1年`` with a 保密期限, else the 密级 alone; empty when unset."""
        if self.marks is None or self.marks.classification is None:
            return ""
        return self.marks.classification + (f"★{self.marks.secrecy_term}" if self.marks.secrecy_term else "")


def leading_office(setup: CampaignSetup | None) -> str | None:
    """The leading group's office the definition names (the bulletins' 发文机关, the 自查报告's
    default 主送), or None."""
    return setup.leading_group.office_name if setup is not None and setup.leading_group is not None else None


class Templates:
    """The templates reports are filled into: the county's folder's, else the built-in ones."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None and not folder.is_dir():
            raise ReportError(f"模板目录 {folder} 不存在或不是目录")
        self.folder = folder

    def source(self, kind: str) -> tuple[bytes, str]:
        """The template of ``kind`` (bytes) and where it came from, for errors."""
        name = TEMPLATE_FILES[kind]
        if self.folder is not None:
            path = self.folder / name
            if path.is_file():
                if path.stat().st_size > _MAX_TEMPLATE_BYTES:
                    raise ReportError(f"模板 {path} 超过 {_MAX_TEMPLATE_BYTES // 1024 // 1024} MB")
                return path.read_bytes(), str(path)
        return builtin_template(kind), f"内置模板「{name}」"

    def fill(
        self,
        kind: str,
        fields: DocumentFields,
        body: Callable[[Any], None],
        *,
        created: dt.datetime | None = None,
    ) -> bytes:
        """The .docx of ``kind``: its template with ``fields`` and the body ``body`` writes (a
        python-docx document sharing the template's styles and page); ``created`` becomes the
        document's creation time. A template that does not open or render is a
        :class:`ReportError` naming it."""
        from docxtpl import DocxTemplate
        from jinja2 import StrictUndefined, TemplateError
        from jinja2.sandbox import SandboxedEnvironment

        source, where = self.source(kind)
        try:
            template = DocxTemplate(io.BytesIO(source))
            template.init_docx()
        except (zipfile.BadZipFile, KeyError, ValueError) as err:
            raise ReportError(f"模板 {where} 不是有效的 .docx 文件 ({type(err).__name__})") from None
        document = template.get_docx()
        _add_missing_styles(document, kind)
        sub = template.new_subdoc()
        _share_page(sub.subdocx, document)
        body(sub.subdocx)
        signature = template.new_subdoc()
        _share_page(signature.subdocx, document)
        _signature(signature.subdocx, fields.issuer, fields.day)
        context = _context(fields) | {
            "body": sub,
            "signature": signature,
            "masthead": _masthead(fields.issuer, document),
        }
        environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
        try:
            template.render(context, jinja_env=environment, autoescape=True)
        except TemplateError as err:
            text = " ".join(
                str(line).strip() for line in getattr(err, "docx_context", ()) if str(line).strip()
            )
            near = f" (附近文字: {text[:80]})" if text else ""
            raise ReportError(f"模板 {where} 有误: {_jinja_message(err)}{near}") from None
        properties = template.docx.core_properties
        properties.title = doc_text(fields.title)
        properties.author = properties.last_modified_by = "zhenggai"
        properties.revision = 1
        if created is not None:
            naive = created.astimezone(dt.UTC).replace(tzinfo=None) if created.tzinfo else created
            properties.created = properties.modified = naive
        buffer = io.BytesIO()
        template.save(buffer)
        return buffer.getvalue()


def _jinja_message(err: Exception) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(err, SecurityError):
        return f"不允许在模板中访问程序内部 ({err})"
    if isinstance(err, UndefinedError):
        return f"未知字段 ({err.message}); 可用字段见 zhenggai report templates 写出的说明"
    if isinstance(err, TemplateSyntaxError):
        return f"模板语法错误: {err.message}"
    return f"{type(err).__name__}: {err}"


def _context(fields: DocumentFields) -> dict[str, Any]:
    return {
        "title": doc_text(fields.title),
        "subtitle": doc_text(fields.subtitle),
        "issuer": doc_text(fields.issuer),
        "recipients": doc_text(fields.addressed_to),
        "number": fields.number if fields.number is not None else "",
        "issue": f"第{fields.number}期" if fields.number is not None else "",
        "classification": doc_text(fields.classification),
        "urgency": (fields.marks.urgency or "") if fields.marks is not None else "",
        "date": chinese_date(fields.day),
        "county": doc_text(fields.county),
        "campaign": doc_text(fields.campaign),
    }


def _share_page(subdocument: Any, document: Any) -> None:
    """Give a body being written the template's last section (page size, margins, page-number
    footers): its tables are sized for that page, and a landscape section it starts closes the
    one before with the template's footers."""
    from docx.oxml.ns import qn

    target = subdocument.element.body
    old = target.find(qn("w:sectPr"))
    if old is not None:
        target.remove(old)
    sectpr = document.element.body.find(qn("w:sectPr"))
    if sectpr is not None:
        target.append(copy.deepcopy(sectpr))


def _masthead(issuer: str, document: Any) -> Any:
    """The issuer as a red 方正小标宋简体 run, as large as fits one line (小初 at most)."""
    from docxtpl import RichText

    width_pt = text_width_cm(document) / (2.54 / 72)
    size = min(_MASTHEAD_MAX_PT, int(width_pt / max(1.0, display_width(issuer) / 2) * 0.95 * 2) / 2)
    return RichText(doc_text(issuer), font=f"eastAsia:{TITLE_FONT}", size=int(size * 2), color=MASTHEAD_RED)


def _signature(document: Any, issuer: str, day: dt.date) -> None:
    """落款 and 成文日期: the date in Chinese numerals four characters in from the right, the
    issuer centred over it (GB/T 9704-2012 7.3.5.1, without a seal); one empty line before."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    date = chinese_date(day)
    date_em, name_em = display_width(date) / 2, display_width(issuer) / 2
    date_in = 4.0 if name_em <= date_em + 4 else 2.0
    name_in = max(0.0, date_in + (date_em - name_em) / 2)
    document.add_paragraph()
    for text, inset in ((issuer, name_in), (date, date_in)):
        paragraph = document.add_paragraph(doc_text(text))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(inset * BODY_PT)
        paragraph.paragraph_format.first_line_indent = 0
        paragraph.paragraph_format.keep_with_next = text == issuer


def _add_missing_styles(document: Any, kind: str) -> None:
    """Copy into ``document`` the built-in template's body styles it lacks."""
    import docx

    styles = document.styles
    missing = [name for name in _BODY_STYLES if name not in styles]
    if not missing:
        return
    builtin = docx.Document(io.BytesIO(builtin_template(kind))).styles
    for name in missing:
        styles.element.append(copy.deepcopy(builtin[name].element))


# ----------------------------------------------------------------------- built-in templates

_BUILTIN_CACHE: dict[str, bytes] = {}


def builtin_template(kind: str) -> bytes:
    """The built-in template of ``kind``, a .docx made on first use from the 公文 layout."""
    if kind not in TEMPLATE_FILES:
        raise ReportError(f"没有「{kind}」的模板; 可选: {'、'.join(TEMPLATE_FILES)}")
    if kind not in _BUILTIN_CACHE:
        _BUILTIN_CACHE[kind] = _make_builtin(kind)
    return _BUILTIN_CACHE[kind]


def _make_builtin(kind: str) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = new_document(TEMPLATE_FILES[kind].removesuffix(".docx"), created=dt.datetime(2023, 1, 1))
    # 版头: 密级和保密期限, 紧急程度 at the top left in 黑体 三号, each only when set.
    for field in ("classification", "urgency"):
        for text in (f"{{%p if {field} %}}", f"{{{{ {field} }}}}", "{%p endif %}"):
            paragraph = document.add_paragraph()
            single_spaced(paragraph)
            set_run_font(paragraph.add_run(text), "黑体", size_pt=BODY_PT)
    if kind != "self_check":
        mark = document.add_paragraph()
        single_spaced(mark)
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        mark.paragraph_format.space_before = Pt(12)
        mark.paragraph_format.space_after = Pt(24)
        run = mark.add_run("{{r masthead }}")
        set_run_font(run, TITLE_FONT, size_pt=_MASTHEAD_MAX_PT)
        run.font.color.rgb = RGBColor.from_string(MASTHEAD_RED)

        issue = document.add_paragraph()
        single_spaced(issue)
        issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
        issue.paragraph_format.space_after = Pt(12)
        set_run_font(issue.add_run("{{ issue }}"), BODY_FONT, size_pt=BODY_PT)
        # 版头分隔线: a red rule under 期数.
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", MASTHEAD_RED)):
            bottom.set(qn(key), value)
        borders.append(bottom)
        ppr = issue._p.get_or_add_pPr()
        jc = ppr.find(qn("w:jc"))
        jc.addprevious(borders)
    document.add_paragraph("{{ title }}", style="Title")
    if kind != "self_check":
        line = document.add_paragraph("{{ subtitle }}")
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.paragraph_format.space_after = Pt(16)
    recipients = document.add_paragraph("{{ recipients }}：")
    recipients.paragraph_format.first_line_indent = 0
    document.add_paragraph("{{p body }}")
    document.add_paragraph("{{p signature }}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


#: Written beside the built-in templates: what a county's template may use.
FIELD_NOTES = """\
zhenggai Word 模板说明
======================

本目录中的 .docx 是 zhenggai 出具 Word 文件时使用的模板 (docxtpl: 在 Word 中书写 Jinja2 字段)。
修改后把整个目录用 --templates 目录 或配置文件 [reports] templates = "目录" 指定; 目录中缺少的
模板用内置模板。文件名须保持不变:

  工作进展通报.docx   工作进展通报 (report progress)
  典型案例通报.docx   典型案例通报 (report cases)
  自查报告.docx       一报告四清单中的自查报告 (report unit-pack)

可用字段 (写作 {{ 字段 }}; 未列出的字段会报错并指出模板):

  {{ title }}           标题
  {{ subtitle }}        范围与日期, 如 “全县 · 截至2023年8月21日”
  {{ issuer }}          发文机关 (领导小组办公室; 自查报告为填报单位)
  {{r masthead }}       发文机关标志: 发文机关, 红色方正小标宋, 字号随名称长短调整为一行
  {{ number }}          期数 (数字; 自查报告为空); {{ issue }} 为 “第N期”
  {{ classification }}  密级和保密期限, 如 “秘密★1年” (实施方案 reports 段未设置时为空)
  {{ urgency }}         紧急程度 (特急、加急), 或为空
  {{ recipients }}      主送机关
  {{ date }}            成文日期, 中文数字, 如 “二〇二三年八月二十一日”
  {{ county }}          县名; {{ campaign }} 专项行动名称
  {{p body }}           正文 (表格、图表、文字), 须单独成段
  {{p signature }}      落款和成文日期 (按 GB/T 9704-2012 排列), 须单独成段

按条件保留段落: {%p if classification %} … {%p endif %} (各占一段)。
正文使用样式 Title、Heading 1、Heading 2、Table Grid 和 Normal: 模板中有同名样式时用模板的,
没有时用内置的; 正文的页面宽度取模板最后一节的页面设置, 横排表格结束后回到该页面设置。
"""


def write_builtin(out: Path) -> list[Path]:
    """Write the built-in templates into ``out`` (the files a county edits) and ``模板说明.txt``
    (the fields); returns them."""
    written = []
    for kind, name in TEMPLATE_FILES.items():
        path = out_file(out, name)
        path.write_bytes(builtin_template(kind))
        written.append(path)
    notes = out_file(out, "模板说明.txt")
    notes.write_text(FIELD_NOTES, encoding="utf-8")
    return [*written, notes]
