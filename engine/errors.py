"""The one error tree of zhenggai.

Every error the library raises on purpose is a :class:`ZhenggaiError`. Foreign errors
(SQLAlchemy, the DB drivers, later smtplib and HTTP) are translated where they are met, so
a host system catches one root. Messages (``str(err)``) are Chinese, for officials; the
attributes carry the same facts for programs.

::

    ZhenggaiError
    ├── NotFoundError (LookupError)
    │   ├── CampaignNotFound
    │   ├── ItemNotFound
    │   ├── UnitNotFound
    │   ├── TrackNotFound
    │   ├── MeasureNotFound
    │   ├── DutyNotFound
    │   ├── MessageNotFound
    │   ├── DocumentNotFound
    │   ├── DuplicateNotFound
    │   ├── MechanismNotFound
    │   ├── PracticeNotFound
    │   ├── ContactNotFound
    │   └── AccountNotFound                 a sign-in account or API token (and the other *NotFound)
    ├── InvalidInputError (ValueError)        field + reason
    ├── ImportRejected (ValueError)           every problem of an import (entry, field, reason)
    ├── PermissionDeniedError                 actor + role + action
    ├── TransitionNotAllowedError             state + trigger + the triggers allowed there
    ├── GuardFailedError                      guard + trigger
    ├── ConflictError                         item + expected and actual version
    ├── DefinitionError                       a lifecycle or campaign setup that cannot run
    ├── CalendarError                         a date in a year the working-day calendar does not know
    ├── DaemonRunningError                    a second scheduler daemon on a SQLite database
    ├── DeliveryError                         a channel could not deliver a message (transient or permanent)
    ├── ConfigError                           the delivery configuration (channels, secrets) is unusable
    ├── ReporterKeyError                      a reporter's identity cannot be sealed or opened (no key, lost key, altered)
    ├── SignInRefused                         a sign-in, session, API token or CSRF token not accepted
    └── StorageError                          the database failed (translated driver error)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .views import ImportProblem

__all__ = [
    "AccountNotFound",
    "AttachmentNotFound",
    "AttachmentRefused",
    "CalendarError",
    "CampaignNotFound",
    "ConfigError",
    "ConflictError",
    "ContactNotFound",
    "DaemonRunningError",
    "DefinitionError",
    "DeliveryError",
    "DocumentNotFound",
    "DuplicateNotFound",
    "DutyNotFound",
    "ExtensionNotFound",
    "ExtensionRefused",
    "GuardFailedError",
    "ImportRejected",
    "InvalidInputError",
    "ItemNotFound",
    "MeasureNotFound",
    "MechanismNotFound",
    "MessageNotFound",
    "NotFoundError",
    "PartNotFound",
    "PermissionDeniedError",
    "PracticeNotFound",
    "ReporterKeyError",
    "SignInRefused",
    "StorageError",
    "TrackNotFound",
    "TransitionNotAllowedError",
    "UnitNotFound",
    "WebhookNotFound",
    "ZhenggaiError",
]


class ZhenggaiError(Exception):
    """Root of every error zhenggai raises on purpose. ``str()`` is the Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFoundError(ZhenggaiError, LookupError):
    """Something named by id or key does not exist."""

    kind_label = "对象"

    def __init__(self, key: object) -> None:
        super().__init__(f"{self.kind_label}不存在: {key}")
        self.key = key


class CampaignNotFound(NotFoundError):
    kind_label = "专项行动"


class ItemNotFound(NotFoundError):
    kind_label = "问题"


class UnitNotFound(NotFoundError):
    kind_label = "单位"


class TrackNotFound(NotFoundError):
    kind_label = "专项整治"


class MeasureNotFound(NotFoundError):
    kind_label = "整改措施"


class DutyNotFound(NotFoundError):
    kind_label = "职责"


class MessageNotFound(NotFoundError):
    kind_label = "消息"


class DocumentNotFound(NotFoundError):
    """No document under review (规范性文件清理) with this id."""


class DuplicateNotFound(NotFoundError):
    """No 关联研判 flag with this id."""


