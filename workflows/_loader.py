"""Read a definition file into a CampaignSetup, with every error located as ``file:line: path: message``.

YAML 1.2 as ruamel.yaml's round-trip loader reads it (so ``no`` stays a string and ``17:30`` is
not a number), duplicate keys refused, unknown fields refused. A plain file is read by libyaml's
parser with the same rules (:mod:`._yaml_fast`, a tenth of the time); anything else, and every
file with an error, by ruamel.yaml itself (:mod:`._yaml_rt`), so refusals read as ever.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from zhenggai.engine.checks import check_setup, setup_warnings
from zhenggai.engine.errors import DefinitionError
from zhenggai.engine.lifecycle import split_problem

from ._templates import template_problems
from ._yaml_fast import MAX_YAML_DEPTH, MAX_YAML_NODES, load_fast
from .schema import CampaignSetup

__all__ = ["BUILTINS", "CheckedDefinition", "builtin_path", "check_definition", "load_setup"]

_DEFINITIONS = Path(__file__).with_name("definitions")
#: Built-in definitions by name.
BUILTINS: Mapping[str, str] = {"county_2023": "county_2023.yaml", "hotline_2024": "hotline_2024.yaml"}
#: Top-level keys that name the file format rather than the campaign.
_RENAMED = {"id": "definition_id", "version": "definition_version"}
_SCHEMA_VERSION = 1
#: The largest definition file read. The built-in plan, a whole county campaign with every
#: template, is about 40 KB; 2 MB is fifty times that, and a file past it is not a plan a
#: person wrote. The cap is checked before the file is read, so a huge file costs nothing.
MAX_DEFINITION_BYTES = 2 * 1024 * 1024


def builtin_path(name: str) -> Path:
    """The file of a built-in definition (``county_2023``)."""
    try:
        return _DEFINITIONS / BUILTINS[name]
    except KeyError:
        raise DefinitionError([f"{name}: 没有这个内置定义 (可用: {', '.join(BUILTINS)})"]) from None


@dataclass(frozen=True, slots=True)
class CheckedDefinition:
    """A definition that passed every check: where it came from, what it sets up, and the
    warnings (``file:line: path: message``) for legal but suspicious things."""

    path: Path
    setup: CampaignSetup
    warnings: tuple[str, ...]


def load_setup(source: str | os.PathLike[str]) -> CampaignSetup:
    """Load a definition from a file path or a built-in name into a CampaignSetup.

    Raises :class:`DefinitionError` with every problem of the file, each as
    ``file:line: path: message``, in the order of the file.
    """
    return check_definition(source).setup


def check_definition(source: str | os.PathLike[str]) -> CheckedDefinition:
    """Load and check a definition (file path or built-in name): the schema, every reference,
    the lifecycle's reachability, phases and calendar, ladders, duties, templates. Errors raise
    :class:`DefinitionError` all at once; warnings come back with the setup."""
    text_source = os.fspath(source)
    path = builtin_path(text_source) if text_source in BUILTINS else Path(text_source)
    doc = read_yaml(path, "定义文件")
    problems: list[tuple[int, str]] = []
    version = doc.get("zhenggai")
    if version != _SCHEMA_VERSION:
        problems.append((line_of(doc, ["zhenggai"]), f"zhenggai: 须为 {_SCHEMA_VERSION} (文件格式版本)"))
    for internal in _RENAMED.values():
        if internal in doc:
            problems.append((line_of(doc, [internal]), f"{internal}: 未知字段"))
    data = {_RENAMED.get(str(k), str(k)): plain(v) for k, v in doc.items() if k != "zhenggai"}
    reverse = {v: k for k, v in _RENAMED.items()}
    try:
        setup = CampaignSetup.model_validate(data)
    except ValidationError as err:
        raise DefinitionError(located(path, problems + schema_problems(err, doc, reverse))) from None
    # The schema holds; now what keeps the campaign from running (unknown references,
    # unreachable or dead-end states, duplicates, templates), each located at its element's line.
    problems += locate_problems(doc, check_setup(setup) + template_problems(setup), reverse)
    if problems:
        raise DefinitionError(located(path, problems))
    warnings = located(path, locate_problems(doc, setup_warnings(setup), reverse))
    return CheckedDefinition(path=path, setup=setup, warnings=tuple(warnings))


def read_bytes(path: Path, what: str = "定义", limit: int | None = None, why: str = "") -> bytes:
    """The bytes of a file an author or operator names; a missing or unreadable file is one
    located :class:`DefinitionError` (``what`` names the kind of file). A file larger than
    ``limit`` bytes is refused without being read whole (``why`` says what the limit is for)."""
    try:
        with path.open("rb") as file:
            data = file.read() if limit is None else file.read(limit + 1)
            size = os.fstat(file.fileno()).st_size
    except FileNotFoundError:
        raise DefinitionError([f"{path}: 文件不存在"], what=what) from None
    except IsADirectoryError:
        raise DefinitionError([f"{path}: 不是文件 (是目录)"], what=what) from None
    except OSError as err:
        raise DefinitionError([f"{path}: 无法读取 ({err})"], what=what) from None
    if limit is not None and len(data) > limit:
        raise DefinitionError(
            [f"{path}: 文件过大 ({max(size, len(data))} 字节; {why}不超过 {limit} 字节)"], what=what
        )
    return data


def read_yaml(path: Path, what: str, data: bytes | None = None) -> Mapping[str, Any]:
    """A YAML 1.2 mapping read from ``path`` (or its ``data``) with line marks kept: duplicate
    keys refused, dates left as text for the schema; every failure one located
    :class:`DefinitionError` (``what`` names the kind of file)."""
    kind = "定义" if what == "定义文件" else what  # what the error calls it: 定义有误, 日历文件有误
    raw = read_bytes(path, kind, MAX_DEFINITION_BYTES, "定义文件") if data is None else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DefinitionError([f"{path}: 无法读取 (不是 UTF-8 文本: {err})"], what=kind) from None
    doc: Any = load_fast(text, MAX_YAML_DEPTH, MAX_YAML_NODES)
    if doc is None:  # not a plain file, or not well formed: ruamel.yaml reads it, or says why not
        from ._yaml_rt import load_rt

        doc = load_rt(path, text, kind)
    if not isinstance(doc, Mapping):
        raise DefinitionError([f"{path}:1: {what}须为映射 (键: 值)"], what=kind)
    return doc


def schema_problems(
    err: ValidationError, doc: Any, reverse: Mapping[str, str] | None = None
) -> list[tuple[int, str]]:
    """A pydantic error as located problems (``line``, ``path: message``); ``reverse`` maps
    internal top-level names back to the file's."""
    problems = []
    for e in err.errors():
        loc = [(reverse or {}).get(str(p), p) if i == 0 else p for i, p in enumerate(e["loc"])]
        problems.append((line_of(doc, loc), f"{_path_text(loc)}: {_message(e)}"))
    return problems


