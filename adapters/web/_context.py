"""What every request handler reaches through ``request.app.state``: the engine, the accounts,
the settings and the page templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from zhenggai.engine import Accounts, Engine

from ._settings import WebSettings

__all__ = ["WebContext", "web_context"]


@dataclass(frozen=True, slots=True)
class WebContext:
    engine: Engine
    accounts: Accounts
    settings: WebSettings
    templates: Any  # Jinja2Templates

    @property
    def campaign(self) -> str:
        return self.settings.campaign


def web_context(request: Request) -> WebContext:
    context = request.app.state.zhenggai
    assert isinstance(context, WebContext)
    return context