class MechanismNotFound(NotFoundError):
    kind_label = "长效机制"


class PracticeNotFound(NotFoundError):
    kind_label = "典型做法和创新案例"


class CommitmentNotFound(NotFoundError):
    kind_label = "践诺承诺"


class ExtensionNotFound(NotFoundError):
    kind_label = "延期申请"


class ContactNotFound(NotFoundError):
    """No contact (通讯录) with this id."""

    kind_label = "联系人"


class InvalidInputError(ZhenggaiError, ValueError):
    """A value given to an operation is not acceptable; nothing was changed."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"输入无效: {field}: {reason}")
        self.field = field
        self.reason = reason


class ImportRejected(ZhenggaiError, ValueError):
    """An import (:meth:`Engine.import_items`) was refused as a whole: ``problems`` lists every
    entry that is wrong (0-based index, field, reason); nothing was written."""

    def __init__(self, problems: Sequence[ImportProblem], what: str = "问题") -> None:
        first = problems[0]
        more = f" (共 {len(problems)} 处问题)" if len(problems) > 1 else ""
        super().__init__(
            f"导入被拒绝, 未导入任何{what}: 第 {first.index + 1} 条 {first.field}: {first.message}{more}"
        )
        self.problems = tuple(problems)


def _named(key: str, labels: Mapping[str, str] | None) -> str:
    """``「核实」(verify)``: a trigger, state or operation as every refusal names it."""
    label = (labels or {}).get(key)
    return f"「{label}」({key})" if label else key


def _cannot(subject: str, trigger: str, reason: str, labels: Mapping[str, str] | None = None) -> str:
    """The one shape of every refusal to act: ``{subject} 不能执行「核实」(verify): {reason}``."""
    return f"{subject}不能执行{_named(trigger, labels)}: {reason}"


class PermissionDeniedError(ZhenggaiError):
    """The actor's role (or unit) may not do this."""

    def __init__(
        self, actor: str, role: str, action: str, detail: str = "", labels: Mapping[str, str] | None = None
    ) -> None:
        """``labels`` maps the action to the Chinese name officials read."""
        super().__init__(
            _cannot(f"无权操作: {actor} (角色 {role}) ", action, detail or "该角色无此权限", labels)
        )
        self.actor = actor
        self.role = role
        self.action = action


class TransitionNotAllowedError(ZhenggaiError):
    """The trigger cannot fire from the item's current state."""

    def __init__(
        self,
        item_id: int,
        state: str,
        trigger: str,
        allowed: Sequence[str],
        labels: Mapping[str, str] | None = None,
        *,
        subject: str = "问题",
    ) -> None:
        """``labels`` maps state and trigger ids to the Chinese names officials read;
        ``subject`` names what the id numbers (问题, or 文件 for a document under review)."""
        allowed_text = "、".join(_named(t, labels) for t in allowed) if allowed else "无"
        super().__init__(
            _cannot(
                f"{subject} {item_id} ",
                trigger,
                f"当前状态为{_named(state, labels)}, 该状态下可执行: {allowed_text}",
                labels,
            )
        )
        self.item_id = item_id
        self.state = state
        self.trigger = trigger
        self.allowed = tuple(allowed)


class GuardFailedError(ZhenggaiError):
    """A guard of the transition refused it."""

    def __init__(
        self,
        item_id: int,
        trigger: str,
        guard: str,
        explanation: str,
        labels: Mapping[str, str] | None = None,
        *,
        subject: str = "问题",
    ) -> None:
        """``labels`` maps the trigger and guard ids to the Chinese names officials read;
        ``subject`` names what the id numbers (问题, or 文件)."""
        super().__init__(
            _cannot(
                f"{subject} {item_id} ", trigger, f"条件{_named(guard, labels)}不满足 ({explanation})", labels
            )
        )
        self.item_id = item_id
        self.trigger = trigger
        self.guard = guard


