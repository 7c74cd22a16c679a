"""The parsers of the web workbench's operator commands (issue 18): ``zhenggai account``,
``zhenggai token`` and ``zhenggai serve``."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_json, _add_reporter_config, _positive_seconds

__all__ = ["add_account_commands", "add_serve_command"]

_WEB_NOTE = "需要 web 组件: pip install 'zhenggai[web]'。"


def add_account_commands(commands: Any) -> None:
    """``zhenggai account add | import | list | disable | enable | reset | log`` and
    ``zhenggai token add | list | revoke``."""
    account = commands.add_parser(
        "account",
        help="工作台登录账号: 添加、导入、停用、启用、重置密码、访问日志",
        description="网页工作台的登录账号 (系统管理员在服务器上操作)。每个账号属于一个专项行动,\n"
        "授予实施方案中的一个或多个角色 (责任单位等须绑定单位)。密码只显示一次, 库中只存哈希。\n" + _WEB_NOTE,
    )
    cmds = account.add_subparsers(
        dest="account_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser(
        "add",
        help="添加账号 (生成的密码只显示一次)",
        description="添加一个登录账号; 不给 --password-stdin 时生成密码, 只显示这一次。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    p.add_argument("--username", required=True, metavar="U", help="用户名 (登录用, 不含空格)")
    p.add_argument("--name", required=True, metavar="姓名", help="姓名 (操作记录中的操作人)")
    p.add_argument(
        "--role",
        dest="roles",
        action="append",
        required=True,
        metavar="ROLE",
        help="角色 (名称或标识, 可多次给出, 第一个为默认角色); 系统管理员为 operator",
    )
    p.add_argument("--unit", metavar="UNIT", help="所属单位 (名称或标识); 责任单位等角色必填")
    p.add_argument(
        "--password-stdin",
        dest="password_stdin",
        action="store_true",
        help="从标准输入读取密码 (一行), 不生成",
    )
    _add_json(p)
    p.set_defaults(command="account_add")

    p = cmds.add_parser(
        "import",
        help="导入账号 (.xlsx / .csv 或 --from-roster), 全部成功或全部不导入",
        description="从 .xlsx 或 .csv 导入账号: 表头为 用户名、姓名、角色、单位 (角色可填多个, 用 、 或 , 分隔)。\n"
        "逐行检查; 全部无误才导入, 否则列出 第N行 [列名]: 原因, 一个也不导入 (退出码 1)。\n"
        "--from-roster: 为通讯录中每个还没有账号的联系人建一个账号 (用户名取手机号, 没有则取邮箱)。\n"
        "新账号的密码只显示一次; --passwords-out 则写入一个新文件 (权限 0600), 不打印。",
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="账号清单 (.xlsx 或 .csv)")
    p.add_argument("--from-roster", dest="from_roster", action="store_true", help="按通讯录建账号 (不读文件)")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument(
        "--passwords-out", dest="passwords_out", metavar="FILE", help="把新密码写入此新文件 (0600), 不打印"
    )
    _add_json(p)
    p.set_defaults(command="account_import")

    p = cmds.add_parser("list", help="账号列表", description="列出登录账号: 角色、单位、状态 (不含密码)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    _add_json(p)
    p.set_defaults(command="account_list")
    for name, text in (("disable", "停用账号 (立即结束其登录会话)"), ("enable", "启用账号 (并解除锁定)")):
        p = cmds.add_parser(name, help=text, description=text + "。")
        p.add_argument("username", metavar="USERNAME", help="用户名")
        _add_json(p)
        p.set_defaults(command=f"account_{name}")
    p = cmds.add_parser(
        "reset",
        help="重置密码 (新密码只显示一次; 解除锁定, 结束其登录会话)",
        description="为账号生成新密码 (或 --password-stdin 读取), 只显示这一次; 解除锁定并结束其全部登录会话。",
    )
    p.add_argument("username", metavar="USERNAME", help="用户名")
    p.add_argument(
        "--password-stdin", dest="password_stdin", action="store_true", help="从标准输入读取新密码"
    )
    _add_json(p)
    p.set_defaults(command="account_reset")
    p = cmds.add_parser(
        "log",
        help="访问日志: 登录、失败、退出、过期、账号和令牌变更",
        description="访问日志 (最新的在前): 每次登录、登录失败、退出、会话过期, 账号和令牌的变更。",
    )
    p.add_argument("--limit", type=int, default=50, metavar="N", help="最多列出多少条 (默认 50)")
    _add_json(p)
    p.set_defaults(command="account_log")

    token = commands.add_parser(
        "token",
        help="API 令牌: 为县内系统签发、列出、吊销",
        description="HTTP 接口的令牌: 每个县内系统一个, 授予角色和单位。令牌只显示一次, 库中只存哈希。\n"
        + _WEB_NOTE,
    )
    cmds = token.add_subparsers(dest="token_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = cmds.add_parser("add", help="签发令牌 (只显示一次)", description="为一个县内系统签发 API 令牌。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--name", required=True, metavar="名称", help="令牌名称, 如 12345 热线平台")
    p.add_argument(
        "--role", dest="roles", action="append", required=True, metavar="ROLE", help="角色 (可多次给出)"
    )
    p.add_argument(
        "--unit", dest="units", action="append", default=[], metavar="UNIT", help="单位 (可多次给出)"
    )
    _add_json(p)
    p.set_defaults(command="token_add")
    p = cmds.add_parser(
        "list", help="令牌列表 (只显示前缀)", description="列出 API 令牌 (只显示前缀, 不显示令牌)。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    _add_json(p)
    p.set_defaults(command="token_list")
    p = cmds.add_parser("revoke", help="吊销令牌", description="吊销一个 API 令牌 (立即失效)。")
    p.add_argument("token_id", type=int, metavar="ID", help="令牌编号 (token list 的第一列)")
    _add_json(p)
    p.set_defaults(command="token_revoke")


def add_serve_command(commands: Any) -> None:
    """``zhenggai serve``: the web workbench and HTTP API."""
    p = commands.add_parser(
        "serve",
        help="网页工作台和 HTTP 接口 (--demo: 演示库和演示账号)",
        description="启动网页工作台和 HTTP 接口 (接口文档 /api/docs, OpenAPI /api/openapi.json)。\n"
        "--with-daemon 在同一进程中运行调度守护进程; --demo 新建演示数据库和演示账号 (密码只显示一次)。\n"
        + _WEB_NOTE,
    )
    p.add_argument("--db", dest="serve_db", metavar="PATH|URL", help="数据库 (默认取全局 --db / ZHENGGAI_DB)")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    p.add_argument("--host", default="127.0.0.1", help="监听地址 (默认 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="端口 (默认 8000)")
    p.add_argument(
        "--with-daemon", dest="with_daemon", action="store_true", help="在同一进程中运行调度守护进程"
    )
    p.add_argument(
        "--interval",
        type=_positive_seconds,
        default=60.0,
        metavar="SECONDS",
        help="与 --with-daemon 同用: 扫描间隔秒数",
    )
    p.add_argument(
        "--secure-cookies", dest="secure_cookies", action="store_true", help="会话 Cookie 只经 HTTPS 发送"
    )
    _add_reporter_config(p)
    p.add_argument("--demo", action="store_true", help="新建演示数据库和演示账号后启动 (只监听 127.0.0.1)")
    p.add_argument(
        "--demo-dir", dest="demo_dir", metavar="DIR", help="与 --demo 同用: 演示数据库所在目录 (默认临时目录)"
    )
    p.set_defaults(command="serve")
