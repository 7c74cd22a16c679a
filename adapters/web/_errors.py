"""Every :class:`ZhenggaiError` as an HTTP answer: a stable error ``code`` per class (its name in
snake case, e.g. ``ItemNotFound`` → ``item_not_found``), the Chinese message, and a status by
kind. API paths (``/api/…``) answer JSON ``{"code", "message", "detail"}``; pages render the
error page."""

from __future__ import annotations

import re
from typing import Any

from zhenggai.engine import (
    AttachmentRefused,
    ConflictError,
    ExtensionRefused,
    GuardFailedError,
    ImportRejected,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    SignInRefused,
    StorageError,
    TransitionNotAllowedError,
    ZhenggaiError,
)

__all__ = ["error_body", "error_code", "error_status"]

_SIGN_IN_STATUS = {"csrf": 403, "role": 403, "disabled": 403, "locked": 429}


def error_code(err: ZhenggaiError) -> str:
    """The stable code of ``err``'s class (for a refused sign-in, ``sign_in_refused.<reason>``)."""
    code = re.sub(r"(?<!^)(?=[A-Z])", "_", type(err).__name__).lower()
    if isinstance(err, SignInRefused):
        return f"{code}.{err.reason}"
    return code


def error_status(err: ZhenggaiError) -> int:
    own = getattr(err, "http_status", None)  # the API's own refusals (412, idempotency keys)
    if isinstance(own, int):
        return own
    if isinstance(err, SignInRefused):
        return _SIGN_IN_STATUS.get(err.reason, 401)
    if isinstance(err, NotFoundError):
        return 404
    if isinstance(err, (InvalidInputError, ImportRejected)):
        return 422
    if isinstance(err, PermissionDeniedError):
        return 403
    if isinstance(err, ConflictError):
        return 409
    if isinstance(err, (TransitionNotAllowedError, GuardFailedError, ExtensionRefused)):
        return 409
    if isinstance(err, AttachmentRefused):
        return 422
    if isinstance(err, StorageError):
        return 503
    return 400


def error_body(err: ZhenggaiError) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    for name in ("field", "reason", "role", "action", "trigger", "guard", "state"):
        value = getattr(err, name, None)
        if isinstance(value, (str, int)):
            detail[name] = value
    if isinstance(err, ImportRejected):
        detail["problems"] = [
            {"index": p.index, "field": p.field, "message": p.message} for p in err.problems
        ]
    return {"code": error_code(err), "message": str(err), "detail": detail}
