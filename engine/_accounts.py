"""Who may sign in and act (issue 18): accounts of people, browser sessions, API tokens of
county systems, and the access log.

An account belongs to one campaign and is granted one or more of its definition's roles, for
one unit when a role is unit-bound; what it does is done as ``Actor(display_name, role, unit)``,
so the engine's own role and unit checks decide what it may do. A token is granted roles and
units the same way, for a county system that acts in them.

Secrets are never stored: a password as its argon2id hash (memory-hard; the parameters are
argon2-cffi's defaults, RFC 9106's low-memory profile), a session cookie and an API token as the
SHA-256 of their 256 random bits (a fast hash is enough for a random value; a database reader
cannot use the hash as the cookie or token). Sign-in is throttled per account: after
``SignInPolicy.max_failures`` failures in a row the account is locked for ``lock`` (and a wrong
password during the lock extends nothing and tells nothing). Every sign-in, failure, sign-out,
expiry and account or token change is appended to ``zg_access_log``.

argon2-cffi comes with the ``web`` extra; without it, everything here but hashing works and
adding an account or signing in says what to install.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._account_statements import account_statements
from ._account_views import AccountView, NewAccount, SessionView, SignInPolicy, TokenView
from ._raw import Prepared, Row, Tx
from .errors import AccountNotFound, CampaignNotFound, ConfigError, InvalidInputError, SignInRefused

if TYPE_CHECKING:
    from .service import Engine

__all__ = ["AccountView", "Accounts", "NewAccount", "SessionView", "SignInPolicy", "TokenView"]

#: How often a session's last-seen time or a token's last use is written (not every request).
_TOUCH_EVERY = dt.timedelta(minutes=1)

#: What a generated token looks like: ``zgt_`` and 43 URL-safe characters (256 bits).
TOKEN_PREFIX = "zgt_"
_MIN_PASSWORD = 10
#: Not a definition role: the operator (系统管理员) who keeps the workbench (roster, accounts,
#: calendar years, dead letters). What the engine role-checks still needs a definition role.
OPERATOR_ROLE = "operator"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError as err:  # pragma: no cover - the web extra is installed in the tests
        raise ConfigError(
            "argon2", "密码哈希需要 argon2: 请安装 web 组件 (pip install 'zhenggai[web]')"
        ) from err
    return PasswordHasher()


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < _MIN_PASSWORD:
        raise InvalidInputError("password", f"密码至少 {_MIN_PASSWORD} 位")
    if password.isdigit() or password.isalpha():
        raise InvalidInputError("password", "密码须同时包含字母和数字或符号")


def generate_password() -> str:
    """A password of 16 characters from a set without look-alikes (0/O, 1/l/I)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        word = "".join(secrets.choice(alphabet) for _ in range(16))
        if any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
            return word


