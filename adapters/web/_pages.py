"""The workbench's pages for units and the office: each concern is a module of its own, whose
router is included here."""

from __future__ import annotations

from fastapi import APIRouter

from . import _pages_files, _pages_item, _pages_ledger, _pages_office, _pages_reports, _pages_unit

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for _module in (_pages_unit, _pages_item, _pages_files, _pages_office, _pages_ledger, _pages_reports):
    router.include_router(_module.router)
