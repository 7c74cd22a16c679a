"""``Idempotency-Key`` on API POSTs (issue 18).

The first request with a key reserves it (a row of ``zg_idempotency``, unique per principal and
key, inserted with ``ON CONFLICT DO NOTHING`` before the operation runs); its answer (a 2xx
status and body) is stored right after the operation. A repeat with the same key and request
gets the stored answer (``Idempotent-Replayed: true``) and changes nothing; while the first
still runs, a repeat waits a little for it, then is told to retry (409). The same key with
another request (body, method or path) is refused (422 ``idempotency_key_reused``). A request
that failed (an error answer) releases its key, so the caller may retry it with the same key.
Keys older than :data:`KEEP` are purged (:func:`purge_keys`) whenever the app is created (each
``zhenggai serve`` start).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Header, Request
from fastapi.routing import APIRoute
from sqlalchemy.dialects import postgresql, sqlite
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response
from zhenggai.engine import Engine
from zhenggai.engine.models import IdempotencyRecord

from ._api_errors import IdempotencyInProgress, IdempotencyKeyReused
from ._auth import ApiPrincipal, Web
from ._principal import Principal

__all__ = ["KEEP", "ApiRoute", "Replay", "purge_keys"]

KEEP = dt.timedelta(hours=24)
WAIT_SECONDS = 5.0
_T = IdempotencyRecord.__table__


class Replay(Exception):
    """The stored answer of an earlier request with the same key."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(status)
        self.status = status
        self.body = body

    def response(self) -> Response:
        return Response(
            self.body,
            status_code=self.status,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )


def principal_key(principal: Principal) -> str:
    if principal.token_id is not None:
        return f"token:{principal.token_id}"
    return f"account:{principal.account_id}"


def _insert(engine: Engine, values: dict[str, Any]) -> Any:
    dialect = postgresql if engine.store.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(_T).values(**values).on_conflict_do_nothing(index_elements=["principal", "key"])


def reserve(engine: Engine, who: str, key: str, method: str, path: str, digest: str) -> Replay | None:
    """Reserve ``key`` (None: go ahead) or the stored answer of the first request."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with engine.store.write() as conn:
            values = {
                "principal": who,
                "key": key,
                "method": method,
                "path": path,
                "request_hash": digest,
                "created_at": engine.clock.now(),
            }
            if conn.execute(_insert(engine, values).returning(_T.c.id)).first() is not None:
                return None
            row = conn.execute(sa.select(_T).where(_T.c.principal == who, _T.c.key == key)).mappings().first()
        if row is None:  # released meanwhile: try again
            continue
        if (row["request_hash"], row["method"], row["path"]) != (digest, method, path):
            raise IdempotencyKeyReused(key)
        if row["status"] is not None:
            return Replay(int(row["status"]), row["body"] or "")
        if time.monotonic() > deadline:
            raise IdempotencyInProgress(key)
        time.sleep(0.05)


def finish(engine: Engine, who: str, key: str, status: int, body: str) -> None:
    with engine.store.write() as conn:
        conn.execute(
            _T.update().where(_T.c.principal == who, _T.c.key == key).values(status=status, body=body)
        )


def release(engine: Engine, who: str, key: str) -> None:
    with engine.store.write() as conn:
        conn.execute(_T.delete().where(_T.c.principal == who, _T.c.key == key, _T.c.status.is_(None)))


def purge_keys(engine: Engine, *, older_than: dt.timedelta = KEEP) -> int:
    """Forget the keys older than ``older_than`` (a day by default); how many were removed."""
    with engine.store.write() as conn:
        cutoff = engine.clock.now() - older_than
        return int(conn.execute(_T.delete().where(_T.c.created_at < cutoff)).rowcount or 0)


async def _digest(request: Request) -> str:
    sha = hashlib.sha256()
    if request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    ):
        form = await request.form()
        for name, value in sorted(form.multi_items(), key=lambda pair: pair[0]):
            sha.update(name.encode() + b"\0")
            if isinstance(value, UploadFile):
                data = await value.read()
                await value.seek(0)
                sha.update((value.filename or "").encode() + b"\0" + hashlib.sha256(data).digest())
            else:
                sha.update(value.encode() + b"\0")
    else:
        sha.update(await request.body())
    return sha.hexdigest()


async def idempotency(
    request: Request,
    principal: ApiPrincipal,
    web: Web,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="幂等键: 同一键同一请求重复提交只执行一次, 返回首次的结果",
        ),
    ] = None,
) -> None:
    if idempotency_key is None or request.method != "POST":
        return
    who = principal_key(principal)
    digest = await _digest(request)
    replay = await run_in_threadpool(
        reserve, web.engine, who, idempotency_key, request.method, request.url.path, digest
    )
    if replay is not None:
        raise replay
    request.state.idempotency = (who, idempotency_key)


class ApiRoute(APIRoute):
    """An API route: a POST takes an ``Idempotency-Key`` (documented), its first 2xx answer is
    stored and replayed for a repeat."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = kwargs.get("methods") or ()
        dependencies = list(kwargs.get("dependencies") or ())
        if "POST" in {m.upper() for m in methods} and all(
            d.dependency is not idempotency for d in dependencies
        ):
            kwargs["dependencies"] = [*dependencies, Depends(idempotency)]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except Replay as replay:
                return replay.response()
            except BaseException:
                await _release(request)
                raise
            reserved = getattr(request.state, "idempotency", None)
            if reserved is not None:
                engine = request.app.state.zhenggai.engine
                if 200 <= response.status_code < 300:
                    body = bytes(response.body).decode("utf-8")
                    status = response.status_code
                    who, key = reserved
                    await run_in_threadpool(finish, engine, who, key, status, body)
                else:
                    await _release(request)
            return response

        return handler


async def _release(request: Request) -> None:
    reserved = getattr(request.state, "idempotency", None)
    if reserved is not None:
        await run_in_threadpool(release, request.app.state.zhenggai.engine, *reserved)
