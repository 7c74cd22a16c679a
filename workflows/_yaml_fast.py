"""The fast way to read a definition file: libyaml's event parser (PyYAML's ``CParser``), composed
here into dicts and lists that keep the line of every key and item, with YAML 1.2's scalar rules.

Only for the plain files authors write. Whenever a file holds anything where this reader could
differ from ruamel.yaml's round-trip loader (the reference: :func:`._yaml_rt.load_rt`), it gives
up and returns ``None``, and the caller reads the file with ruamel.yaml, which then gives the
same value or the same located refusal as ever. It gives up on: a parse error, a directive
(``%YAML``), a tag, an anchor or alias, a merge key (``<<``), a complex key, a duplicate key,
more than one document, a scalar that would not be a plain str, int, float, bool or null in the
round-trip loader (``0o17``, ``1_000``, ``1e3``, ``.inf``, ``=``), nesting or node counts near
the caps, the characters YAML 1.1 (libyaml) reads as line breaks and YAML 1.2 does not (U+0085,
U+2028, U+2029), a tab and a byte-order mark; and when PyYAML or its libyaml part is missing.

``tests/test_yaml_fast.py`` reads every built-in definition, the test data and a set of tricky
snippets both ways and compares values, types and line marks.

The ruamel round-trip loader composes about 20,000 nodes a second in pure Python (0.17 s for the
built-in plan); this reader takes about a tenth of that.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MAX_YAML_DEPTH", "MAX_YAML_NODES", "LineCol", "YamlMap", "YamlSeq", "load_fast"]

#: The deepest nesting of lists and mappings a file may have: a definition nests about eight
#: levels deep; past this the composer's recursion would fail with an internal error.
MAX_YAML_DEPTH = 64
#: The most YAML nodes (scalars, lists, mappings) a file may have: the built-in plan has about
#: 2,400. The round-trip loader composes some 20,000 nodes a second, so this cap keeps the worst
#: file under a second; it is counted while composing, so a file of a million tiny nodes stops
#: at the 20,001st.
MAX_YAML_NODES = 20_000

#: Characters on which libyaml (YAML 1.1) and ruamel.yaml (YAML 1.2) read a file differently.
#: A tab is one more: ruamel.yaml refuses it in places libyaml takes it (``a:<tab>b``).
_UNSURE_TEXT = re.compile("[\t\x85\u2028\u2029\ufeff]")

# YAML 1.2's implicit scalar resolution as ruamel.yaml's VersionedResolver does it (same
# expressions, same order, tried only for their first characters).
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_FLOAT = re.compile(
    r"""^(?:
     [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.VERBOSE,
)
_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0o?[0-7_]+
    |[-+]?[0-9_]+
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.VERBOSE,
)
_MERGE = re.compile(r"^(?:<<)$")
_NULL = re.compile(r"^(?: ~ |null|Null|NULL | )$", re.VERBOSE)
_TIMESTAMP = re.compile(
    r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
    (?:[Tt]|[ \t]+)[0-9][0-9]?
    :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
    re.VERBOSE,
)
_VALUE = re.compile(r"^(?:=)$")
_RESOLVERS: list[tuple[str, re.Pattern[str], str]] = [
    ("bool", _BOOL, "tTfF"),
    ("float", _FLOAT, "-+0123456789."),
    ("int", _INT, "-+0123456789"),
    ("merge", _MERGE, "<"),
    ("null", _NULL, "~nN"),
    ("timestamp", _TIMESTAMP, "0123456789"),
    ("value", _VALUE, "="),
]
_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _firsts in _RESOLVERS:
    for _first in _firsts:
        _BY_FIRST.setdefault(_first, []).append((_tag, _pattern))
_BY_FIRST[""] = [("null", _NULL)]  # the empty plain scalar
#: Numbers the round-trip loader turns into a plain int / float (others keep their format in
#: ScalarInt, HexInt, ScalarFloat with exponent, …: this reader gives up on them).
_PLAIN_INT = re.compile(r"[-+]?(?:[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*")
#: The rest of a block scalar's first line as ruamel.yaml reads it alike: the indicator, an
#: optional chomping sign, then spaces and a comment after a space (``|#`` and indentation
#: digits are left to ruamel.yaml).
_BLOCK_HEADER = re.compile(r"[|>][-+]?(?: +(?:#.*)?)?")


class _Unsure(Exception):
    """This reader might read the file differently from ruamel.yaml: let ruamel.yaml read it."""


class LineCol:
    """Where the keys of a mapping or the items of a sequence start, 0-based ``(line, column)``,
    as ruamel.yaml's ``.lc`` gives them (``lc.key(k)``, ``lc.item(i)``)."""

    __slots__ = ("_at",)

    def __init__(self, at: dict[Any, tuple[int, int]]) -> None:
        self._at = at

    def key(self, key: Any) -> tuple[int, int]:
        return self._at[key]

    def item(self, index: int) -> tuple[int, int]:
        return self._at[index]


class YamlMap(dict[Any, Any]):
    """A mapping read from YAML, with the line of each key (``lc``)."""

    __slots__ = ("lc",)
    lc: LineCol


