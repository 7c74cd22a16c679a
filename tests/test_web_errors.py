"""Every ZhenggaiError has one stable HTTP error code and a status by kind (issue 18): county
systems switch on the code, so a renamed class must not silently change it."""

from __future__ import annotations

import inspect

import pytest
import zhenggai.engine as engine_api
from zhenggai.adapters.web._errors import error_body, error_code, error_status
from zhenggai.engine import SignInRefused, ZhenggaiError

#: The codes as county systems see them. Adding an error adds a line; renaming one is a break.
CODES = {
    "AccountNotFound": ("account_not_found", 404),
    "AttachmentNotFound": ("attachment_not_found", 404),
    "AttachmentRefused": ("attachment_refused", 422),
    "CalendarError": ("calendar_error", 400),
    "CallbackNotFound": ("callback_not_found", 404),
    "CampaignNotFound": ("campaign_not_found", 404),
    "CommitmentNotFound": ("commitment_not_found", 404),
    "ConfigError": ("config_error", 400),
    "ConflictError": ("conflict_error", 409),
    "ContactNotFound": ("contact_not_found", 404),
    "DaemonRunningError": ("daemon_running_error", 400),
    "DefinitionError": ("definition_error", 400),
    "DeliveryError": ("delivery_error", 400),
    "DocumentNotFound": ("document_not_found", 404),
    "DuplicateNotFound": ("duplicate_not_found", 404),
    "DutyNotFound": ("duty_not_found", 404),
    "ExtensionNotFound": ("extension_not_found", 404),
    "ExtensionRefused": ("extension_refused", 409),
    "GuardFailedError": ("guard_failed_error", 409),
    "ImportRejected": ("import_rejected", 422),
    "InvalidInputError": ("invalid_input_error", 422),
    "ItemNotFound": ("item_not_found", 404),
    "MeasureNotFound": ("measure_not_found", 404),
    "MechanismNotFound": ("mechanism_not_found", 404),
    "MessageNotFound": ("message_not_found", 404),
    "NotFoundError": ("not_found_error", 404),
    "PartNotFound": ("part_not_found", 404),
    "PermissionDeniedError": ("permission_denied_error", 403),
    "PracticeNotFound": ("practice_not_found", 404),
    "ReporterKeyError": ("reporter_key_error", 400),
    "ReviewNotFound": ("review_not_found", 404),
    "SendBackNotFound": ("send_back_not_found", 404),
    "StorageError": ("storage_error", 503),
    "TrackNotFound": ("track_not_found", 404),
    "TransitionNotAllowedError": ("transition_not_allowed_error", 409),
    "UnitNotFound": ("unit_not_found", 404),
    "WebhookNotFound": ("webhook_not_found", 404),
    "ZhenggaiError": ("zhenggai_error", 400),
}


def _classes() -> dict[str, type[ZhenggaiError]]:
    from zhenggai.engine import errors

    return {
        name: cls
        for name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, ZhenggaiError) and cls is not SignInRefused
    }


def _instance(cls: type[ZhenggaiError]) -> ZhenggaiError:
    """An instance built without knowing each constructor: bypass __init__, set the message."""
    err = cls.__new__(cls)
    Exception.__init__(err, "错误")
    err.message = "错误"
    return err


def test_every_error_class_has_its_pinned_code_and_status() -> None:
    found = {
        name: (error_code(_instance(cls)), error_status(_instance(cls))) for name, cls in _classes().items()
    }
    assert found == CODES


def test_codes_are_unique() -> None:
    codes = [code for code, _ in CODES.values()]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("bad_credentials", 401),
        ("no_session", 401),
        ("expired", 401),
        ("bad_token", 401),
        ("csrf", 403),
        ("role", 403),
        ("disabled", 403),
        ("locked", 429),
    ],
)
def test_sign_in_refusals_carry_their_reason(reason: str, status: int) -> None:
    err = SignInRefused(reason)
    assert error_code(err) == f"sign_in_refused.{reason}"
    assert error_status(err) == status
    body = error_body(err)
    assert body["message"] == SignInRefused.MESSAGES[reason]
    assert body["detail"] == {"reason": reason}


def test_the_body_names_the_facts_not_just_the_text() -> None:
    body = error_body(engine_api.InvalidInputError("due", "须为工作日"))
    assert body == {
        "code": "invalid_input_error",
        "message": "输入无效: due: 须为工作日",
        "detail": {"field": "due", "reason": "须为工作日"},
    }
