"""Documents as their readers see them: LibreOffice headless converts them to PDF, poppler reads
the PDF back (text, page count, page sizes) and keeps a few pages as PNG. Shared by the tests
that render the Word and Excel reports; each skips with the reason where a tool is missing
(``.ci/run`` installs them).

Also the small simulated campaign those tests render (60 items, 2023-06-01 to 09-15, seed 5).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from zhenggai.adapters._simulate import Simulation
from zhenggai.engine import Engine, ReporterKeys
from zhenggai.workflows import load_setup

#: A4 in points, portrait and landscape, as pdfinfo prints them.
PORTRAIT = (595, 842)
LANDSCAPE = (842, 595)
TOOLS = ("soffice", "pdftotext", "pdfinfo", "pdftoppm")


def skip_without_tools() -> None:
    """Skip the calling test (or fixture) where LibreOffice or poppler is not installed."""
    for tool in TOOLS:
        if shutil.which(tool) is None:
            pytest.skip(
                f"{tool} not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
                "poppler-utils fonts-noto-cjk)"
            )


def to_pdf(files: Sequence[Path], folder: Path) -> list[Path]:
    """``files`` converted to PDF into ``folder/pdf`` in one LibreOffice call (it starts once), with
    a profile of its own, so parallel test workers and an official's running LibreOffice do not
    share (and lock) one. Returns the PDFs, in the order of ``files``."""
    pdf_dir = folder / "pdf"
    profile = (folder / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(pdf_dir),
            *map(str, files),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return [pdf_dir / f"{path.stem}.pdf" for path in files]


def pages(pdf: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert found is not None, info
    return int(found.group(1))


def page_sizes(pdf: Path) -> list[tuple[int, int]]:
    """Each page's size in points (rounded), from ``pdfinfo -f 1 -l N``."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(pages(pdf)), str(pdf)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return [
        (round(float(w)), round(float(h)))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)
    ]


def page_texts(pdf: Path, *, mode: str = "-layout") -> list[str]:
    """The PDF's text, one string per page: ``-layout`` keeps the page's columns, ``-raw`` a
    cell's wrapped lines together."""
    out = subprocess.run(
        ["pdftotext", mode, str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return out.split("\f")[: pages(pdf)]


def pictures_folder(folder: Path) -> Path:
    """Where PNG renders are kept: ``$ZHENGGAI_RENDER_DIR``, else ``folder/png``."""
    pictures = Path(os.environ.get("ZHENGGAI_RENDER_DIR") or folder / "png")
    pictures.mkdir(parents=True, exist_ok=True)
    return pictures


def keep_png(pdf: Path, first: int, last: int, prefix: Path) -> list[Path]:
    """Pages ``first``..``last`` of ``pdf`` as 60 dpi PNG files named ``prefix-N.png``."""
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", str(first), "-l", str(last), str(pdf), str(prefix)],
        check=True,
        timeout=120,
    )
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


@contextmanager
def simulated_campaign(folder: Path) -> Iterator[Engine]:
    """The built-in plan played on the virtual clock as campaign ``sim`` (60 items, 2023-06-01 to
    2023-09-15, seed 5) on a SQLite file in ``folder``; the engine is disposed on leaving."""
    sim = Simulation(
        load_setup("county_2023"),
        items=60,
        start=dt.date(2023, 6, 1),
        until=dt.date(2023, 9, 15),
        seed=5,
        out=io.StringIO(),
        timeline=False,
    )
    engine = Engine(
        f"sqlite:///{folder / 'rendered.db'}", clock=sim.clock, seed=5, reporter_keys=ReporterKeys.generate()
    )
    try:
        sim.run(engine)
        yield engine
    finally:
        engine.dispose()
