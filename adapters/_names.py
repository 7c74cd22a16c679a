"""Names officials type where the code wants a key: one resolver for the CLI and for import.

Units, tracks, states, channels, severities, roles and triggers each have a key (``assigned``,
``housing_construction_bureau``) and a Chinese name (``已交办``, ``县住建局``). Wherever a key is
accepted, its name is too:

- compared loosely (:func:`squash`): NFKC (full- and half-width alike), no white space or
  quotes, case-folded; the key itself always works;
- exact only: a part of a name is not accepted (``住建局`` is not ``县住建局``): in a county
  plan short forms collide (县委办/县政府办), so a guess could act on the wrong unit;
- a miss is one Chinese error naming the nearest names with their keys (:func:`unknown`).

:func:`resolve_args` applies this to the parsed command line before a command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from ._errors import CliError

__all__ = ["find", "lookup", "nearest", "resolve", "resolve_args", "squash", "unknown"]

#: How many near names a miss lists; all of them when there are at most ``LIST_ALL``.
NEAREST = 5
LIST_ALL = 12


def squash(text: str) -> str:
    """``text`` compared loosely: NFKC, no white space or quotes, case-folded."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\"'“”‘’「」『』]+", "", text).casefold()


def lookup(choices: Mapping[str, str]) -> dict[str, str]:
    """Loosely compared key or name → key. A key wins over another entry's name."""
    table = {squash(label): key for key, label in choices.items()}
    table.update({squash(key): key for key in choices})
    return table


def find(choices: Mapping[str, str], given: str) -> str | None:
    """The key of ``choices`` (key → name) that ``given`` names (key or name, loosely), else None."""
    if given in choices:
        return given
    return lookup(choices).get(squash(given))


def nearest(choices: Mapping[str, str], given: str, n: int = NEAREST) -> list[str]:
    """The keys whose names (or keys) are nearest ``given``: the names containing it or contained
    in it, else the most similar (:mod:`difflib`, ratio at least 0.4)."""
    wanted = squash(given)
    if not wanted:
        return []
    within = [k for k, label in choices.items() if wanted in squash(label) or squash(label) in wanted]
    if within:
        return within[:n]
    scored = sorted(
        (
            (max(difflib.SequenceMatcher(None, wanted, squash(text)).ratio() for text in (label, key)), key)
            for key, label in choices.items()
        ),
        key=lambda pair: -pair[0],
    )
    return [key for score, key in scored if score >= 0.4][:n]


def unknown(what: str, given: str, choices: Mapping[str, str], *, hint: str = "") -> str:
    """The one-line refusal of a name not in ``choices``: the nearest names with their keys."""
    text = f"未知{what}「{given}」"
    if len(choices) <= LIST_ALL:
        return f"{text} (可用: {_named(choices, choices)})"
    close = nearest(choices, given)
    if close:
        text += f", 最接近的: {_named(choices, close)}"
    return f"{text} (共 {len(choices)} 个, {hint or '全部名称见 zhenggai definition show'})"


def _named(choices: Mapping[str, str], keys: Iterable[str]) -> str:
    return "、".join(f"{choices[k]} ({k})" if choices[k] != k else k for k in keys)


def resolve(what: str, given: str, choices: Mapping[str, str]) -> str:
    """The key ``given`` names, or :class:`~zhenggai.adapters._errors.CliError` naming the nearest."""
    key = find(choices, given)
    if key is None:
        raise CliError(unknown(what, given, choices))
    return key


# ------------------------------------------------------------------------- the command line

#: argument → (what it is called in messages, which vocabulary); per command where it differs.
_ARGS: Mapping[str, tuple[str, str]] = {
    "unit": ("单位", "units"),
    "as_unit": ("单位", "units"),
    "track": ("专项整治", "tracks"),
    "state": ("状态", "states"),
    "channel": ("来源渠道", "channels"),
    "severity": ("问题程度", "severities"),
    "trigger": ("操作", "triggers"),
}
_DOCUMENT_ARGS: Mapping[str, tuple[str, str]] = {
    "state": ("规范性文件状态", "document_states"),
    "trigger": ("规范性文件操作", "document_triggers"),
}
#: Commands whose ``--unit``/``--state``… the command resolves itself (the actor is still resolved here).
_SKIP = frozenset(
    {"init", "contact_add", "contact_list", "contact_update", "contact_import", "contact_template", "import"}
)


def resolve_args(
    args: argparse.Namespace, db: str, actor: tuple[str, str, str | None] | None
) -> tuple[str, str, str | None] | None:
    """Names on the command line (and the actor's role and unit) replaced by their keys, in
    place; returns the actor. Keys pass as they are. Nothing to resolve: no database opened."""
    command = getattr(args, "command", "")
    table = (
        {} if command in _SKIP else {**_ARGS, **(_DOCUMENT_ARGS if command.startswith("document_") else {})}
    )
    wanted = {name: value for name in table if isinstance(value := getattr(args, name, None), str)}
    role = actor[1] if actor else None
    actor_unit = actor[2] if actor else None
    if not wanted and not role and not actor_unit:
        return actor
    vocabularies = _vocabularies(db, getattr(args, "campaign", None))
    if vocabularies is None:  # no database or no campaign yet: the command says so
        return actor
    for name, value in wanted.items():
        what, vocabulary = table[name]
        if vocabularies[vocabulary]:
            setattr(args, name, resolve(what, value, vocabularies[vocabulary]))
    if actor is not None:
        roles = vocabularies["roles"]
        role = actor[1]
        if roles and role not in roles:
            # A role's name becomes its key; a role no definition names is left to the operation
            # to judge (calendar load takes any operator's role; others refuse it, naming theirs).
            with contextlib.suppress(CliError):
                role = resolve("角色", role, roles)
        unit = resolve("单位", actor_unit, vocabularies["units"]) if actor_unit else actor_unit
        actor = (actor[0], role, unit)
    return actor


def _vocabularies(db: str, campaign: str | None) -> dict[str, dict[str, str]] | None:
    """key → name of every vocabulary, over the campaign given or all campaigns in ``db``."""
    from ._context import open_engine
    from ._labels import Labels

    try:
        engine_cm = open_engine(db)
        engine = engine_cm.__enter__()
    except CliError:
        return None
    try:
        views = (
            [engine.campaign_info(campaign, cached=True).view] if campaign else engine.campaigns(cached=True)
        )
        if not views:
            return None
        out: dict[str, dict[str, str]] = {
            name: {}
            for name in (
                "units",
                "tracks",
                "states",
                "channels",
                "severities",
                "triggers",
                "roles",
                "document_states",
                "document_triggers",
            )
        }
        for view in views:
            labels = Labels.load(engine, view)
            for name in ("units", "tracks", "states", "channels", "severities", "triggers", "roles"):
                _merge(out[name], getattr(labels, name))
            setup = engine.campaign_info(view.key, cached=True).definition
            if setup is not None and setup.documents is not None:
                life = setup.documents.lifecycle
                _merge(out["document_states"], {s.id: s.label for s in life.states})
                _merge(out["document_triggers"], {t.trigger: t.label for t in life.transitions})
        return out
    except Exception:  # noqa: BLE001 - the command itself reports what is wrong (unknown campaign, …)
        return None
    finally:
        engine_cm.__exit__(None, None, None)


def _merge(into: dict[str, str], more: Mapping[str, Any]) -> None:
    for key, label in more.items():
        into.setdefault(key, str(label))
