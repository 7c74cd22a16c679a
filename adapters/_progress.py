"""Progress of long commands: a :mod:`tqdm` bar on standard error, never on standard output.

Commands decide whether to show it (``--progress`` / ``--no-progress``, by default only when
standard error is a terminal), so tests and pipes stay clean; a disabled bar writes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = ["progress_bar", "progress_callback", "wanted"]

#: ``模拟进度 |██████    | 5/10 天 [已用 00:01, 剩余 00:01]``
BAR_FORMAT = "{desc} |{bar:30}| {n_fmt}/{total_fmt} {unit} [已用 {elapsed}, 剩余 {remaining}]"


def wanted(asked: bool | None) -> bool:
    """Show progress: as asked, else when standard error is a terminal."""
    return asked if asked is not None else sys.stderr.isatty()


def progress_bar(stream: TextIO | None, *, total: int, desc: str, unit: str) -> Any:
    """A tqdm bar writing to ``stream`` (standard error), or a silent one when ``stream`` is None."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=stream if stream is not None else sys.stderr,
        disable=stream is None,
        bar_format=BAR_FORMAT,
        dynamic_ncols=True,
        leave=True,
    )


@contextmanager
def progress_callback(
    stream: TextIO | None, *, desc: str, unit: str
) -> Iterator[Callable[[int, int], None] | None]:
    """A ``progress(done, total)`` callback for an engine call that counts inside its
    transaction: the bar opens at the first call (when the total is known) and is closed on
    leaving the block. None when ``stream`` is None, so the engine does not call anything."""
    if stream is None:
        yield None
        return
    bars: list[Any] = []

    def report(done: int, total: int) -> None:
        if not bars:
            bars.append(progress_bar(stream, total=total, desc=desc, unit=unit))
        bar = bars[0]
        if bar.total != total:
            bar.total = total
        if done > bar.n:
            bar.update(done - bar.n)

    try:
        yield report
    finally:
        for bar in bars:
            bar.close()