class Accounts:
    """The accounts, sessions and tokens of the database ``engine`` runs on."""

    def __init__(self, engine: Engine, *, policy: SignInPolicy | None = None) -> None:
        self._engine = engine
        self._store = engine.store
        self._st = account_statements(engine.store.engine.dialect)
        self.policy = policy or SignInPolicy()

    # -- helpers ---------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        return self._engine.clock.now()

    def _log(
        self,
        tx: Tx,
        kind: str,
        *,
        username: str | None = None,
        account_id: int | None = None,
        token_id: int | None = None,
        remote: str | None = None,
        **detail: Any,
    ) -> None:
        tx.run(
            self._st.log_insert,
            {
                "at": self._now(),
                "kind": kind,
                "username": username[:100] if username else username,
                "account_id": account_id,
                "token_id": token_id,
                "remote": remote[:100] if remote else remote,
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
            },
        )

    def _grants(self, campaign: str, roles: Sequence[str], units: Sequence[str]) -> None:
        """Refuse roles the campaign's definition lacks (``operator`` aside), units it lacks,
        and a unit-bound role without a unit."""
        info = self._engine.campaign_info(campaign)
        if info.definition is None:
            raise InvalidInputError("campaign", "该活动未保存完整实施方案, 无法授予角色")
        known_roles = {role.id for role in info.definition.roles} | {OPERATOR_ROLE}
        if not roles:
            raise InvalidInputError("roles", "至少授予一个角色")
        for role in roles:
            if role not in known_roles:
                raise InvalidInputError(
                    "roles", f"实施方案中没有角色 {role!r} (可用: {', '.join(sorted(known_roles))})"
                )
        known_units = {key for key, _ in info.units}
        for unit in units:
            if unit not in known_units:
                raise InvalidInputError("unit", f"活动中没有单位 {unit!r}")
        bound = {role.id for role in info.definition.roles if role.unit_bound}
        if bound.intersection(roles) and not units:
            raise InvalidInputError("unit", f"角色 {', '.join(sorted(bound.intersection(roles)))} 须绑定单位")

    def unit_bound_roles(self, campaign: str) -> frozenset[str]:
        info = self._engine.campaign_info(campaign, cached=True)
        if info.definition is None:  # no account can be granted a role there (_grants)
            return frozenset()
        return frozenset(role.id for role in info.definition.roles if role.unit_bound)

    def _campaign_id(self, tx: Tx, campaign: str) -> int:
        cid = tx.scalar(self._st.campaign_id, {"key": campaign})
        if cid is None:
            raise CampaignNotFound(campaign)
        return int(cid)

    def _campaign_keys(self, tx: Tx) -> dict[int, str]:
        return {row["id"]: row["key"] for row in tx.all(self._st.campaign_keys)}

    def _account_view(self, row: Mapping[str, Any], keys: Mapping[int, str]) -> AccountView:
        return AccountView(
            id=row["id"],
            campaign=keys[row["campaign_id"]],
            username=row["username"],
            display_name=row["display_name"],
            roles=tuple(json.loads(row["roles"])),
            unit=row["unit_key"],
            disabled=row["disabled_at"] is not None,
            locked_until=row["locked_until"],
            created_at=row["created_at"],
        )

    def _token_view(self, row: Mapping[str, Any], keys: Mapping[int, str]) -> TokenView:
        return TokenView(
            id=row["id"],
            campaign=keys[row["campaign_id"]],
            name=row["name"],
            prefix=row["prefix"],
            roles=tuple(json.loads(row["roles"])),
            units=tuple(json.loads(row["units"])),
            created_at=row["created_at"],
            last_used_at=row["last_used_at"],
            revoked=row["revoked_at"] is not None,
        )

    def _row(self, tx: Tx, username: str) -> Row:
        row = tx.one(self._st.account_by_name, {"username": username})
        if row is None:
            raise AccountNotFound(username)
        return row

    def _save(self, tx: Tx, row: Row, **changes: Any) -> Row:
        """Write ``changes`` to the account ``row``; returns the row as it now is."""
        new = {**row, **changes}
        tx.run(self._st.account_update, new)
        return new

    # -- accounts --------------------------------------------------------------------------

    def add(self, campaign: str, entry: NewAccount, *, by: str = "operator") -> tuple[AccountView, str]:
        """Add one account; returns it and its password (the one given, or a generated one,
        to be handed over once)."""
        return self.add_many(campaign, [entry], by=by)[0]

    def add_many(
        self, campaign: str, entries: Sequence[NewAccount], *, by: str = "operator"
    ) -> list[tuple[AccountView, str]]:
        """Add several accounts at once, all or none (an import): the first bad entry is
        refused with its 1-based number and nothing is written."""
        prepared: list[tuple[NewAccount, str, str]] = []
        seen: set[str] = set()
        hasher = _hasher()
        for number, entry in enumerate(entries, start=1):
            where = f"第 {number} 条: " if len(entries) > 1 else ""
            try:
                username = (entry.username or "").strip()
                if not username or len(username) > 100 or any(c.isspace() for c in username):
                    raise InvalidInputError("username", "用户名不能为空、不能含空格, 最多 100 字")
                if username in seen:
                    raise InvalidInputError("username", f"用户名 {username} 重复")
                seen.add(username)
                if not (entry.display_name or "").strip():
                    raise InvalidInputError("display_name", "姓名不能为空")
                roles = tuple(dict.fromkeys(entry.roles))
                self._grants(campaign, roles, [entry.unit] if entry.unit else [])
                password = entry.password if entry.password is not None else generate_password()
                _check_password(password)
            except InvalidInputError as err:
                raise InvalidInputError(err.field, where + err.reason) from None
            clean = NewAccount(username, entry.display_name.strip(), roles, entry.unit)
            prepared.append((clean, password, hasher.hash(password)))
        now = self._now()
        out: list[tuple[AccountView, str]] = []
        with self._store.transaction() as tx:
            cid = self._campaign_id(tx, campaign)
            taken = sorted(
                entry.username
                for entry, _, _ in prepared
                if tx.one(self._st.account_by_name, {"username": entry.username}) is not None
            )
            if taken:
                raise InvalidInputError("username", f"用户名已存在: {', '.join(taken)}")
            keys = self._campaign_keys(tx)
            for entry, password, hashed in prepared:
                values: Row = {
                    "campaign_id": cid,
                    "username": entry.username,
                    "display_name": entry.display_name,
                    "unit_key": entry.unit,
                    "roles": json.dumps(list(entry.roles)),
                    "password_hash": hashed,
                    "failures": 0,
                    "locked_until": None,
                    "disabled_at": None,
                    "password_set_at": now,
                    "created_at": now,
                }
                new_id = int(tx.scalar(self._st.account_insert, values))
                self._log(
                    tx,
                    "account_added",
                    username=entry.username,
                    account_id=new_id,
                    by=by,
                    roles=list(entry.roles),
                    unit=entry.unit,
                )
                out.append((self._account_view({**values, "id": new_id}, keys), password))
        return out

    def _listed(
        self, every: Prepared[Row], of_campaign: Prepared[Row], campaign: str | None
    ) -> tuple[list[Row], dict[int, str]]:
        """The rows of ``every`` (or of ``of_campaign`` for one campaign) and the campaigns' keys,
        in a read transaction (a list takes no write lock)."""
        with self._store.read() as conn:
            tx = Tx.on(conn)
            if campaign is None:
                rows = tx.all(every)
            else:
                rows = tx.all(of_campaign, {"cid": self._campaign_id(tx, campaign)})
            return rows, self._campaign_keys(tx)

    def accounts(self, campaign: str | None = None) -> list[AccountView]:
        rows, keys = self._listed(self._st.accounts, self._st.accounts_of, campaign)
        return [self._account_view(row, keys) for row in rows]

    def account(self, username: str) -> AccountView:
        with self._store.read() as conn:
            tx = Tx.on(conn)
            return self._account_view(self._row(tx, username), self._campaign_keys(tx))

    def disable(self, username: str, *, by: str = "operator") -> AccountView:
        """Turn the account off; its sessions end at once."""
        now = self._now()
        with self._store.transaction() as tx:
            row = self._save(tx, self._row(tx, username), disabled_at=now)
            tx.run(self._st.sessions_end, {"account_id": row["id"], "at": now})
            self._log(tx, "account_disabled", username=username, account_id=row["id"], by=by)
            return self._account_view(row, self._campaign_keys(tx))

    def enable(self, username: str, *, by: str = "operator") -> AccountView:
        with self._store.transaction() as tx:
            row = self._save(tx, self._row(tx, username), disabled_at=None, failures=0, locked_until=None)
            self._log(tx, "account_enabled", username=username, account_id=row["id"], by=by)
            return self._account_view(row, self._campaign_keys(tx))

    def reset(self, username: str, password: str | None = None, *, by: str = "operator") -> str:
        """Set a new password (generated when None, returned once); unlocks the account and
        ends its sessions."""
        password = password if password is not None else generate_password()
        _check_password(password)
        hashed = _hasher().hash(password)
        now = self._now()
        with self._store.transaction() as tx:
            row = self._save(
                tx,
                self._row(tx, username),
                password_hash=hashed,
                password_set_at=now,
                failures=0,
                locked_until=None,
            )
            tx.run(self._st.sessions_end, {"account_id": row["id"], "at": now})
            self._log(tx, "password_reset", username=username, account_id=row["id"], by=by)
        return password

    # -- sessions --------------------------------------------------------------------------

    def sign_in(self, username: str, password: str, *, remote: str | None = None) -> tuple[str, SessionView]:
        """Check the password; returns the session's cookie value (shown to the browser only)
        and the session. Refuses with :class:`SignInRefused` (``bad_credentials``, ``locked``,
        ``disabled``), each attempt logged."""
        hasher = _hasher()
        now = self._now()
        refusal: SignInRefused | None = None
        with self._store.transaction() as tx:
            row = tx.one(self._st.account_by_name, {"username": username})
            if row is None:
                # Spend the same work as a real check, so timing does not tell names apart.
                _verify(hasher, _DUMMY_HASH, password)
                self._log(tx, "sign_in_failed", username=username, remote=remote, reason="unknown")
                refusal = SignInRefused("bad_credentials")
            elif row["disabled_at"] is not None:
                self._log(
                    tx,
                    "sign_in_failed",
                    username=username,
                    account_id=row["id"],
                    remote=remote,
                    reason="disabled",
                )
                refusal = SignInRefused("disabled")
            elif row["locked_until"] is not None and row["locked_until"] > now:
                self._log(
                    tx,
                    "sign_in_failed",
                    username=username,
                    account_id=row["id"],
                    remote=remote,
                    reason="locked",
                )
                refusal = SignInRefused("locked", f"请于 {_local(row['locked_until'])} 后再试")
            elif not _verify(hasher, row["password_hash"], password):
                failures = row["failures"] + 1
                locked = now + self.policy.lock if failures >= self.policy.max_failures else None
                self._save(tx, row, failures=0 if locked else failures, locked_until=locked)
                self._log(
                    tx,
                    "sign_in_failed",
                    username=username,
                    account_id=row["id"],
                    remote=remote,
                    reason="password",
                    failures=failures,
                    locked=locked is not None,
                )
                refusal = SignInRefused("locked" if locked else "bad_credentials")
            else:
                changes: dict[str, Any] = {"failures": 0, "locked_until": None}
                if hasher.check_needs_rehash(row["password_hash"]):
                    changes["password_hash"] = hasher.hash(password)
                row = self._save(tx, row, **changes)
                cookie, view = self._open(tx, row, now, remote, method="password")
        if refusal is not None:
            raise refusal
        return cookie, view

    def open_session(
        self, username: str, *, method: str, remote: str | None = None
    ) -> tuple[str, SessionView]:
        """A session for an account whose person another party has already authenticated: the
        seam for single sign-on (an OIDC or CAS callback maps the identity provider's user to
        ``username`` and calls this; ``method`` names it in the access log, e.g. ``oidc``). A
        disabled account is refused."""
        now = self._now()
        with self._store.transaction() as tx:
            row = self._row(tx, username)
            if row["disabled_at"] is None:
                return self._open(tx, row, now, remote, method=method)
            self._log(
                tx,
                "sign_in_failed",
                username=username,
                account_id=row["id"],
                remote=remote,
                reason="disabled",
            )
        raise SignInRefused("disabled")

    def _open(
        self, tx: Tx, row: Row, now: dt.datetime, remote: str | None, *, method: str
    ) -> tuple[str, SessionView]:
        cookie = secrets.token_urlsafe(32)
        session: Row = {
            "account_id": row["id"],
            "token_hash": _digest(cookie),
            "csrf": secrets.token_urlsafe(32),
            "role": json.loads(row["roles"])[0],
            "created_at": now,
            "last_seen_at": now,
            "ended_at": None,
        }
        sid = int(tx.scalar(self._st.session_insert, session))
        self._log(
            tx,
            "signed_in",
            username=row["username"],
            account_id=row["id"],
            remote=remote,
            session=sid,
            method=method,
        )
        view = SessionView(
            sid, self._account_view(row, self._campaign_keys(tx)), session["role"], session["csrf"], now
        )
        return cookie, view

    def session(self, cookie: str, *, remote: str | None = None, touch: bool = True) -> SessionView:
        """The live session of ``cookie``; its idle clock restarts (``touch``; written at most
        once a minute, so a busy page does not write on every request). Refuses with
        ``no_session`` (unknown or ended), ``expired`` (idle or too old; the session ends and
        the expiry is logged) or ``disabled``."""
        now = self._now()
        digest = _digest(cookie or "")
        with self._store.read() as conn:
            tx = Tx.on(conn)
            row = tx.one(self._st.session_by_hash, {"token_hash": digest})
            if row is None:
                raise SignInRefused("no_session")
            account = tx.one(self._st.account_by_id, {"id": row["account_id"]})
            assert account is not None, "a session of an account that does not exist"
            keys = self._campaign_keys(tx)
        idle = now - row["last_seen_at"] > self.policy.idle
        expired = idle or now - row["created_at"] > self.policy.absolute
        if expired or account["disabled_at"] is not None:
            with self._store.transaction() as tx:
                tx.run(self._st.session_end, {"id": row["id"], "at": now})
                self._log(
                    tx,
                    "session_expired" if expired else "session_refused",
                    username=account["username"],
                    account_id=account["id"],
                    remote=remote,
                    session=row["id"],
                )
            raise SignInRefused("expired" if expired else "disabled")
        if touch and now - row["last_seen_at"] >= _TOUCH_EVERY:
            with self._store.transaction() as tx:
                tx.run(self._st.session_seen, {"id": row["id"], "at": now, "role": row["role"]})
        return SessionView(row["id"], self._account_view(account, keys), row["role"], row["csrf"], now)

    def sign_out(self, cookie: str, *, remote: str | None = None) -> None:
        now = self._now()
        with self._store.transaction() as tx:
            row = tx.one(self._st.session_by_hash, {"token_hash": _digest(cookie or "")})
            if row is None:
                return
            tx.run(self._st.session_end, {"id": row["id"], "at": now})
            self._log(tx, "signed_out", account_id=row["account_id"], remote=remote, session=row["id"])

    def switch_role(self, cookie: str, role: str) -> SessionView:
        """Act in another of the account's roles from now on (logged)."""
        session = self.session(cookie)
        if role not in session.account.roles:
            raise SignInRefused("role", role)
        with self._store.transaction() as tx:
            tx.run(self._st.session_seen, {"id": session.id, "at": session.last_seen_at, "role": role})
            self._log(
                tx,
                "role_switched",
                username=session.account.username,
                account_id=session.account.id,
                role=role,
            )
        return SessionView(session.id, session.account, role, session.csrf, session.last_seen_at)

    # -- tokens ----------------------------------------------------------------------------

    def issue_token(
        self,
        campaign: str,
        name: str,
        roles: Sequence[str],
        units: Sequence[str] = (),
        *,
        by: str = "operator",
    ) -> tuple[TokenView, str]:
        """A new API token for a county system named ``name``; returns it and the token, which
        is shown this once and stored only as its hash."""
        name = (name or "").strip()
        if not name or len(name) > 100:
            raise InvalidInputError("name", "令牌名称不能为空, 最多 100 字")
        roles = tuple(dict.fromkeys(roles))
        units = tuple(dict.fromkeys(units))
        self._grants(campaign, roles, units)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self._now()
        with self._store.transaction() as tx:
            values: Row = {
                "campaign_id": self._campaign_id(tx, campaign),
                "name": name,
                "prefix": token[:10],
                "token_hash": _digest(token),
                "roles": json.dumps(list(roles)),
                "units": json.dumps(list(units)),
                "created_at": now,
                "last_used_at": None,
                "revoked_at": None,
            }
            tid = int(tx.scalar(self._st.token_insert, values))
            self._log(
                tx, "token_issued", token_id=tid, by=by, name=name, roles=list(roles), units=list(units)
            )
            return self._token_view({**values, "id": tid}, self._campaign_keys(tx)), token

    def tokens(self, campaign: str | None = None) -> list[TokenView]:
        rows, keys = self._listed(self._st.tokens, self._st.tokens_of, campaign)
        return [self._token_view(row, keys) for row in rows]

    def revoke_token(self, token_id: int, *, by: str = "operator") -> TokenView:
        now = self._now()
        with self._store.transaction() as tx:
            row = tx.one(self._st.token_by_id, {"id": token_id})
            if row is None:
                raise AccountNotFound(f"令牌 {token_id}")
            if row["revoked_at"] is None:
                row = {**row, "revoked_at": now}
                tx.run(self._st.token_update, row)
                self._log(tx, "token_revoked", token_id=token_id, by=by, name=row["name"])
            return self._token_view(row, self._campaign_keys(tx))

    def token(self, token: str, *, remote: str | None = None) -> TokenView:
        """The live token ``token`` (its last use recorded, at most once a minute); ``bad_token``
        else (logged)."""
        now = self._now()
        with self._store.read() as conn:
            tx = Tx.on(conn)
            row = tx.one(self._st.token_by_hash, {"token_hash": _digest(token or "")})
            keys = self._campaign_keys(tx)
        if row is None or row["revoked_at"] is not None:
            with self._store.transaction() as tx:
                self._log(
                    tx,
                    "token_refused",
                    token_id=row["id"] if row else None,
                    remote=remote,
                    prefix=(token or "")[:10],
                    revoked=row is not None,
                )
            raise SignInRefused("bad_token")
        last = row["last_used_at"]
        if last is None or now - last >= _TOUCH_EVERY:
            row = {**row, "last_used_at": now}
            with self._store.transaction() as tx:
                tx.run(self._st.token_update, row)
        return self._token_view(row, keys)

    # -- the log ---------------------------------------------------------------------------

    def access_log(self, *, limit: int = 200, kinds: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The newest entries of the access log (of ``kinds``, when given), newest first."""
        wanted = None if kinds is None else set(kinds)
        with self._store.read() as conn:
            rows = Tx.on(conn).all(self._st.log_newest, {"limit": limit if wanted is None else limit * 20})
        found = [{**row, "detail": json.loads(row["detail"])} for row in rows]
        if wanted is not None:
            found = [row for row in found if row["kind"] in wanted][:limit]
        return found


def _verify(hasher: Any, hashed: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(hasher.verify(hashed, password))
    except (VerificationError, InvalidHashError):
        return False


def _local(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%H:%M")


#: A hash of a random password, verified against when the name is unknown.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$QUzwPk+OPVgvf1xXgG7AIQCEqtBrWbmlMg2VnYzUZ0E"
)