class YamlSeq(list[Any]):
    """A sequence read from YAML, with the line of each item (``lc``)."""

    __slots__ = ("lc",)
    lc: LineCol


def load_fast(text: str, max_depth: int, max_nodes: int) -> YamlMap | None:
    """The mapping ``text`` holds, read as ruamel.yaml's round-trip loader would read it
    (timestamps left as text), or ``None`` when this reader is not sure to agree (see the module
    docstring) or the document is not a mapping: then the caller reads it with ruamel.yaml."""
    if _UNSURE_TEXT.search(text):
        return None
    try:
        from yaml import YAMLError, events
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML is a dependency; its wheels carry libyaml
        return None
    parser = CParser(text)
    try:
        doc = _Composer(parser, events, text, max_depth, max_nodes).document()
    except (_Unsure, YAMLError):
        return None
    finally:
        parser.dispose()
    return doc if isinstance(doc, YamlMap) else None


class _Composer:
    __slots__ = ("_ev", "_get", "_lines", "_max_depth", "_max_nodes", "_nodes", "_text")

    def __init__(self, parser: Any, ev: Any, text: str, max_depth: int, max_nodes: int) -> None:
        self._get = parser.get_event
        self._text = text
        self._lines: list[str] | None = None
        self._ev = ev
        # Give up a little before the caps, so ruamel.yaml counts and refuses where it always has.
        self._max_depth = max_depth - 2
        self._max_nodes = max_nodes - 2
        self._nodes = 0

    def document(self) -> Any:
        ev = self._ev
        if type(self._get()) is not ev.StreamStartEvent:
            raise _Unsure
        start = self._get()
        if type(start) is not ev.DocumentStartEvent or start.version or start.tags:
            raise _Unsure
        doc = self._node(self._get(), 0)
        if type(self._get()) is not ev.DocumentEndEvent or type(self._get()) is not ev.StreamEndEvent:
            raise _Unsure  # a second document: ruamel.yaml refuses it
        return doc

    def _node(self, event: Any, depth: int) -> Any:
        self._nodes += 1
        if self._nodes > self._max_nodes or depth > self._max_depth:
            raise _Unsure
        ev = self._ev
        kind = type(event)
        if kind is ev.ScalarEvent:
            if event.style in ("|", ">"):
                self._block(event)
            return _scalar(event)
        if event.anchor is not None or event.tag is not None:
            raise _Unsure
        if kind is ev.MappingStartEvent:
            mapping = YamlMap()
            keys: dict[Any, tuple[int, int]] = {}
            while True:
                key_event = self._get()
                if type(key_event) is ev.MappingEndEvent:
                    break
                if type(key_event) is not ev.ScalarEvent:
                    raise _Unsure  # a complex key, or an alias
                self._nodes += 1
                key = _scalar(key_event)
                if key in mapping:
                    raise _Unsure  # a duplicate key: ruamel.yaml's refusal names it
                mapping[key] = self._node(self._get(), depth + 1)
                mark = key_event.start_mark
                keys[key] = (mark.line, mark.column)
            mapping.lc = LineCol(keys)
            return mapping
        if kind is ev.SequenceStartEvent:
            sequence = YamlSeq()
            items: dict[Any, tuple[int, int]] = {}
            while True:
                item_event = self._get()
                if type(item_event) is ev.SequenceEndEvent:
                    break
                mark = item_event.start_mark
                items[len(sequence)] = (mark.line, mark.column)
                sequence.append(self._node(item_event, depth + 1))
            sequence.lc = LineCol(items)
            return sequence
        raise _Unsure  # an alias

    def _block(self, event: Any) -> None:
        """Gives up on a block scalar whose header or leading blank lines ruamel.yaml reads
        more strictly than libyaml (``|#``; a first blank line of spaces then a deeper one)."""
        if self._lines is None:
            self._lines = [line.rstrip("\r") for line in self._text.split("\n")]
        start, end = event.start_mark, event.end_mark
        if not _BLOCK_HEADER.fullmatch(self._lines[start.line][start.column :]):
            raise _Unsure
        for line in self._lines[start.line + 1 : end.line + 1]:
            if line.strip(" "):
                break
            if line:
                raise _Unsure


def _scalar(event: Any) -> Any:
    """A scalar's value as the round-trip loader constructs it, or :class:`_Unsure`."""
    if event.anchor is not None or event.tag is not None:
        raise _Unsure
    value: str = event.value
    if not event.implicit[0]:  # quoted or a block scalar: always text
        return value
    tag = _implicit_tag(value)
    if tag is None:
        return value
    if tag == "bool":
        return value[0] in "tT"
    if tag == "null":
        return None
    if tag == "timestamp":
        return value  # the definition loader keeps dates as text for the schema
    if tag == "int" and (value == "0" or _PLAIN_INT.fullmatch(value)):
        return int(value)
    if tag == "float" and _PLAIN_FLOAT.fullmatch(value):
        return float(value)
    raise _Unsure  # 0o17, 007, 1_000, 0x1f, 1e3, .5, .inf, <<, =


def _implicit_tag(value: str) -> str | None:
    """The tag ruamel.yaml's YAML 1.2 resolver gives a plain scalar (``None``: str)."""
    for tag, pattern in _BY_FIRST.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return None
