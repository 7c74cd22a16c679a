"""How the web workbench runs: the campaign it serves and its sign-in policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from zhenggai.engine import SignInPolicy

__all__ = ["WebSettings"]


@dataclass(frozen=True, slots=True)
class WebSettings:
    """``campaign``: the campaign key the workbench serves (its accounts sign in to it).
    ``secure_cookies``: mark the session cookie ``Secure`` (behind HTTPS; off for plain
    http://127.0.0.1). ``max_upload``: the largest request body accepted, in bytes (the
    definition's attachment limit still applies)."""

    campaign: str
    policy: SignInPolicy = field(default_factory=SignInPolicy)
    secure_cookies: bool = False
    max_upload: int = 25 * 1024 * 1024