def locate_problems(
    doc: Any, found: list[str], reverse: Mapping[str, str] | None = None
) -> list[tuple[int, str]]:
    """Validator problems (``path: message``) with the line of the element each names."""
    located = []
    for problem in found:
        loc, _ = split_problem(problem)
        loc = [(reverse or {}).get(str(p), p) if i == 0 else p for i, p in enumerate(loc)]
        located.append((line_of(doc, loc), problem))
    return located


def _path_text(loc: list[Any]) -> str:
    """``["phases", 0, "end"]`` → ``phases[0].end``: schema errors name places the way the
    validator does."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def located(path: Path, problems: list[tuple[int, str]]) -> list[str]:
    """``file:line: path: message`` lines, in the order of the file."""
    return [f"{path}:{line}: {text}" for line, text in sorted(problems, key=lambda p: p[0])]


def plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def line_of(doc: Any, loc: list[Any]) -> int:
    """The 1-based line of the deepest node of ``loc`` that exists in the YAML document."""
    line = 1
    node = doc
    for part in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, Mapping) and part in node:
                if lc is not None:
                    line = lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                if lc is not None:
                    line = lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line


_MESSAGES: Mapping[str, str] = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知字段",
    "string_pattern_mismatch": "须为小写英文标识 (a-z, 0-9, _)",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
    "string_type": "须为文本",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "bool_type": "须为 true 或 false",
    "bool_parsing": "须为 true 或 false",
    "list_type": "须为列表",
    "dict_type": "须为映射 (键: 值)",
    "model_type": "须为映射 (键: 值)",
    "model_attributes_type": "须为映射 (键: 值)",
    "date_type": "须为日期 (YYYY-MM-DD)",
    "date_parsing": "须为日期 (YYYY-MM-DD)",
    "date_from_datetime_parsing": "须为日期 (YYYY-MM-DD)",
    "date_from_datetime_inexact": "须为日期, 不带时刻",
    "literal_error": "不是可用的取值",
    "enum": "不是可用的取值",
}


def _message(error: Mapping[str, Any]) -> str:
    """The Chinese message for a schema error; limits and allowed values are added from the
    error's context. Any type not mapped keeps pydantic's text after a Chinese lead-in."""
    kind = str(error["type"])
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"过长 (最多 {ctx.get('max_length')} 个字符)"
    if kind == "too_long":
        return f"项数过多 (最多 {ctx.get('max_length')} 项)"
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return f"不是可用的取值 (可用: {ctx['expected']})"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    return f"取值无效 ({error['msg']})"
