"""Who is acting on a web request: a signed-in person (session) or a county system (API
token). Every operation's actor comes from here, never from a form field or a JSON body."""

from __future__ import annotations

from dataclasses import dataclass

from zhenggai.engine import Actor

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """``kind`` session or token; ``name`` the actor name (the account's display name or the
    token's name); ``role`` and ``unit`` what it acts as on this request, chosen among its
    grants ``roles`` and ``units``; ``unit_bound`` when that role acts only for its unit (it
    then sees only its unit's items); ``csrf`` the session's CSRF token (None for a token)."""

    kind: str
    name: str
    campaign: str
    role: str
    unit: str | None
    roles: tuple[str, ...]
    units: tuple[str, ...]
    unit_bound: bool
    csrf: str | None = None
    account_id: int | None = None
    token_id: int | None = None
    username: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.role, self.unit)

    def sees_unit(self, unit: str | None) -> bool:
        """Whether items answerable to ``unit`` are this principal's to see."""
        return not self.unit_bound or (unit is not None and unit in self.units)