class ExtensionRefused(ZhenggaiError):
    """A 延期申请 (or its decision) the rules refuse; nothing was changed."""

    def __init__(self, item_id: int, explanation: str) -> None:
        super().__init__(f"问题 {item_id} 的延期申请不予办理: {explanation}")
        self.item_id = item_id
        self.explanation = explanation


class ConflictError(ZhenggaiError):
    """Someone else changed the item first (optimistic locking)."""

    def __init__(self, item_id: int, expected: int, actual: int | None) -> None:
        actual_text = "已不存在" if actual is None else f"现为第 {actual} 版"
        super().__init__(
            f"问题 {item_id} 已被他人修改: 操作基于第 {expected} 版, {actual_text}; 请刷新后重试"
        )
        self.item_id = item_id
        self.expected = expected
        self.actual = actual


class DefinitionError(ZhenggaiError):
    """A lifecycle or campaign setup is inconsistent, so the engine cannot run it.

    Each problem is one line in ``problems``; where a file and line are known the line
    reads ``file:line: path: message``.
    """

    def __init__(self, problems: Sequence[str], *, what: str = "定义") -> None:
        super().__init__(f"{what}有误:\n" + "\n".join(problems))
        self.problems = tuple(problems)
        #: What was wrong, in the officials' words: 定义 (a definition), 日历文件 (a year's notice).
        self.what = what


class CalendarError(ZhenggaiError, LookupError):
    """A working-day question about a year the calendar has no holiday data for."""

    def __init__(self, day: object, covered: str) -> None:
        super().__init__(f"工作日历不含 {day} 所在年份的节假日安排 (已知: {covered}); 请更新日历数据")
        self.day = day
        self.covered = covered


class DaemonRunningError(ZhenggaiError):
    """Another scheduler daemon already runs on this SQLite database (one daemon per SQLite
    file; several daemons need PostgreSQL)."""

    def __init__(self, database: str) -> None:
        super().__init__(
            f"另一个守护进程已在使用此 SQLite 数据库 ({database}); SQLite 只支持一个守护进程, "
            "多个守护进程请使用 PostgreSQL"
        )
        self.database = database


class DeliveryError(ZhenggaiError):
    """A channel could not deliver a message. ``permanent``: retrying cannot help (a bad
    address, a rejected template, a wrong key); otherwise it may (a busy server, a rate limit,
    a timeout), after ``retry_after`` seconds when the provider said. The reason never carries
    a secret."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        kind = "永久失败" if permanent else "暂时失败"
        super().__init__(f"发送{kind}: {reason}")
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class ConfigError(ZhenggaiError):
    """The delivery configuration cannot be used (a missing secret, an unknown channel, a host
    not on the allow-list); names the setting, never its secret value."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"配置有误: {setting}: {reason}")
        self.setting = setting
        self.reason = reason


