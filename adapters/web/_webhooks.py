"""(Filled in by the step-13 work on this part.)"""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter()
