"""The public surface of ``zhenggai.engine`` is exactly its curated ``__all__`` (changing it is a
deliberate, reviewed act), and ``engine`` depends on neither ``adapters`` nor ``notifications``
(DESIGN "Dependency direction")."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import zhenggai.engine

from tests._imports import imported_names

ENGINE_DIR = Path(zhenggai.engine.__file__).resolve().parent

PUBLIC = [
    "ATTACHMENT_SUBJECTS",
    "AccountNotFound",
    "AccountView",
    "AccountabilityEntry",
    "Accounts",
    "Actor",
    "Anchor",
    "AttachmentNotFound",
    "AttachmentRefused",
    "AttachmentStore",
    "AttachmentView",
    "AuditReport",
    "CARD_LABELS",
    "COMMITMENT_STATES",
    "Calendar",
    "CalendarError",
    "CalendarHolidayView",
    "CalendarYearSpec",
    "CalendarYearView",
    "CallbackNotFound",
    "CallbackView",
    "CampaignInfo",
    "CampaignNotFound",
    "CampaignSetup",
    "CampaignView",
    "Channel",
    "Clock",
    "CommitmentNotFound",
    "CommitmentView",
    "ConfigError",
    "ConflictError",
    "ContactNotFound",
    "ContactSpec",
    "ContactView",
    "DaemonRunningError",
    "DefinitionError",
    "DeliveryError",
    "DocumentNotFound",
    "DocumentView",
    "DuplicateNotFound",
    "DuplicateView",
    "DutyNotFound",
    "DutyView",
    "EFFECTS",
    "ESCALATION_LABELS",
    "EducationView",
    "Engine",
    "EventView",
    "ExtensionNotFound",
    "ExtensionRefused",
    "ExtensionView",
    "FiredTransition",
    "FiveOutcomes",
    "FolderStore",
    "GUARDS",
    "GuardFailedError",
    "HeartbeatView",
    "ImportProblem",
    "ImportRejected",
    "ImportResult",
    "InstructionView",
    "InvalidInputError",
    "ItemNotFound",
    "ItemView",
    "LeaderInstruction",
    "LedgerRow",
    "LifecycleSpec",
    "MECHANISM_STATUSES",
    "MeasureNotFound",
    "MeasureView",
    "MechanismNotFound",
    "MechanismView",
    "MessageNotFound",
    "NewAccount",
    "NewContact",
    "NewItem",
    "NotFoundError",
    "NotifySpec",
    "OPERATIONS",
    "OutboxView",
    "OutcomeTally",
    "OutcomeView",
    "OutgoingMessage",
    "PartNotFound",
    "PartView",
    "PermissionDeniedError",
    "PhaseSpec",
    "PracticeNotFound",
    "PracticeView",
    "ProgressReport",
    "RecomputeView",
    "RekeyReport",
    "Reporter",
    "ReporterKeyError",
    "ReporterKeys",
    "ReporterView",
    "RoleSpec",
    "SatisfactionView",
    "ScoreTermView",
    "SendBackNotFound",
    "SendBackTally",
    "SendBackView",
    "SessionView",
    "SignInPolicy",
    "SignInRefused",
    "SourceTally",
    "StateSpec",
    "StatusView",
    "StorageError",
    "SystemClock",
    "Tally",
    "TokenView",
    "TrackNotFound",
    "TrackSpec",
    "TransitionNotAllowedError",
    "TransitionSpec",
    "TrendPoint",
    "UnitNotFound",
    "UnitRanking",
    "UnitScore",
    "UnitSpec",
    "UnitTally",
    "UnreachableView",
    "VirtualClock",
    "WebhookNotFound",
    "WebhookView",
    "Webhooks",
    "ZhenggaiError",
]
FORBIDDEN = ("zhenggai.adapters", "zhenggai.notifications")


def test_all_is_pinned() -> None:
    """zhenggai.engine.__all__ names exactly the public API, each once."""
    assert sorted(zhenggai.engine.__all__) == PUBLIC
    assert len(zhenggai.engine.__all__) == len(set(zhenggai.engine.__all__))


WORKFLOWS_PUBLIC = sorted(
    [
        "BUILTINS",
        "CalendarYearFile",
        "CheckedDefinition",
        "builtin_path",
        "check_definition",
        "dump_setup",
        "load_calendar_year",
        "load_setup",
        "template_environment",
        "template_problems",
        "dated_fields",
        "shift_notes",
        "shift_setup",  # re-dating a definition (workflows/_shift.py)
    ]
)


def test_workflows_all_is_pinned_and_resolves() -> None:
    """zhenggai.workflows.__all__ names exactly its public API, and every name resolves."""
    import zhenggai.workflows

    assert sorted(zhenggai.workflows.__all__) == WORKFLOWS_PUBLIC
    assert all(getattr(zhenggai.workflows, name) is not None for name in WORKFLOWS_PUBLIC)
    with pytest.raises(AttributeError):
        _ = zhenggai.workflows.no_such_name  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_resolves(name: str) -> None:
    """Each exported name is an attribute of zhenggai.engine and not None."""
    assert getattr(zhenggai.engine, name) is not None


def test_star_import_gives_the_public_names() -> None:
    """``from zhenggai.engine import *`` binds exactly the public names."""
    namespace: dict[str, object] = {}
    exec("from zhenggai.engine import *", namespace)  # noqa: S102
    assert sorted(k for k in namespace if k != "__builtins__") == PUBLIC


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in ``path``, relative imports resolved."""
    package = ".".join(["zhenggai", "engine", *path.parent.relative_to(ENGINE_DIR).parts])
    return imported_names(path, package)


