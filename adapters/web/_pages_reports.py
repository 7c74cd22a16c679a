"""Report downloads (``/reports``, each ``/reports/<name>``): the documents of
:mod:`zhenggai.adapters.reports` written for this principal and handed over as one file (several
files in one .zip). A unit gets its own unit's ledger, 一报告四清单 and bulletins only."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from ._auth import PagePrincipal, Web
from ._downloads import file_response
from ._page_data import field, labels_of, page, refused
from ._pages_ledger import XLSX
from ._principal import Principal
from ._render import OPERATOR_ROLE

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: What a unit may download (each limited to its unit) and what the office adds.
UNIT_REPORTS = ("ledger", "unit-pack", "progress", "cases")
OFFICE_REPORTS = (*UNIT_REPORTS, "ranking", "registers", "digest")
MEDIA = {
    ".xlsx": XLSX,
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}


def reports_for(principal: Principal) -> tuple[str, ...]:
    if principal.role == OPERATOR_ROLE:
        return ()
    return UNIT_REPORTS if principal.unit_bound else OFFICE_REPORTS


@router.get("/reports")
def reports(request: Request, principal: PagePrincipal, web: Web) -> Response:
    from zhenggai.adapters.reports import KIND_LABELS

    labels = labels_of(web)
    return page(
        request,
        "reports.html",
        principal,
        title="报表下载",
        labels=labels,
        kinds=[(k, KIND_LABELS[k]) for k in reports_for(principal)],
        units=list(labels.units.items()),
    )


@router.get("/reports/{name}")
def download(request: Request, name: str, principal: PagePrincipal, web: Web, unit: str = "") -> Response:
    """One report: written into a temporary folder, handed over, removed. ``unit`` (the office's
    choice; a unit is always limited to its own) limits the reports that can be limited."""
    from zhenggai.adapters.reports import KIND_LABELS, ReportError, write_reports

    if name not in KIND_LABELS or name not in reports_for(principal):
        return refused(request, principal, f"没有可供下载的报表「{name}」", status_code=404)
    scope = principal.unit if principal.unit_bound else field(unit)
    if name in ("ranking", "digest"):
        scope = None
    actor = principal.actor if name == "registers" else None
    with tempfile.TemporaryDirectory(prefix="zhenggai-web-") as folder:
        try:
            paths = write_reports(web.engine, web.campaign, name, Path(folder), unit=scope, actor=actor)
        except ReportError as err:
            return refused(request, principal, str(err), status_code=422)
        if len(paths) == 1:
            (path,) = paths
            return file_response(
                path.read_bytes(), path.name, MEDIA.get(path.suffix, "application/octet-stream")
            )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, path.relative_to(folder).as_posix())
        return file_response(buffer.getvalue(), f"{KIND_LABELS[name]}.zip", "application/zip")
