"""README.md stays true: its quick start runs, and CI runs its test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_exactly_two_setup_commands() -> None:
    """The set-up section shows one install+demo command and one install+test command."""
    commands = [b.strip() for b in _blocks("sh")]
    assert len(commands) == 2
    assert commands[0].endswith("zhenggai demo")
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    """.ci/run contains the README's test command word for word."""
    test_command = _blocks("sh")[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_library_quick_start_runs() -> None:
    """The README's Python quick start executes and its assertions hold."""
    (code,) = _blocks("python")
    namespace: dict[str, object] = {"__name__": "readme_quick_start"}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    item = namespace["item"]
    assert item.reopen_count == 1
