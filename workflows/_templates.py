"""Message templates: compiled in Jinja2's sandbox, checked against the variables each kind of
message gets (:mod:`zhenggai.engine.messages`).

The same environment renders them later (step 4), so what passes here renders there: sandboxed
(no attribute tricks, no I/O, builtin lists and dicts not changed), ``StrictUndefined`` (a
missing variable is an error, never an empty string), autoescape for HTML bodies.

A template is untrusted text (issue 13, point 3: ``{{ 'x' * 10**9 }}`` took 2.9 GB in
``zhenggai check``, because Jinja2 folds constant expressions while compiling). So:

- **check time** (:func:`template_problems`): the parsed tree is walked *before* anything is
  compiled, and a template is refused for ``**``, ``*`` on a text or list literal, a number
  literal above :data:`MAX_LITERAL`, ``range`` over more than :data:`MAX_RANGE`, a format width
  or precision of five digits or more (``'%099999d'``, ``'{:>99999}'``), loops nested more
  than :data:`MAX_LOOP_DEPTH` deep;
- **compiling never folds constants**: no optimizer, no constant output, ``* ** %``
  intercepted (the sandbox then refuses to fold them);
- **render time**: ``*``, ``**`` and ``%``, every filter and every method of a text are checked
  against a bound of what they could produce (:data:`MAX_TEXT` characters) before they run,
  ``range`` gives at most :data:`MAX_RANGE` numbers, and a rendered message past
  :data:`MAX_TEXT` characters stops with an error; ``+`` and ``~`` are bounded the same way (a
  macro that calls itself doubling a text); ``lipsum`` and ``namespace`` (a way to grow a value
  across a loop) are not offered;
- **render time, in time** (issue 13, point 2: two loops of ``range(1000)`` pass the check and
  each turn may call a filter over a thousand numbers; macros calling macros nest loops the check
  cannot see): every call, filter, attribute or item look-up, loop turn, intercepted operator and
  piece of output spends one operation of a budget of :data:`MAX_OPERATIONS` per message, and a
  wall-clock deadline of :data:`MAX_RENDER_SECONDS` is checked at each of them (a backstop: on
  any ordinary machine the budget, which does not depend on its speed, decides first). Past either, :class:`RenderLimitError`
  (``模板渲染超出限制: …``). :func:`render_budget` shares one budget among several renders (a
  message's subject, body and SMS parameters).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes, select_autoescape
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.meta import TrackingCodeGenerator
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from zhenggai.engine.messages import MessageUse, message_uses

from .schema import CampaignSetup

__all__ = [
    "MAX_OPERATIONS",
    "MAX_RENDER_SECONDS",
    "RenderLimitError",
    "render_budget",
    "template_environment",
    "template_problems",
]

#: The most characters a rendered message, or any value made while rendering it, may have.
#: A message body in a definition is at most 20,000 characters; a hundred times that is room
#: for every variable, and still a few megabytes at worst.
MAX_TEXT = 2_000_000
#: The largest number a template may write literally (a count or a width, never more).
MAX_LITERAL = 100_000
#: The most numbers ``range`` gives.
MAX_RANGE = 1_000
#: The deepest nesting of ``for`` loops (two loops of ``range(1000)``: a million turns).
MAX_LOOP_DEPTH = 2
#: The most operations (calls, filters, look-ups, loop turns, operators, pieces of output) rendering
#: one message may take. An ordinary message takes a few dozen; a digest listing a thousand items
#: with a few look-ups each, some ten thousand; two loops of ``range(1000)``, a million.
MAX_OPERATIONS = 100_000
#: The wall-clock backstop of one message's rendering, in seconds (checked at every operation).
MAX_RENDER_SECONDS = 2.0
#: A ``%`` or ``{:…}`` format width or precision of five digits or more.
_WIDE_FORMAT = re.compile(r"%[^%a-zA-Z]*?\d{5,}|\{[^{}]*?:[^{}]*?\d{5,}[^{}]*?\}")


def _size(value: Any) -> int:
    """A bound of how much ``value`` weighs in a result: its length, or its value for a number."""
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return abs(value)
    if isinstance(value, float):
        return int(min(abs(value), MAX_TEXT + 1)) if value == value else 0  # noqa: PLR0124 - NaN
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return len(value) + sum(len(v) for v in value if isinstance(v, str))
    try:
        return len(value)
    except TypeError:
        return 0


class RenderLimitError(SecurityError):
    """Rendering went past :data:`MAX_OPERATIONS` operations or :data:`MAX_RENDER_SECONDS`."""


class _Budget:
    """What is left of a rendering's operations, and its deadline (``time.monotonic``)."""

    __slots__ = ("deadline", "left", "operations", "seconds")

    def __init__(self, operations: int, seconds: float) -> None:
        self.operations, self.seconds = operations, seconds
        self.left = operations
        self.deadline = time.monotonic() + seconds

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise RenderLimitError(f"模板渲染超出限制: 超过 {self.operations} 步运算")
        if time.monotonic() > self.deadline:
            raise RenderLimitError(f"模板渲染超出限制: 超过 {self.seconds:g} 秒")


