"""(stub)"""

from __future__ import annotations

from fastapi import APIRouter

from ._api_idempotency import ApiRoute

router = APIRouter(route_class=ApiRoute)
