"""argparse in Chinese: its own texts translated (:data:`ARGPARSE_TEXTS`) and :class:`_Parser`,
the parser class of every ``zhenggai`` parser. Standard library only."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

__all__ = ["ARGPARSE_TEXTS"]


#: argparse's own texts (Python 3.11 to 3.13) in Chinese; texts not listed stay as they are.
ARGPARSE_TEXTS: dict[str, str] = {
    "usage: ": "用法: ",
    "options": "选项",
    "optional arguments": "选项",
    "positional arguments": "参数",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择: %(value)r (可选: %(choices)s)",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)": "无效的选择: %(value)r, 是否为 %(closest)r? (可选: %(choices)s)",
    "unrecognized arguments: %s": "无法识别的参数: %s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s: %(message)s",
    "expected one argument": "须给出一个值",
    "expected at most one argument": "最多给出一个值",
    "expected at least one argument": "须至少给出一个值",
    "expected %s argument": "须给出 %s 个值",
    "expected %s arguments": "须给出 %s 个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "须给出参数 %s 之一",
    "invalid %(type)s value: %(value)r": "%(type)s 值无效: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确: %(option)s 可指 %(matches)s",
    "ignored explicit argument %r": "多余的参数值 %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r (可选: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s': %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 错误: %(message)s\n",
}


def _gettext(message: str) -> str:
    return ARGPARSE_TEXTS.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


@contextlib.contextmanager
def _chinese_argparse() -> Iterator[None]:
    """argparse's own texts in Chinese while our parsers build, parse and print.

    argparse looks its texts up through its module's ``_`` and ``ngettext`` (gettext) when it
    needs them (3.11 and later alike); they are swapped only for that time, so other parsers in
    the same process keep theirs."""
    saved = getattr(argparse, "_"), getattr(argparse, "ngettext")  # noqa: B009 - not in the stubs
    setattr(argparse, "_", _gettext)  # noqa: B010
    setattr(argparse, "ngettext", _ngettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010


class _Parser(argparse.ArgumentParser):
    """argparse in Chinese: its headings, help and errors (:data:`ARGPARSE_TEXTS`), the usage
    error as ``用法错误: …`` (exit code 2, as argparse does).

    Descriptions keep their own line breaks: argparse wraps by ``len()``, which splits
    Chinese text (two columns a character) and English words at the wrong places.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        with _chinese_argparse():
            super().__init__(*args, **kwargs)

    def parse_args(self, *args: Any, **kwargs: Any) -> Any:
        with _chinese_argparse():
            return super().parse_args(*args, **kwargs)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        with _chinese_argparse():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        with _chinese_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with _chinese_argparse():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"用法错误: {message}\n")