class ReporterKeyError(ZhenggaiError):
    """A reporter's identity (举报人) cannot be sealed or opened: no reporter key is configured,
    the key that sealed it is not among those configured (lost), or the stored value does not
    authenticate (altered, or moved from another item). Names key ids, never keys.

    ``reason`` is ``no_key``, ``lost_key`` or ``not_authentic``; ``item_id`` the item (None
    when refusing to seal)."""

    def __init__(
        self, message: str, *, reason: str, item_id: int | None = None, key_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.item_id = item_id
        self.key_id = key_id

    @classmethod
    def no_key(cls, situation: str, item_id: int | None = None) -> ReporterKeyError:
        """No reporter key configured; ``situation`` says what needed one."""
        return cls(
            f"{situation}: 请在配置文件 [reporter] 段用 key_file 或 key_env 指明举报人密钥 (生成密钥: "
            "zhenggai reporter keygen --out FILE; 配置文件用 --config 或环境变量 ZHENGGAI_CONFIG 指明; "
            "程序中: Engine(..., reporter_keys=ReporterKeys(...)))",
            reason="no_key",
            item_id=item_id,
        )

    @classmethod
    def several(cls, problems: Sequence[ReporterKeyError], action: str) -> ReporterKeyError:
        """Every identity ``action`` could not open, in one error (the first one's reason)."""
        items = "、".join(str(p.item_id) for p in problems[:20]) + (" 等" if len(problems) > 20 else "")
        first = problems[0]
        return cls(
            f"{action}被拒绝, 未改动任何内容: {len(problems)} 条举报人信息无法解密 (问题 {items}); 第一条: {first.message}",
            reason=first.reason,
            item_id=first.item_id,
            key_id=first.key_id,
        )

    @classmethod
    def lost_key(cls, item_id: int, key_id: str | None, configured: Sequence[str]) -> ReporterKeyError:
        have = "、".join(configured) or "无"
        return cls(
            f"问题 {item_id} 的举报人信息由密钥 {key_id} 加密, 已配置的密钥中没有它 (已配置: {have}): "
            "请把该密钥加入配置文件 [reporter] 段的 old_key_files 或 old_keys_env; 该密钥遗失则此信息无法恢复",
            reason="lost_key",
            item_id=item_id,
            key_id=key_id,
        )

    @classmethod
    def not_authentic(cls, item_id: int, key_id: str | None) -> ReporterKeyError:
        return cls(
            f"问题 {item_id} 的举报人信息无法解密 (密钥 {key_id}): 密文已被改动, 或不属于此问题; 请从备份核对",
            reason="not_authentic",
            item_id=item_id,
            key_id=key_id,
        )


class StorageError(ZhenggaiError):
    """The database refused or failed; the transaction was rolled back."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"数据库错误: {detail}")
        self.detail = detail


class ReviewNotFound(NotFoundError):
    """No 回头看 review task with this id."""

    kind_label = "回头看任务"


class SendBackNotFound(NotFoundError):
    """No send-back (退单) with this id."""

    kind_label = "退单"


class PartNotFound(NotFoundError):
    """No co-unit part (协办分工) with this id."""

    kind_label = "协办分工"


class AttachmentNotFound(NotFoundError):
    """No evidence file (佐证材料) with this id."""

    kind_label = "佐证材料"


class AttachmentRefused(ZhenggaiError):
    """An evidence file (佐证材料) the rules refuse: its type (decided by its content), its size,
    too many on one subject, or no store configured; nothing was stored."""

    def __init__(self, file_name: str, explanation: str) -> None:
        super().__init__(f"佐证材料「{file_name}」不予接收: {explanation}")
        self.file_name = file_name
        self.explanation = explanation


class CallbackNotFound(NotFoundError):
    """No 回访 task with this id."""

    kind_label = "回访任务"


class AccountNotFound(NotFoundError):
    """No account (登录账号) or API token by this name or id (issue 18)."""

    kind_label = "账号"


class SignInRefused(ZhenggaiError):
    """A sign-in, session or API token was not accepted (issue 18). ``reason``: one of
    ``bad_credentials`` (unknown name or wrong password: the two are not told apart),
    ``locked`` (too many failures; ``until`` says when it may be tried again), ``disabled``,
    ``expired`` (a session idle or too old), ``no_session``, ``bad_token``, ``csrf``
    (the form's or header's CSRF token is missing or wrong), ``role`` (a role or unit the
    account or token is not granted)."""

    MESSAGES: ClassVar[Mapping[str, str]] = {
        "bad_credentials": "用户名或密码错误",
        "locked": "登录失败次数过多, 账号已暂时锁定",
        "disabled": "账号已停用, 请联系系统管理员",
        "expired": "登录已过期, 请重新登录",
        "no_session": "请先登录",
        "bad_token": "API 令牌无效或已吊销",
        "csrf": "请求校验失败 (CSRF), 请刷新页面后重试",
        "role": "未授予该角色或单位",
    }

    def __init__(self, reason: str, detail: str = "") -> None:
        text = self.MESSAGES.get(reason, reason)
        super().__init__(f"{text}{': ' + detail if detail else ''}")
        self.reason = reason


class WebhookNotFound(NotFoundError):
    """No webhook subscription (推送订阅) with this id (issue 18)."""

    kind_label = "推送订阅"