def test_import_scanner_resolves_relative_imports() -> None:
    """The import scanner sees through relative imports (so the test below can fail)."""
    sample = ENGINE_DIR / "_runtime.py"
    modules = {module for _, module in _imports(sample)}
    assert "zhenggai.engine._writes" in modules and "zhenggai.engine.store.Store" in modules


def test_engine_imports_nothing_from_adapters_or_notifications() -> None:
    """No module under engine/ imports zhenggai.adapters or zhenggai.notifications, relatively or not."""
    offending = [
        f"{path.relative_to(ENGINE_DIR.parent)}:{line}: {module}"
        for path in sorted(ENGINE_DIR.rglob("*.py"))
        for line, module in _imports(path)
        if module.startswith(FORBIDDEN) or module.split(".")[0] in ("adapters", "notifications", "engine")
    ]
    assert offending == []


def test_engine_takes_only_the_schema_from_workflows() -> None:
    """engine/ reads a definition through its schema (zhenggai.workflows.schema) and nothing
    else of zhenggai.workflows: the loader, YAML and templates stay out of the engine."""
    offending = [
        f"{path.relative_to(ENGINE_DIR.parent)}:{line}: {module}"
        for path in sorted(ENGINE_DIR.rglob("*.py"))
        for line, module in _imports(path)
        if module.startswith("zhenggai.workflows") and not module.startswith("zhenggai.workflows.schema")
    ]
    assert offending == []


def _string_constants(path: Path) -> set[str]:
    """String literals of ``path``, except docstrings and the trigger a named shorthand passes on
    (``def close(...): return self.fire(item_id, "close", ...)``: sugar for the standard
    lifecycle's trigger of the same name, which a definition without it refuses like any other)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef):
            for call in ast.walk(func):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "fire"
                    and len(call.args) > 1
                    and isinstance(call.args[1], ast.Constant)
                    and call.args[1].value == func.name
                ):
                    skip.add(id(call.args[1]))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    }


def test_engine_names_no_state_trigger_role_unit_track_or_channel_of_a_definition() -> None:
    """The engine runs only from definitions: no state, trigger, role, unit, track or channel id
    of the shipped definitions appears as a string in engine code (docstrings aside)."""
    from zhenggai.workflows import load_setup

    names: set[str] = set()
    for name in ("county_2023", "hotline_2024"):
        setup = load_setup(name)
        names |= {s.id for s in setup.lifecycle.states} | {t.trigger for t in setup.lifecycle.transitions}
        if setup.documents is not None:  # the second lifecycle (规范性文件清理) too
            docs = setup.documents.lifecycle
            names |= {s.id for s in docs.states} | {t.trigger for t in docs.transitions}
        names |= {r.id for r in setup.roles} | {u.id for u in setup.units}
        names |= {t.id for t in setup.tracks} | {c.id for c in setup.channels}
    found = {
        f"{path.relative_to(ENGINE_DIR.parent)}: {text}"
        for path in sorted(ENGINE_DIR.rglob("*.py"))
        for text in _string_constants(path) & names
    }
    # 退单's ruling (issue 17) takes decision="reassign" | "insist": a word of the engine's own API,
    # not a trigger (the 改派 it fires is found in the definition: ``reassign_trigger``).
    found.discard("engine/_send_backs.py: reassign")
    # 回访's ``callbacks.unsatisfied: reopen | follow_up`` (issue 17): a word of the definition
    # schema, not a trigger (the reopening it fires is the definition's ``callbacks.trigger``).
    found.discard("engine/_callbacks.py: reopen")
    found.discard("engine/_callback_checks.py: reopen")
    assert found == set()


def test_importing_the_engine_loads_no_adapter_or_notification_module() -> None:
    """In a fresh interpreter, importing zhenggai.engine (and running it) pulls in neither."""
    code = (
        "import json, sys\n"
        "import zhenggai.engine\n"
        "from zhenggai.engine import Engine\n"
        "e = Engine('sqlite://')\n"
        "e.dispose()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('zhenggai.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out)
    assert "zhenggai.engine.service" in loaded
    assert [m for m in loaded if m.startswith(FORBIDDEN)] == []
    # The schema and the leaf modules it is made of; not the loader or the templates.
    assert [m for m in loaded if m.startswith("zhenggai.workflows")] == [
        "zhenggai.workflows",
        "zhenggai.workflows._schema_attachments",
        "zhenggai.workflows._schema_callbacks",
        "zhenggai.workflows._schema_co_handling",
        "zhenggai.workflows._schema_instructions",
        "zhenggai.workflows._schema_scoring",
        "zhenggai.workflows._schema_supervision",
        "zhenggai.workflows._spec",
        "zhenggai.workflows.schema",
    ]
