"""The statements of sign-in (issue 18), compiled once per dialect: accounts, web sessions, API
tokens and the access log (:mod:`._accounts`), run as :class:`~._raw.Prepared` text on a
:class:`~._raw.Tx` like every other engine write."""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Dialect

from . import models as m
from ._raw import Prepared, Row
from ._statements import CAMPAIGN, _insert

__all__ = ["ACCESS_LOG", "ACCOUNT", "API_TOKEN", "WEB_SESSION", "AccountStatements", "account_statements"]

ACCOUNT = m.Account.__table__
WEB_SESSION = m.WebSession.__table__
API_TOKEN = m.ApiToken.__table__
ACCESS_LOG = m.AccessLog.__table__


class AccountStatements:
    """Everything :class:`~._accounts.Accounts` runs, compiled for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        def p(stmt: Any) -> Prepared[Row]:
            return Prepared(stmt, dialect)

        self.campaign_id = p(select(CAMPAIGN.c.id).where(CAMPAIGN.c.key == bindparam("key")))
        self.campaign_keys = p(select(CAMPAIGN.c.id, CAMPAIGN.c.key))
        self.account_by_name = p(select(ACCOUNT).where(ACCOUNT.c.username == bindparam("username")))
        self.account_by_id = p(select(ACCOUNT).where(ACCOUNT.c.id == bindparam("id")))
        self.accounts = p(select(ACCOUNT).order_by(ACCOUNT.c.id))
        self.accounts_of = p(
            select(ACCOUNT).where(ACCOUNT.c.campaign_id == bindparam("cid")).order_by(ACCOUNT.c.id)
        )
        self.account_insert = p(_insert(ACCOUNT, returning=True))
        self.account_update = p(
            update(ACCOUNT)
            .where(ACCOUNT.c.id == bindparam("id"))
            .values(
                password_hash=bindparam("password_hash"),
                password_set_at=bindparam("password_set_at"),
                failures=bindparam("failures"),
                locked_until=bindparam("locked_until"),
                disabled_at=bindparam("disabled_at"),
            )
        )
        self.session_by_hash = p(
            select(WEB_SESSION).where(
                WEB_SESSION.c.token_hash == bindparam("token_hash"), WEB_SESSION.c.ended_at.is_(None)
            )
        )
        self.session_insert = p(_insert(WEB_SESSION, returning=True))
        self.session_seen = p(
            update(WEB_SESSION)
            .where(WEB_SESSION.c.id == bindparam("id"))
            .values(last_seen_at=bindparam("at"), role=bindparam("role"))
        )
        self.session_end = p(
            update(WEB_SESSION).where(WEB_SESSION.c.id == bindparam("id")).values(ended_at=bindparam("at"))
        )
        self.sessions_end = p(
            update(WEB_SESSION)
            .where(WEB_SESSION.c.account_id == bindparam("account_id"), WEB_SESSION.c.ended_at.is_(None))
            .values(ended_at=bindparam("at"))
        )
        self.token_by_hash = p(select(API_TOKEN).where(API_TOKEN.c.token_hash == bindparam("token_hash")))
        self.token_by_id = p(select(API_TOKEN).where(API_TOKEN.c.id == bindparam("id")))
        self.tokens = p(select(API_TOKEN).order_by(API_TOKEN.c.id))
        self.tokens_of = p(
            select(API_TOKEN).where(API_TOKEN.c.campaign_id == bindparam("cid")).order_by(API_TOKEN.c.id)
        )
        self.token_insert = p(_insert(API_TOKEN, returning=True))
        self.token_update = p(
            update(API_TOKEN)
            .where(API_TOKEN.c.id == bindparam("id"))
            .values(last_used_at=bindparam("last_used_at"), revoked_at=bindparam("revoked_at"))
        )
        self.log_insert = p(_insert(ACCESS_LOG))
        self.log_newest = p(select(ACCESS_LOG).order_by(ACCESS_LOG.c.id.desc()).limit(bindparam("limit")))


_COMPILED: weakref.WeakKeyDictionary[Dialect, AccountStatements] = weakref.WeakKeyDictionary()


def account_statements(dialect: Dialect) -> AccountStatements:
    found = _COMPILED.get(dialect)
    if found is None:
        found = _COMPILED[dialect] = AccountStatements(dialect)
    return found
