"""Hostile message templates (issue 13, point 3): ``{{ 'x' * 10**9 }}`` took 2.9 GB in
``zhenggai check`` because Jinja2 folds constants while compiling. Each such template is now
refused by the check at its template's line, before anything is compiled; the environment
never folds constants; rendering bounds ``*``, ``**``, ``%``, filters, text methods, ``range``
and the message's length. The checks run in a child process limited to 1 GB of address space,
so a regression fails instead of taking the machine down.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError
from zhenggai.engine.errors import DefinitionError
from zhenggai.workflows import builtin_path, check_definition, template_environment
from zhenggai.workflows._templates import MAX_LITERAL, MAX_LOOP_DEPTH, MAX_RANGE, MAX_TEXT

from tests.conftest import bounded_python

SUBJECT = 'subject: "【交办】{{ title }}"'
#: name → (the subject's expression, what the refusal says)
BOMBS = {
    "power": ("{{ 'x' * 10**9 }}", "不允许乘方 (**)"),
    "power_alone": ("{{ 10**10**10 }}", "不允许乘方 (**)"),
    "text_times": ("{{ 'x' * 100000 * 100000 }}", "不允许把文本或列表乘以倍数 (*)"),
    "list_times": ("{{ [title] * 99999 }}", "不允许把文本或列表乘以倍数 (*)"),
    "big_literal": ("{{ title|center(1000000000) }}", f"数字 1000000000 过大 (最多 {MAX_LITERAL})"),
    "wide_format": ("{{ '%01000000000d'|format(1) }}", "格式宽度或精度过大 (最多四位数)"),
    "wide_format_method": ("{{ '{:>1000000000}'.format(title) }}", "格式宽度或精度过大 (最多四位数)"),
    "big_range": ("{{ range(100000000)|join }}", f"range 最多 {MAX_RANGE} 个数"),
    "nested_loops": (
        (
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x"
            "{% endfor %}{% endfor %}{% endfor %}"
        ),
        f"循环嵌套过深 (最多 {MAX_LOOP_DEPTH} 层)",
    ),
}


def _definition(tmp_path: Path, expression: str) -> tuple[Path, int]:
    text = builtin_path("county_2023").read_text(encoding="utf-8")
    assert SUBJECT in text
    path = tmp_path / "bomb.yaml"
    path.write_text(
        text.replace(SUBJECT, f"subject: {json.dumps('【交办】' + expression, ensure_ascii=False)}"),
        encoding="utf-8",
    )
    return path, text[: text.index(SUBJECT)].count("\n") + 1


@pytest.mark.parametrize("name", BOMBS)
def test_bomb_is_refused_at_its_line(tmp_path: Path, name: str) -> None:
    expression, message = BOMBS[name]
    path, line = _definition(tmp_path, expression)
    with pytest.raises(DefinitionError) as caught:
        check_definition(path)
    problems = list(caught.value.problems)
    assert len(problems) == 1, problems
    assert problems[0] == (
        f"{path}:{line}: notifications.templates.item_assigned.subject: 模板不安全 (第 1 行: {message})"
    )


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_every_bomb_in_one_gigabyte(tmp_path: Path) -> None:
    """``zhenggai check`` on each bomb, in a child of 1 GB: exit 1 with the refusal, no 内部错误
    (before the fix: MemoryError there, 2.9 GB and more without the limit)."""
    paths = []
    for name, (expression, _) in BOMBS.items():
        folder = tmp_path / name
        folder.mkdir()
        paths.append(str(_definition(folder, expression)[0]))
    result = bounded_python(f"""
        from zhenggai.adapters.cli import main
        raise SystemExit(main(["check", *{paths!r}]))
    """)
    assert result.returncode == 1, result.stderr
    assert "内部错误" not in result.stdout + result.stderr
    assert result.stdout.count("模板不安全") == len(BOMBS)


@pytest.mark.parametrize(
    ("source", "values"),
    [
        ("{{ t * n }}", {"t": "x", "n": 10**9}),
        ("{{ t * n }}", {"t": ["x"], "n": 10**9}),
        ("{{ a ** b }}", {"a": 10, "b": 10**9}),
        ("{{ a * b }}", {"a": 10**3000, "b": 10**3000}),
        ("{{ t.replace('', u) }}", {"t": "x" * 5000, "u": "y" * 5000}),
        ("{{ t|replace('', u) }}", {"t": "x" * 5000, "u": "y" * 5000}),
        ("{{ t|center(n) }}", {"t": "x", "n": 10**9}),
        ("{{ f % 1 }}", {"f": "%01000000000d"}),
        ("{{ f|format(1) }}", {"f": "%01000000000d"}),
        ("{{ f.format(1) }}", {"f": "{:>1000000000}"}),
        ("{% for i in range(n) %}{% endfor %}", {"n": 10**6}),
        (
            "{% for i in range(1000) %}{% for j in range(1000) %}{{ t }}{% endfor %}{% endfor %}",
            {"t": "x" * 10},
        ),
        ("{% set l = [] %}{% for i in range(20) %}{{ l.extend(l) }}{% endfor %}", {}),
    ],
)
def test_render_is_bounded(source: str, values: dict[str, object]) -> None:
    """What the check cannot see (values arrive at render time) is refused when rendering."""
    with pytest.raises(SecurityError):
        template_environment().from_string(source).render(**values)


def test_no_lipsum_nor_namespace() -> None:
    env = template_environment()
    assert "lipsum" not in env.globals and "namespace" not in env.globals


def test_compiling_never_folds_constants() -> None:
    """The compiled code computes ``'x' * 3`` when it renders, not when it compiles."""
    env = template_environment()
    code = env.compile("{{ 'x' * 3 }}{{ 'ab'|upper }}", raw=True)
    assert "'xxx'" not in code and "'AB'" not in code
    assert env.from_string("{{ 'x' * 3 }}{{ 'ab'|upper }}").render() == "xxxAB"


def test_ordinary_templates_still_render() -> None:
    env = template_environment()
    text = env.from_string(
        "{{ title }} {{ n * 2 }} {{ '%05d'|format(n) }} {{ items|join('、') }} "
        "{% for i in range(3) %}{{ i }}{% endfor %} {{ title|replace('题', '目') }}"
    ).render(title="标题", n=3, items=["甲", "乙"])
    assert text == "标题 6 00003 甲、乙 012 标目"
    assert len(env.from_string("{{ t }}").render(t="字" * (MAX_TEXT // 2))) == MAX_TEXT // 2


def test_builtin_plans_pass() -> None:
    for name in ("county_2023", "hotline_2024"):
        assert check_definition(name).setup is not None
