"""zhenggai.adapters.reports: the documents officials hand in and forward (xlsx, docx, html, md).

:func:`write_reports` writes one kind of report (or ``all``) for a campaign into a folder:

=========== ==========================================================================
ledger      整改台账 (``<campaign>-整改台账.xlsx``)
unit-pack   一报告四清单 per unit (``一报告四清单/<unit>-自查报告.docx`` and ``…-一报告四清单.xlsx``)
progress    工作进展通报 (.html with charts, .docx)
cases       典型案例通报 (.html, .docx)
ranking     单位排名 for the supervision teams (.xlsx, .html)
digest      public digest for 践诺 / 晒成效 (.html, .md), redacted
registers   成效台账: 长效机制, 典型做法和创新案例, 问责处理情况 (``<campaign>-成效台账.xlsx``)
all         every one of the above
=========== ==========================================================================

The numbers come from the engine's report queries; rendering is here. Everything is checked
first (campaign, unit, track, redaction file), then written into a hidden staging folder under
``out`` and moved into place only when every file is complete: a refusal or a failure leaves
nothing half-written. No file lands outside ``out`` (see :func:`._files.out_file`).

Importing this package is cheap (the CLI's parser takes :data:`KIND_LABELS` from the leaf
module ``zhenggai.adapters._report_kinds`` without it); each writer
imports XlsxWriter, python-docx or matplotlib when it runs.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .._report_kinds import KIND_LABELS
from ._files import ReportError, out_dir, out_file

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import Actor, Engine

    from ._templates import Templates
    from .digest import Redaction

__all__ = ["KINDS", "KIND_LABELS", "ReportError", "write_reports"]

KINDS: tuple[str, ...] = tuple(KIND_LABELS)


def write_reports(
    engine: Engine,
    campaign: str,
    kind: str,
    out: Path,
    *,
    unit: str | None = None,
    track: str | None = None,
    redact: Path | None = None,
    actor: Actor | None = None,
    progress: TextIO | None = None,
    templates: Path | None = None,
) -> list[Path]:
    """Write the ``kind`` report(s) of ``campaign`` into ``out``; returns the files, in order.
    With ``progress`` (standard error), a bar counts the kinds written.

    ``unit`` limits the ledger, the 一报告四清单 and the bulletins to one responsible unit (a
    unit key); ``track`` to one 专项 (a track key). The ranking compares units, so it takes no
    unit; the public digest covers the whole campaign. ``redact`` is the digest's redaction
    file (TOML: extra words and patterns to remove). ``actor`` is who the 成效台账 is for: the
    names of people held accountable are written only when the engine lets that actor's role
    read them (without an actor, none are read). ``templates`` is the county's folder of Word
    templates (see :mod:`._templates`; the built-in ones fill in for any it lacks). Raises :class:`ReportError` (or the
    engine's not-found error) before anything is written.
    """
    if kind not in KIND_LABELS:
        raise ReportError(f"未知的报告类型「{kind}」; 可选: {'、'.join(KINDS)}")
    view = engine.campaign(campaign)  # CampaignNotFound for an unknown key
    units = dict(engine.units(view.key))
    tracks = dict(engine.tracks(view.key))
    if unit is not None and unit not in units:
        known = "、".join(units) or "无"
        raise ReportError(f"专项行动 {view.key} 没有单位「{unit}」(单位标识: {known})")
    if track is not None and track not in tracks:
        known = "、".join(tracks) or "无"
        raise ReportError(f"专项行动 {view.key} 没有专项「{track}」(专项标识: {known})")
    if unit is not None and kind in ("ranking", "digest"):
        raise ReportError(f"{KIND_LABELS[kind]}不按单位出具, 请去掉 --unit")
    if track is not None and kind == "digest":
        raise ReportError(f"{KIND_LABELS[kind]}覆盖整个专项行动, 请去掉 --track")
    if kind == "all":
        # For one unit (or track), "all" means every report that can be limited to it.
        kinds = [
            k
            for k in KINDS
            if k != "all"
            and not (unit is not None and k in ("ranking", "digest"))
            and not (track is not None and k == "digest")
        ]
    else:
        kinds = [kind]
    if redact is not None and "digest" not in kinds:
        raise ReportError("--redact 只用于公开摘要 (digest)")
    redaction = _load_redaction(redact) if "digest" in kinds else None
    if actor is not None and "registers" not in kinds:
        raise ReportError("--actor/--role 只用于成效台账 (registers): 其余报告不含人员姓名")

    from ._templates import Templates

    county_templates = Templates(templates)  # a missing folder is refused before anything is written
    made = _first_missing(out)  # removed again if nothing gets written
    root = out_dir(out)
    staging = Path(tempfile.mkdtemp(prefix=".zhenggai-", dir=root))
    try:
        written: list[Path] = []
        from .._progress import progress_bar

        with progress_bar(progress, total=len(kinds), desc="出具报告", unit="类") as bar:
            for each in kinds:
                bar.set_postfix_str(KIND_LABELS[each], refresh=False)
                written += _write_one(
                    engine,
                    view.key,
                    each,
                    staging,
                    unit=unit,
                    track=track,
                    redaction=redaction,
                    actor=actor,
                    templates=county_templates,
                )
                bar.update(1)
        return _move_into(staging, root, written)
    except BaseException:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_one(
    engine: Engine,
    campaign: str,
    kind: str,
    out: Path,
    *,
    unit: str | None,
    track: str | None,
    redaction: Redaction | None,
    actor: Actor | None = None,
    templates: Templates | None = None,
) -> list[Path]:
    if kind == "ledger":
        from .ledger import write_ledger

        return write_ledger(engine, campaign, out, unit=unit, track=track)
    if kind == "unit-pack":
        from .unit_pack import write_unit_packs

        return write_unit_packs(engine, campaign, out, unit=unit, track=track, templates=templates)
    if kind == "progress":
        from .bulletin import write_progress

        return write_progress(
            engine,
            campaign,
            out,
            unit=unit,
            track=track,
            issued_by=actor.name if actor is not None else None,
            templates=templates,
        )
    if kind == "cases":
        from .bulletin import write_cases

        return write_cases(
            engine,
            campaign,
            out,
            unit=unit,
            track=track,
            issued_by=actor.name if actor is not None else None,
            templates=templates,
        )
    if kind == "ranking":
        from .ranking import write_ranking

        return write_ranking(engine, campaign, out, track=track)
    if kind == "digest":
        from .digest import write_digest

        return write_digest(engine, campaign, out, redaction=redaction)
    if kind == "registers":
        from .registers import write_registers

        return write_registers(engine, campaign, out, unit=unit, track=track, actor=actor)
    raise AssertionError(kind)  # pragma: no cover - KINDS is checked above


def _load_redaction(path: Path | None) -> Redaction | None:
    """The digest's :class:`~.digest.Redaction` from ``path`` (None: the default redaction)."""
    if path is None:
        return None
    from .digest import Redaction

    return Redaction.load(path)


def _first_missing(out: Path) -> Path | None:
    """The outermost folder of ``out`` that does not exist yet (None: ``out`` exists)."""
    missing = None
    for folder in (out.absolute(), *out.absolute().parents):
        if folder.exists() or folder.is_symlink():
            break
        missing = folder
    return missing


def _move_into(staging: Path, root: Path, written: list[Path]) -> list[Path]:
    """Move the finished files from ``staging`` to the same places under ``root`` (every
    target is checked first, so a refused one moves nothing)."""
    moves = [
        (path, out_file(root, path.resolve().relative_to(staging.resolve()).as_posix())) for path in written
    ]
    for path, target in moves:
        path.replace(target)
    return [target for _, target in moves]
