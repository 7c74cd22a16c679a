"""The API's own refusals (besides the engine's errors) and FastAPI's request validation
reshaped to the one error form ``{code, message, detail}`` with a Chinese message."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse, Response
from zhenggai.engine import ZhenggaiError

__all__ = [
    "IdempotencyInProgress",
    "IdempotencyKeyReused",
    "InvalidRequest",
    "PreconditionFailed",
    "install_validation_handler",
    "validation_body",
]


class PreconditionFailed(ZhenggaiError):
    """``If-Match`` names a version the item no longer has (412)."""

    http_status = 412

    def __init__(self, item_id: int, expected: str, actual: int) -> None:
        super().__init__(f"问题 {item_id} 已是第 {actual} 版, 请求基于 {expected}; 请重新读取后再操作")
        self.expected = expected
        self.actual = actual


class IdempotencyKeyReused(ZhenggaiError):
    """The same ``Idempotency-Key`` came with another request (422)."""

    http_status = 422

    def __init__(self, key: str) -> None:
        super().__init__(f"幂等键 {key} 已用于另一个请求 (内容或地址不同); 新请求请换一个幂等键")
        self.field = "Idempotency-Key"


class IdempotencyInProgress(ZhenggaiError):
    """The first request with this ``Idempotency-Key`` is still running (409)."""

    http_status = 409

    def __init__(self, key: str) -> None:
        super().__init__(f"幂等键 {key} 的首次请求仍在处理中, 请稍后重试")
        self.field = "Idempotency-Key"


class InvalidRequest(ZhenggaiError):
    """A request the API cannot read (a bad cursor, a header): 422 ``invalid_request``."""

    http_status = 422

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"请求无效: {field}: {reason}")
        self.field = field
        self.reason = reason


_KINDS = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识此项",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "too_short": "太少",
    "too_long": "太多",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "greater_than": "太小",
    "less_than": "太大",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "date_type": "应为日期 YYYY-MM-DD",
    "literal_error": "取值不在可选范围内",
    "enum": "取值不在可选范围内",
}
_WHERE = {"body": "请求内容", "query": "查询参数", "path": "路径参数", "header": "请求头"}


def _field(loc: tuple[Any, ...]) -> str:
    where = _WHERE.get(str(loc[0]), str(loc[0])) if loc else "请求"
    rest = ".".join(str(part) for part in loc[1:])
    return f"{where} {rest}".strip()


def validation_body(err: RequestValidationError) -> dict[str, Any]:
    problems = [
        {
            "field": _field(tuple(e.get("loc", ()))),
            "type": str(e.get("type", "")),
            "message": _KINDS.get(str(e.get("type", "")), "取值无效"),
        }
        for e in err.errors()
    ]
    text = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
    return {"code": "invalid_request", "message": f"请求无效: {text}", "detail": {"problems": problems}}


def install_validation_handler(app: FastAPI) -> None:
    """On ``/api/`` paths a request FastAPI cannot validate answers 422 ``invalid_request`` in
    the error form; elsewhere FastAPI's default stands."""

    async def handler(request: Request, err: Exception) -> Response:
        assert isinstance(err, RequestValidationError)
        if request.url.path.startswith("/api/"):
            return JSONResponse(validation_body(err), status_code=422)
        return await request_validation_exception_handler(request, err)

    app.add_exception_handler(RequestValidationError, handler)
