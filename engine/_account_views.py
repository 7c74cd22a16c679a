"""What sign-in works with (issue 18): the policy, an account to add, and the views of accounts,
sessions and API tokens (:mod:`._accounts`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .views import Actor

__all__ = ["AccountView", "NewAccount", "SessionView", "SignInPolicy", "TokenView"]


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    """How long a session lives and how sign-in is throttled (县定; the defaults follow 等保 2.0
    practice: lock after 5 failures, sessions end after 30 idle minutes)."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=12)
    max_failures: int = 5
    lock: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account to add: ``roles`` are definition role ids (the first is the default),
    ``unit`` the unit key (required when a role is unit-bound). ``password`` None: one is
    generated and returned once."""

    username: str
    display_name: str
    roles: tuple[str, ...]
    unit: str | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class AccountView:
    id: int
    campaign: str
    username: str
    display_name: str
    roles: tuple[str, ...]
    unit: str | None
    disabled: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class TokenView:
    id: int
    campaign: str
    name: str
    prefix: str
    roles: tuple[str, ...]
    units: tuple[str, ...]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class SessionView:
    """A live session: its account, the role acting now and the CSRF token its forms carry."""

    id: int
    account: AccountView
    role: str
    csrf: str
    last_seen_at: dt.datetime

    @property
    def actor(self) -> Actor:
        return Actor(self.account.display_name, self.role, self.account.unit)
