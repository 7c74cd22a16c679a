"""The reference way to read a definition file: ruamel.yaml's round-trip loader in pure Python
(YAML 1.2, line marks kept as ``.lc``, duplicate keys refused), with the caps a hostile file
meets (no aliases, depth, node count), every refusal one located :class:`DefinitionError`.

:func:`zhenggai.workflows._loader.read_yaml` reads plain files with the faster
:mod:`._yaml_fast` first and comes here for anything else, so every error and refusal is
worded and located as ever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from zhenggai.engine.errors import DefinitionError

from ._yaml_fast import MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = ["load_rt"]


def load_rt(path: Path, text: str, kind: str) -> Any:
    """The document ``text`` holds (``path`` names it in errors, ``kind`` is what the error
    calls the file: 定义, 日历文件)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.Composer = _Composer
    yaml.allow_duplicate_keys = False
    try:
        doc = yaml.load(text)
    except _Refused as err:
        raise DefinitionError([f"{path}:{err.line}: {err.message}"], what=kind) from None
    except RecursionError:  # pragma: no cover - the depth cap comes first; never an internal error
        raise DefinitionError([f"{path}: 嵌套过深 (最多 {MAX_YAML_DEPTH} 层)"], what=kind) from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise DefinitionError([f"{path}:{line}: YAML 格式错误: {err.problem or err}"], what=kind) from None
    except YAMLError as err:
        raise DefinitionError([f"{path}: YAML 格式错误: {err}"], what=kind) from None
    return doc


class _Refused(Exception):
    """A hostile shape met while composing: one located message, no traceback."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Composer(Composer):
    """Composes nodes with three caps, each refused where it is met:

    - **no aliases** (``*name``): a definition has no use for them, and expanding them is how a
      1.6 KB file becomes billions of nodes ("billion laughs"). Anchors alone are harmless;
    - **depth** at most :data:`MAX_YAML_DEPTH` (the composer recurses per level);
    - **nodes** at most :data:`MAX_YAML_NODES`.
    """

    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            raise _Refused(event.start_mark.line + 1, f"不支持 YAML 别名 (*{event.anchor}): 请把内容直接写出")
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            event = self.parser.peek_event()
            raise _Refused(event.start_mark.line + 1, f"内容过多 (最多 {MAX_YAML_NODES} 个 YAML 节点)")
        if self.depth >= MAX_YAML_DEPTH:
            event = self.parser.peek_event()
            raise _Refused(event.start_mark.line + 1, f"嵌套过深 (最多 {MAX_YAML_DEPTH} 层)")
        return super().compose_node(parent, index)


class _Constructor(RoundTripConstructor):
    """Dates stay text until the schema reads them, so an impossible date (2023-06-31) is a
    located schema error instead of an exception inside the YAML parser."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)
