"""The report kinds of :mod:`zhenggai.adapters.reports`, with their Chinese names: a leaf
module, so the CLI's parser names them without importing the reports package."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["KIND_LABELS"]

#: The report kinds, in the order ``all`` writes them, with their Chinese names.
KIND_LABELS: Mapping[str, str] = {
    "ledger": "整改台账",
    "unit-pack": "一报告四清单",
    "progress": "工作进展通报",
    "cases": "典型案例通报",
    "ranking": "单位排名",
    "digest": "践诺晒成效公开摘要",
    "registers": "成效台账",
    "all": "全部报告",
}
