"""Message templates: compiled in Jinja2's sandbox, checked against the variables each kind of
message gets (:mod:`zhenggai.engine.messages`).

The same environment renders them later (step 4), so what passes here renders there: sandboxed
(no attribute tricks, no I/O), ``StrictUndefined`` (a missing variable is an error, never an
empty string), autoescape for HTML bodies.
"""

from __future__ import annotations

from collections import defaultdict

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from zhenggai.engine.messages import MessageUse, message_uses

from .schema import CampaignSetup

__all__ = ["template_environment", "template_problems"]


def template_environment() -> SandboxedEnvironment:
    """The sandboxed, strict environment every message template is compiled and rendered in."""
    return SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "htm"), default_for_string=False),
        keep_trailing_newline=True,
    )


def template_problems(setup: CampaignSetup) -> list[str]:
    """Messages without a template, templates that do not compile, and variables a template
    uses that its message does not provide, as ``path: message`` lines."""
    env = template_environment()
    templates = setup.notifications.templates
    uses: dict[str, list[MessageUse]] = defaultdict(list)
    problems: list[str] = []
    for use in message_uses(setup):
        uses[use.kind].append(use)
        if use.kind not in templates:
            problems.append(f"{use.path}: 消息 {use.kind} 没有模板 (notifications.templates.{use.kind})")
    for kind, template in templates.items():
        provided = frozenset.intersection(*(u.variables for u in uses[kind])) if uses[kind] else None
        fields = {"subject": template.subject, "body": template.body, **{f"sms_params.{k}": v for k, v in template.sms_params.items()}}
        for field, source in fields.items():
            path = f"notifications.templates.{kind}.{field}"
            text = source if not field.startswith("sms_params.") else "{{ " + source + " }}"
            try:
                parsed = env.parse(text)
            except TemplateSyntaxError as err:
                problems.append(f"{path}: 模板无法编译 (第 {err.lineno} 行: {err.message})")
                continue
            if provided is None:
                continue
            missing = sorted(meta.find_undeclared_variables(parsed) - provided)
            for name in missing:
                problems.append(f"{path}: 模板使用了消息 {kind} 没有的变量 {name} (可用: {', '.join(sorted(provided))})")
    return problems
