"""The fast YAML reader (libyaml's parser, workflows/_yaml_fast.py) reads every file it accepts as
ruamel.yaml's round-trip loader does: the same values, of the same types once the schema sees
them (str, int, float, bool, None, dict, list), and the same line and column for every key and
item. What it is not sure of it leaves to ruamel.yaml (``None``), so refusals keep their words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zhenggai.workflows._loader import MAX_YAML_DEPTH, MAX_YAML_NODES, builtin_path, read_yaml
from zhenggai.workflows._yaml_fast import YamlMap, load_fast
from zhenggai.workflows._yaml_rt import load_rt

DATA = Path(__file__).resolve().parent / "data"


def _same(fast: Any, slow: Any, where: str = "") -> None:
    """Equal values of the same kind, and the same ``lc`` marks, all the way down."""
    for kind in (bool, int, float, str, type(None)):
        if isinstance(slow, kind):
            assert type(fast) is kind, (where, fast, slow)
            assert fast == slow, (where, fast, slow)
            return
    if isinstance(slow, dict):
        assert isinstance(fast, YamlMap), where
        assert list(fast) == list(slow), where
        for key in slow:
            assert tuple(fast.lc.key(key)) == tuple(slow.lc.key(key)), (where, key)
            _same(fast[key], slow[key], f"{where}.{key}")
        return
    assert isinstance(slow, list) and isinstance(fast, list), (where, fast, slow)
    assert len(fast) == len(slow), where
    for i, (f, s) in enumerate(zip(fast, slow, strict=True)):
        assert tuple(fast.lc.item(i)) == tuple(slow.lc.item(i)), (where, i)
        _same(f, s, f"{where}[{i}]")


def _both(text: str) -> tuple[Any, Any]:
    return load_fast(text, MAX_YAML_DEPTH, MAX_YAML_NODES), load_rt(Path("x.yaml"), text, "定义")


@pytest.mark.parametrize(
    "path",
    [builtin_path("county_2023"), builtin_path("hotline_2024"), *sorted(DATA.glob("*.yaml"))],
    ids=lambda p: p.name,
)
def test_files_read_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast, slow = _both(text)
    assert fast is not None, "a plain file takes the fast way"
    _same(fast, slow)
    # The way a Windows editor saves it, too.
    fast, slow = _both(text.replace("\n", "\r\n"))
    assert fast is not None
    _same(fast, slow)


#: Snippets the fast reader reads itself, each compared with ruamel.yaml.
READ_ALIKE = [
    "a: 1\nb: -2\nc: +3\nd: 0\ne: 10\n",
    "a: 1.5\nb: -0.25\nc: 3.\nd: 0.0\n",
    "a: true\nb: False\nc: TRUE\nd: yes\ne: no\nf: on\ng: off\nh: y\n",
    "a: null\nb: ~\nc:\nd: Null\ne: NULL\nf: nil\n",
    "a: 2023-06-31\nb: 2023-6-1 10:00:00\nc: 17:30\nd: 1:2:3\ne: 2023-01-01T08:00:00Z\n",
    "a: '1'\nb: \"true\"\nc: 'null'\nd: ''\ne: \"\"\nf: '2023-01-01'\n",
    'a: "tab\\there \\u4e2d \\x41 \\/ \\\\ \\" \\N \\_ \\L \\P"\n',
    "a: 'it''s'\nb: \"多行\n  续行\"\n",
    "a: |\n  第一行\n  第二行\n\nb: |-\n  x\nc: |+\n  y\n\nd: >\n  折叠\n  的文本\n\n  新段\ne: >-\n  a\n   b\n  c\n",
    "a: plain\n  continued\n  lines\nb: x # comment\n# full comment\nc: a#b\n",
    "list:\n- a\n- b\n-\n- - nested\n  - more\n- k: v\n  k2: v2\n",
    "list:\n  - a\n  -   b\n  - {x: 1, y: [1, 2, {z: 3}]}\n  - []\n  - {}\n",
    "flow: {a: 1, 'b': \"2\", c: [x, y, ], d: }\n",
    '{"json": 1, "like": [true, null, "x"]}\n',
    "---\na: 1\n...\n",
    "? a\n: 1\n? b\n",
    "5: one\n2: two\ntrue: t\n~: n\n3.5: f\n",
    "中文键: 中文值\n标题: 关于开展专项整治的通知（试行）\n",
    "a: -foo\nb: :foo\nc: ?foo\nd: foo:bar\ne: 'x: y'\nf: a - b\n",
    "a: 1 # trailing\n\n\n\nb:\n\n  - x\n\n  - y\n",
    "a: [\n  1,\n  2\n]\nb: {\n  c: d\n}\n",
    "a: very long " + "长" * 3000 + "\n",
]


@pytest.mark.parametrize("text", READ_ALIKE)
def test_snippets_read_alike(text: str) -> None:
    fast, slow = _both(text)
    assert fast is not None, text
    _same(fast, slow)


#: Snippets the fast reader leaves to ruamel.yaml (which reads or refuses them as ever).
LEFT_TO_RUAMEL = [
    "%YAML 1.2\n---\na: 1\n",
    "%YAML 1.1\n---\na: yes\n",
    "a: !!str 1\n",
    "a: !custom x\n",
    "a: &x 1\nb: *x\n",
    "a: &x [1]\n",
    "a: 1\na: 2\n",
    "1: a\n1.0: b\n",
    "1: a\ntrue: b\n",
    "<<: {a: 1}\n",
    "a: =\n",
    "a: 0o17\nb: 1\n",
    "a: 017\n",
    "a: 1_000\n",
    "a: 0x1f\n",
    "a: 0b101\n",
    "a: 1e3\n",
    "a: .5\n",
    "a: .inf\n",
    "a: -.inf\n",
    "a: .nan\n",
    "a: -0\n",
    "a: 00\n",
    "a: 1_0.5\n",
    "? [a, b]\n: c\n",
    "? {a: b}\n: c\n",
    "a: 1\n---\nb: 2\n",
    "- a\n- b\n",
    "just text\n",
    "",
    "# only a comment\n",
    "a: b\u2028c\n",
    "a:\tb\n",
    "a: 'x\ty'\n",
    "a: b\x85c\n",
    "\ufeffa: 1\n",
    "a: [1, 2\n",
    "a: |#\n  x\n",
    "a: >-#c\n  x\n",
    "a: |2\n    indented\n  b\n",
    "a: |\n  \n    x\n",
    "a: |\n \n  x\n",
    "a: 'unclosed\n",
    "a: b: c\n",
    "a:\n  - x\n y: 1\n",
    "[" * (MAX_YAML_DEPTH - 1) + "]" * (MAX_YAML_DEPTH - 1) + "\n",
    "a: [" + ", ".join(["1"] * MAX_YAML_NODES) + "]\n",
]


@pytest.mark.parametrize("text", LEFT_TO_RUAMEL)
def test_unsure_snippets_are_left_to_ruamel(text: str) -> None:
    assert load_fast(text, MAX_YAML_DEPTH, MAX_YAML_NODES) is None


def test_read_yaml_takes_the_fast_way_and_keeps_refusals(tmp_path: Path) -> None:
    plan = read_yaml(builtin_path("county_2023"), "定义文件")
    text = builtin_path("county_2023").read_text(encoding="utf-8")
    assert isinstance(plan, YamlMap)
    assert plan.lc.key("zhenggai") == (text.splitlines().index("zhenggai: 1"), 0)
    bad = tmp_path / "dup.yaml"
    bad.write_text("zhenggai: 1\nzhenggai: 2\n", encoding="utf-8")
    from zhenggai.engine.errors import DefinitionError

    with pytest.raises(DefinitionError) as err:
        read_yaml(bad, "定义文件")
    assert str(bad) + ":2:" in str(err.value) and "zhenggai" in str(err.value)