_BUDGET: ContextVar[_Budget | None] = ContextVar("zhenggai_render_budget", default=None)


@contextlib.contextmanager
def render_budget(operations: int = MAX_OPERATIONS, seconds: float = MAX_RENDER_SECONDS) -> Iterator[_Budget]:
    """One budget for every template rendered inside (else each render has its own)."""
    budget = _Budget(operations, seconds)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _spend(n: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend(n)


def _cost(values: Iterable[Any]) -> int:
    """Operations an operation on ``values`` spends: one, and one more for every thousand
    characters of text and every ten items of a sequence it goes through (``range(1000)|join``
    is a hundred operations, not one)."""
    chars = items = 0
    for value in values:
        if isinstance(value, str):
            chars += len(value)
        elif isinstance(value, list | tuple | range | dict):
            items += len(value)
    return 1 + chars // 1000 + items // 10


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    """``iterable``, one operation a turn (every ``for`` loop iterates through this)."""
    for value in iterable:
        _spend()
        yield value


def _bound(values: list[Any], what: str) -> None:
    """Refuse an operation on ``values`` (the first is what it acts on) whose result could
    exceed :data:`MAX_TEXT`: (size of the first + 1) × (1 + the sizes of the others) bounds
    replacing, padding, indenting, joining and repeating."""
    if not values:
        return
    first, rest = values[0], values[1:]
    if (_size(first) + 1) * (1 + sum(_size(v) for v in rest)) > MAX_TEXT:
        raise SecurityError(f"{what}: 结果可能过大 (最多 {MAX_TEXT} 个字符)")
    for value in values:
        if isinstance(value, str) and what in ("format", "format_map", "%") and _WIDE_FORMAT.search(value):
            raise SecurityError(f"{what}: 格式宽度过大")


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps jinja_pass_arg: the context comes first, as before
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _spend(_cost((*args, *kwargs.values())))
        values = [v for v in (*args, *kwargs.values()) if isinstance(v, str | int | float | list | tuple)]
        _bound(values, "format" if name == "format" else f"过滤器 {name}")
        return function(*args, **kwargs)

    return bounded


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range: 最多 {MAX_RANGE} 个数")
    return numbers


class _NoFolding(CodeGenerator):
    """Compiles without turning constant output into text at compile time; every loop's turns
    and every ``~`` are counted and bounded by the environment."""

    def _output_child_to_const(self, node: nodes.Expr, frame: Frame, finalize: Any) -> str:
        raise nodes.Impossible()

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        # ``for x in environment.counted(iter)`` (Jinja2 has no custom nodes; this one is its own).
        counted = copy.copy(node)
        counted.iter = nodes.Call(
            nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None, lineno=node.iter.lineno
        )
        super().visit_For(counted, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # As CodeGenerator.visit_Concat, with the length checked before joining.
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"environment.bounded_join({func_name}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Tracking(TrackingCodeGenerator):
    """:func:`jinja2.meta.find_undeclared_variables` without folding (it compiles, too)."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.optimizer = None

    def _output_child_to_const(self, node: nodes.Expr, frame: Frame, finalize: Any) -> str:
        raise nodes.Impossible()


class _BoundedTemplate(Template):
    """Renders piece by piece and stops past :data:`MAX_TEXT` characters."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if _BUDGET.get() is None:
            with render_budget():
                return self._render(*args, **kwargs)
        return self._render(*args, **kwargs)

    def _render(self, *args: Any, **kwargs: Any) -> str:
        parts: list[str] = []
        size = 0
        for part in self.generate(*args, **kwargs):
            _spend()
            size += len(part)
            if size > MAX_TEXT:
                raise SecurityError(f"消息过长 (最多 {MAX_TEXT} 个字符)")
            parts.append(part)
        return "".join(parts)


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _NoFolding
    template_class = _BoundedTemplate

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _spend(_cost((left, right)))
        if operator == "+":
            if not isinstance(left, int | float) and _size(left) + _size(right) > MAX_TEXT:
                raise SecurityError(f"+: 结果过大 (最多 {MAX_TEXT} 个字符)")
        elif operator == "**":
            if (
                isinstance(right, int)
                and isinstance(left, int)
                and (abs(right) > 64 or max(left.bit_length(), 1) * abs(right) > 4096)
            ):
                raise SecurityError("**: 结果过大")
        elif operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                if left.bit_length() + right.bit_length() > 4096:
                    raise SecurityError("*: 结果过大")
            else:
                _bound([left, right], "*")
        elif operator == "%" and isinstance(left, str):
            _bound([left, right], "%")
        return self.binop_table[operator](left, right)

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(obj, "__self__", None)
        _spend(_cost((owner, *args, *kwargs.values())))
        if isinstance(obj, LoopContext) and args:  # a recursive loop's inner turns count too
            args = (_counted(args[0]), *args[1:])
        if isinstance(owner, str):
            _bound([owner, *args, *kwargs.values()], getattr(obj, "__name__", "方法"))
        return super().call(context, obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _spend()
        return super().getitem(obj, argument)

    @staticmethod
    def counted(iterable: Iterable[Any]) -> Iterator[Any]:
        return _counted(iterable)

    @staticmethod
    def bounded_join(join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        """``a ~ b ~ …``, refused before joining past :data:`MAX_TEXT` characters."""
        size = sum(len(p) if isinstance(p, str) else len(str(p)) for p in parts)
        _spend(1 + size // 1000)
        if size > MAX_TEXT:
            raise SecurityError(f"~: 结果过大 (最多 {MAX_TEXT} 个字符)")
        return join(parts)


def template_environment() -> ImmutableSandboxedEnvironment:
    """The sandboxed, strict environment every message template is compiled and rendered in."""
    env = _Environment(
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "htm"), default_for_string=False),
        keep_trailing_newline=True,
        optimized=False,
    )
    env.filters = {name: _bounded_filter(name, f) for name, f in env.filters.items()}
    env.globals.pop("lipsum", None)
    env.globals.pop("namespace", None)
    env.globals["range"] = _range
    return env


def hazards(tree: nodes.Template) -> Iterator[tuple[int, str]]:
    """What in a parsed template could make a huge value (``line``, message), before any of it
    is compiled; the most telling kind first (``**`` before the number it raises)."""
    for power in tree.find_all(nodes.Pow):
        yield power.lineno, "不允许乘方 (**)"
    for product in tree.find_all(nodes.Mul):
        if any(
            isinstance(side, nodes.List | nodes.Tuple | nodes.Concat)
            or (isinstance(side, nodes.Const) and isinstance(side.value, str))
            for side in (product.left, product.right)
        ):
            yield product.lineno, "不允许把文本或列表乘以倍数 (*)"
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "range":
            for arg in call.args:
                if isinstance(arg, nodes.Const) and isinstance(arg.value, int) and abs(arg.value) > MAX_RANGE:
                    yield call.lineno, f"range 最多 {MAX_RANGE} 个数"
    for const in tree.find_all(nodes.Const):
        value = const.value
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_LITERAL:
            yield const.lineno, f"数字 {value} 过大 (最多 {MAX_LITERAL})"
        elif isinstance(value, str) and _WIDE_FORMAT.search(value):
            yield const.lineno, "格式宽度或精度过大 (最多四位数)"
    yield from _deep_loops(tree, 0)


def _deep_loops(node: nodes.Node, depth: int) -> Iterator[tuple[int, str]]:
    for child in node.iter_child_nodes():
        inner = depth + isinstance(child, nodes.For)
        if inner > MAX_LOOP_DEPTH:
            yield child.lineno, f"循环嵌套过深 (最多 {MAX_LOOP_DEPTH} 层)"
            continue
        yield from _deep_loops(child, inner)


def template_problems(setup: CampaignSetup) -> list[str]:
    """Messages without a template, templates that do not compile, and variables a template
    uses that its message does not provide, as ``path: message`` lines."""
    env = template_environment()
    templates = setup.notifications.templates
    uses: dict[str, list[MessageUse]] = defaultdict(list)
    problems: list[str] = []
    examined: dict[str, tuple[str | None, nodes.Template | None]] = {}
    variables: dict[str, frozenset[str]] = {}
    for use in message_uses(setup):
        uses[use.kind].append(use)
        if use.kind not in templates:
            problems.append(f"{use.path}: 消息 {use.kind} 没有模板 (notifications.templates.{use.kind})")
    for kind, template in templates.items():
        provided = frozenset.intersection(*(u.variables for u in uses[kind])) if uses[kind] else None
        fields = {
            "subject": template.subject,
            "body": template.body,
            **{f"sms_params.{k}": v for k, v in template.sms_params.items()},
        }
        for field, source in fields.items():
            path = f"notifications.templates.{kind}.{field}"
            text = source if not field.startswith("sms_params.") else "{{ " + source + " }}"
            if text not in examined:  # the same text (``{{ title }}``) is parsed once
                examined[text] = _examine(env, text)
            problem, parsed = examined[text]
            if parsed is None:
                problems.append(f"{path}: {problem}")
                continue
            if provided is None:
                continue
            if text not in variables:
                tracking = _Tracking(env)
                tracking.visit(parsed)
                variables[text] = frozenset(tracking.undeclared_identifiers)
            for name in sorted(variables[text] - provided):
                problems.append(
                    f"{path}: 模板使用了消息 {kind} 没有的变量 {name} (可用: {', '.join(sorted(provided))})"
                )
    return problems


def _examine(env: ImmutableSandboxedEnvironment, text: str) -> tuple[str | None, nodes.Template | None]:
    """One template text parsed, or what is wrong with it (it does not compile, or it is
    unsafe: then it is never compiled, as compiling is where constants are evaluated)."""
    try:
        parsed = env.parse(text)
    except TemplateSyntaxError as err:
        return f"模板无法编译 (第 {err.lineno} 行: {err.message})", None
    hazard = next(hazards(parsed), None)  # one per template: the first says enough
    if hazard is not None:
        return f"模板不安全 (第 {hazard[0]} 行: {hazard[1]})", None
    return None, parsed
