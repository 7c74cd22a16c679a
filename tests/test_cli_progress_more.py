"""Progress bars of ``zhenggai import`` and ``zhenggai campaign recompute`` (as ``simulate``,
``demo`` and ``report`` have them): tqdm on stderr with ``--progress``, nothing with
``--no-progress`` (nor by default when stderr is not a terminal), stdout the same either way."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from tests.test_cli import OFFICE, Cli, add_item, cli, db, init  # noqa: F401  (fixtures)

HEADERS = ["问题标题", "问题描述", "所属领域", "来源渠道", "责任单位"]
ROWS = [
    [
        "施工许可审批超时",
        "某项目施工许可审批超过法定时限 30 天",
        "工程领域专项整治",
        "公开举报电话",
        "县住建局",
    ],
    ["窗口推诿扯皮", "政务服务中心窗口对企业材料一次不告知", "government_services", "forum", ""],
    ["拖欠工程款", "原班子承诺的工程款至今未付", "“新官不理旧账”专项整治", "信访", "县财政局"],
    ["水电报装时间长", "企业水电报装往返多次, 超过承诺时限", "要素保障专项整治", "座谈", ""],
]
#: tqdm's bar as :data:`zhenggai.adapters._progress.BAR_FORMAT` draws it: ``desc |███| n/n unit [已用``.
DONE = r"{desc} \|[^|]*\| {n}/{n} {unit} \[已用 "


def problem_list(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def stable(data: Any) -> Any:
    """The JSON without its clock readings (two imports a moment apart differ only there)."""
    if isinstance(data, dict):
        return {k: stable(v) for k, v in data.items() if not k.endswith("_at")}
    if isinstance(data, list):
        return [stable(v) for v in data]
    return data


def test_import_progress_counts_rows_checked_and_imported_on_stderr_only(cli: Cli, tmp_path: Path) -> None:
    """``import --progress``: a bar over the rows checked, then one over the rows imported, both
    full, on stderr; the --json on stdout is what ``--no-progress`` prints."""
    first, second = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    init(cli, first)
    init(cli, second)
    path = problem_list(tmp_path / "list.csv", ROWS)
    shown = cli("--db", first, "import", str(path), *OFFICE, "--json", "--progress")
    assert shown.code == 0, shown.err
    assert re.search(DONE.format(desc="检查问题清单", n=4, unit="行"), shown.err), shown.err
    assert re.search(DONE.format(desc="导入问题", n=4, unit="行"), shown.err), shown.err
    assert "检查问题清单" not in shown.out and "导入问题" not in shown.out
    quiet = cli("--db", second, "import", str(path), *OFFICE, "--json", "--no-progress")
    assert quiet.code == 0 and quiet.err == ""
    assert shown.json()["imported"] == 4
    assert stable(shown.json()) == stable(quiet.json())


def test_import_progress_leaves_the_text_output_alone_and_default_is_quiet(cli: Cli, tmp_path: Path) -> None:
    """Without --json the same: the summary lines on stdout; by default (stderr is no terminal under
    pytest) no bar at all."""
    first, second = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    init(cli, first)
    init(cli, second)
    path = problem_list(tmp_path / "list.csv", ROWS)
    shown = cli("--db", first, "import", str(path), *OFFICE, "--progress")
    assert shown.code == 0 and "导入问题 |" in shown.err
    default = cli("--db", second, "import", str(path), *OFFICE)
    assert default.code == 0 and default.err == ""
    assert shown.out == default.out and "已导入 4 个问题" in shown.out


def test_a_refused_import_shows_only_the_check_bar(cli: Cli, tmp_path: Path) -> None:
    """A bad row: the rows were checked (a full bar), nothing was imported (no import bar), and
    the problems still follow on stderr, one a line."""
    target = str(tmp_path / "a.db")
    init(cli, target)
    bad = [*ROWS[:2], ["无领域的问题", "所属领域写错了", "不存在的专项", "信访", ""]]
    refused = cli(
        "--db", target, "import", str(problem_list(tmp_path / "bad.csv", bad)), *OFFICE, "--progress"
    )
    assert refused.code == 1
    assert re.search(DONE.format(desc="检查问题清单", n=3, unit="行"), refused.err), refused.err
    assert "导入问题" not in refused.err
    assert "第4行 [所属领域]" in refused.err and refused.out == ""


def test_recompute_progress_counts_items_and_duties_on_stderr_only(cli: Cli, db: str) -> None:
    """``campaign recompute --progress``: one bar over the campaign's items and open duties, full
    at the end; --json on stdout is what ``--no-progress`` prints (an unchanged calendar moves
    nothing, so the two runs agree)."""
    init(cli, db)
    for title in ("第一个问题", "第二个问题", "第三个问题"):
        add_item(cli, db, title)
    shown = cli("--db", db, "campaign", "recompute", *OFFICE, "--json", "--progress")
    assert shown.code == 0, shown.err
    counts = re.findall(r"重算整改时限 \|[^|]*\| (\d+)/(\d+) 项 \[已用 ", shown.err)
    assert counts, shown.err
    done, total = counts[-1]  # the bar as it was left
    assert done == total and int(total) >= 3  # three items, and the duties
    assert "重算整改时限" not in shown.out
    quiet = cli("--db", db, "campaign", "recompute", *OFFICE, "--json", "--no-progress")
    assert quiet.code == 0 and quiet.err == ""
    assert shown.json() == quiet.json() and shown.json()["moved"] == []
    text = cli("--db", db, "campaign", "recompute", *OFFICE)
    assert text.err == "" and "0 个问题的整改时限变更" in text.out
