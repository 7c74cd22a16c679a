"""The other ``zhenggai`` subcommands: setting up (``init``, ``check``, ``definition``), running a
campaign (``campaign``, ``audit``, ``duty``, ``contact``, ``calendar``, ``outbox``, ``run``,
``status``) and its files (``import``, ``report``, ``demo``, ``simulate``, ``completion``)."""

from __future__ import annotations

import argparse
from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import (
    _add_actor,
    _add_json,
    _add_redating,
    _contact_fields,
    _count,
    _date,
    _positive_seconds,
    _TemplateAction,
)
from ._report_kinds import KIND_LABELS  # not .reports: the parser needs the names only


def add_setup_commands(commands: Any) -> None:
    """``zhenggai init``, ``check`` and ``definition list | show | shift``."""
    p = commands.add_parser(
        "init", help="建库并按实施方案启动专项行动", description="建库并按实施方案启动专项行动。"
    )
    p.add_argument(
        "--definition",
        default="county_2023",
        metavar="NAME|FILE",
        help="内置定义名或定义文件 (YAML); 默认 county_2023",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识; 默认为定义的 id")
    _add_redating(p, required=False)
    _add_json(p)
    p.set_defaults(command="init")

    p = commands.add_parser(
        "check",
        help="检查实施方案 (定义文件), 不需要数据库",
        description="加载并检查定义文件: 格式、引用 (单位、角色、条件)、流程可达性。\n"
        "全部通过时退出码 0 并打印摘要; 否则逐条列出 文件:行号: 位置: 问题, 退出码 1。",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="定义文件 (YAML) 或内置定义名 (county_2023)")
    _add_json(p)
    p.set_defaults(command="check")

    definition = commands.add_parser(
        "definition", help="内置实施方案: 列表、打印", description="内置的实施方案 (定义文件)。"
    )
    definition_cmds = definition.add_subparsers(
        dest="definition_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = definition_cmds.add_parser("list", help="列出内置定义", description="列出内置的实施方案。")
    _add_json(p)
    p.set_defaults(command="definition_list")
    p = definition_cmds.add_parser(
        "show",
        help="打印内置定义 (可另存为本县的定义文件)",
        description="打印内置定义的 YAML 原文, 可重定向保存后修改为本县的实施方案:\n"
        "  zhenggai definition show county_2023 > my_county.yaml",
    )
    p.add_argument("name", metavar="NAME", help="内置定义名, 如 county_2023")
    p.set_defaults(command="definition_show")
    p = definition_cmds.add_parser(
        "shift",
        help="把实施方案重新安排到另一个开始日期或年份",
        description="把实施方案的全部日期 (开始、阶段、职责、县定节假日…) 平移到新的开始日期, 或移到另一年的同月同日,\n"
        "并重新检查; 输出定义文件 (默认打印, --out 写入文件):\n"
        "  zhenggai definition shift county_2023 --to-year 2026 --out county_2026.yaml",
    )
    p.add_argument("source", metavar="NAME|FILE", help="内置定义名或定义文件 (YAML)")
    _add_redating(p, required=True)
    p.add_argument("--out", metavar="FILE", help="写入的定义文件; 默认打印到标准输出")
    p.set_defaults(command="definition_shift")


def add_campaign_commands(commands: Any) -> None:
    """``zhenggai campaign migrate | recompute``."""
    campaign = commands.add_parser(
        "campaign", help="专项行动: 改用新版本实施方案、重算整改时限", description="专项行动的管理。"
    )
    campaign_cmds = campaign.add_subparsers(
        dest="campaign_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = campaign_cmds.add_parser(
        "migrate",
        help="改用新版本实施方案 (逐项检查在办问题)",
        description="把运行中的专项行动改用同一实施方案的新版本。\n"
        "新版本若缺少在办问题所处的状态、专项、来源渠道或责任单位, 整体拒绝并逐条列出。",
    )
    p.add_argument("--campaign", metavar="KEY", required=True, help="专项行动标识")
    p.add_argument("--definition", metavar="FILE", required=True, help="新版本的定义文件 (YAML)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="campaign_migrate", needs_actor=True)

    p = campaign_cmds.add_parser(
        "recompute",
        help="工作日历变更后重算全部在办整改时限 (留痕)",
        description="节假日安排或县定调整变更后, 按现行工作日历重算全部在办问题的整改时限 (按规则计算的),\n"
        "并调整全部待办的提醒和督办步骤。人工指定的整改时限不变。操作记入审计记录。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个时可省略)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="在标准错误显示重算进度条 (按问题和待办职责计; 默认: 标准错误是终端时显示)",
    )
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="campaign_recompute", needs_actor=True)


def add_audit_commands(commands: Any) -> None:
    """``zhenggai audit verify | anchor``."""
    audit = commands.add_parser("audit", help="审计记录", description="审计记录 (哈希链)。")
    audit_cmds = audit.add_subparsers(
        dest="audit_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = audit_cmds.add_parser(
        "verify",
        help="校验审计链 (可对照库外的锚点文件)",
        description="逐条校验审计记录的哈希链: 发现改动、插入或删除的记录; 并核对问题、整改措施、\n"
        "规范性文件、通讯录、消息队列和实施方案与其审计记录是否相符 (发现绕过程序直接改库)。\n"
        "给出 --anchors 时再对照库外保存的锚点: 发现末尾被截去、整条链被改写或删除。",
    )
    p.add_argument("--campaign", metavar="KEY", help="只校验这个专项行动")
    p.add_argument(
        "--anchors", metavar="FILE", help="锚点文件 (zhenggai audit anchor 写出的, 保存在数据库之外)"
    )
    _add_json(p)
    p.set_defaults(command="audit_verify")
    p = audit_cmds.add_parser(
        "anchor",
        help="记录审计链锚点 (链头) 到库外文件",
        description="把各专项行动审计链当前的链头 (条数和哈希) 追加到数据库之外的锚点文件, 每行一个。\n"
        "锚点文件应保存在数据库管理者不能改写的地方 (另一台主机、只追加的共享目录、发给作风办的邮件);\n"
        "之后用 zhenggai audit verify --anchors FILE 核对。守护进程可每天自动记录 (zhenggai run --anchor-file)。\n"
        "不给 --out 时把锚点打印到标准输出。",
    )
    p.add_argument("--campaign", metavar="KEY", help="只记录这个专项行动的")
    p.add_argument("--out", metavar="FILE", help="追加到这个锚点文件")
    _add_json(p)
    p.set_defaults(command="audit_anchor")


def add_duty_commands(commands: Any) -> None:
    """``zhenggai duty list | done``."""
    duty = commands.add_parser(
        "duty", help="职责: 各单位应报送的材料和应完成的事项", description="各单位的职责 (如一报告四清单)。"
    )
    duty_cmds = duty.add_subparsers(
        dest="duty_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = duty_cmds.add_parser("list", help="职责列表", description="按到期日列出各单位的职责及完成情况。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--open", action="store_true", help="只列未完成的")
    p.add_argument("--due-by", dest="due_by", metavar="YYYY-MM-DD", type=_date, help="只列此日及以前到期的")
    _add_json(p)
    p.set_defaults(command="duty_list")
    p = duty_cmds.add_parser(
        "done",
        help="登记职责已完成 (停止提醒和催报)",
        description="登记某单位已完成一项职责 (如已报送一报告四清单): 之后不再提醒、催报或督办。\n"
        "须由本单位人员或接收方 (如领导小组办公室) 登记。",
    )
    p.add_argument("duty_id", type=int, metavar="ID", help="职责编号 (见 zhenggai duty list)")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="duty_done", needs_actor=True)


def add_outbox_commands(commands: Any) -> None:
    """``zhenggai outbox list | show | retry | send``."""
    outbox = commands.add_parser(
        "outbox", help="消息队列: 列表、详情、重发死信、发送", description="待发送和已发送的消息。"
    )
    outbox_cmds = outbox.add_subparsers(
        dest="outbox_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = outbox_cmds.add_parser(
        "list", help="消息列表", description="按编号列出消息及其状态 (待发送、发送中、已发送、死信)。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--status", choices=["pending", "sending", "sent", "dead"], help="只列此状态的消息")
    _add_json(p)
    p.set_defaults(command="outbox_list")
    p = outbox_cmds.add_parser(
        "show", help="消息详情", description="显示一条消息: 接收方、状态、尝试次数、失败原因、内容变量。"
    )
    p.add_argument("outbox_id", type=int, metavar="ID", help="消息编号")
    _add_json(p)
    p.set_defaults(command="outbox_show")
    p = outbox_cmds.add_parser(
        "retry",
        help="重发死信",
        description="把死信重新排队 (立即到期, 尝试次数清零); 不是死信的消息不受影响。",
    )
    p.add_argument("ids", type=int, nargs="*", metavar="ID", help="消息编号")
    p.add_argument("--all-dead", dest="all_dead", action="store_true", help="全部死信")
    p.add_argument("--campaign", metavar="KEY", help="与 --all-dead 同用: 只重发此专项行动的死信")
    _add_json(p)
    p.set_defaults(command="outbox_retry")
    p = outbox_cmds.add_parser(
        "send",
        help="发送到期的消息 (--once: 只发一轮)",
        description="按投递配置 (--config 或 ZHENGGAI_CONFIG) 发送到期的消息: 失败的按退避重试, 永久失败的记为死信。",
    )
    p.add_argument("--once", action="store_true", help="只发送一轮")
    p.add_argument("--config", metavar="FILE", help="投递配置文件 (TOML; 默认取环境变量 ZHENGGAI_CONFIG)")
    _add_json(p)
    p.set_defaults(command="outbox_send")


def add_daemon_commands(commands: Any) -> None:
    """``zhenggai run`` (the scheduler daemon) and ``status``."""
    p = commands.add_parser(
        "run",
        help="调度守护进程: 按时触发提醒、预警、挂牌督办等 (或 --once 只扫描一次)",
        description="启动调度守护进程: 每隔一段时间扫描到期的步骤 (到期提醒、黄灯、红灯、挂牌督办、问责),\n"
        "逐个触发一次并写入审计记录和消息队列; 停机期间错过的步骤按各自的补办规则处理。\n"
        "Ctrl-C 或 SIGTERM 时做完当前一次扫描再退出。SQLite 数据库只允许一个守护进程;\n"
        "多个守护进程请用 PostgreSQL。--once 只扫描一次后退出, 供 cron 等定时调用。",
    )
    p.add_argument("--once", action="store_true", help="只扫描一次, 然后退出")
    p.add_argument(
        "--interval",
        type=_positive_seconds,
        default=60.0,
        metavar="SECONDS",
        help="两次扫描之间的秒数 (默认 60)",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="投递配置文件: 给出时每次扫描后发送到期的消息 (默认取环境变量 ZHENGGAI_CONFIG; 都没有则只扫描)",
    )
    p.add_argument(
        "--anchor-file",
        dest="anchor_file",
        metavar="FILE",
        help="每天把审计链锚点追加到这个库外文件 (启动时先记一次; 默认取环境变量 ZHENGGAI_ANCHOR_FILE)",
    )
    _add_json(p)
    p.set_defaults(command="run")

    p = commands.add_parser(
        "status",
        help="运行状态: 守护进程心跳、待办步骤、消息队列",
        description="显示守护进程是否在运行 (最后心跳)、待办步骤和最早一个已到期步骤逾期多久、消息队列。\n"
        "给出 --max-behind 时, 若有已到期步骤等待超过这么多分钟, 或有待日历的步骤已过最早可能的到期时间, 退出码为 1 (供监控使用)。",
    )
    p.add_argument(
        "--max-behind",
        dest="max_behind",
        type=int,
        metavar="MINUTES",
        help="已到期步骤最多可等待的分钟数; 超过则退出码 1",
    )
    _add_json(p)
    p.set_defaults(command="status")


def add_simulate_command(commands: Any) -> None:
    """``zhenggai simulate``."""
    p = commands.add_parser(
        "simulate",
        help="模拟: 在虚拟时钟上按实施方案跑一遍专项行动, 打印时间线和汇总",
        description="在临时数据库和虚拟时钟上按实施方案 (内置标识或 YAML 文件) 跑一遍专项行动:\n"
        "生成各专项、各渠道的模拟问题, 模拟各单位的办理习惯 (有的按时、有的迟办)、验收不通过、\n"
        "暂停计时、职责报送与漏报、回头看重新整改; 调度扫描每天 00:05 运行, 与守护进程相同。\n"
        "打印中文时间线 (每天一段) 和汇总 (问题状态、预警、督办等级、职责、按渠道和类别的消息)。\n"
        "同一随机种子得到相同输出。进度条写到标准错误。",
    )
    p.add_argument("definition", metavar="DEFINITION", help="内置实施方案标识 (如 county_2023) 或 YAML 文件")
    p.add_argument("--items", type=_count, default=2000, metavar="N", help="模拟问题数 (默认 2000)")
    p.add_argument(
        "--from", dest="start", type=_date, metavar="YYYY-MM-DD", help="起始日 (默认第一阶段开始日)"
    )
    p.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="结束日 (默认最后阶段结束日)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子 (默认 1)")
    p.add_argument(
        "--sim-db",
        dest="sim_db",
        metavar="PATH|URL",
        help="模拟用的数据库 (须为新文件或空库; 默认临时 SQLite 文件, 结束后删除)",
    )
    p.add_argument(
        "--summary-only", dest="summary_only", action="store_true", help="只打印汇总, 不打印时间线"
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="显示进度条 (默认: 标准错误是终端时显示)",
    )
    p.set_defaults(command="simulate")


def add_import_command(commands: Any) -> None:
    """``zhenggai import FILE | --template FILE``."""
    p = commands.add_parser(
        "import",
        help="导入问题清单 (.xlsx / .csv), 或写出导入模板",
        description="从 .xlsx 或 .csv 问题清单导入问题: 表头为中文列名 (问题标题、问题描述、所属领域、\n"
        "来源渠道必填; 问题程度、责任单位、整改时限、牵头领导选填), 整改台账导出的文件也可直接导入。\n"
        "逐行检查; 全部无误才导入, 否则逐条列出 第N行 [列名]: 原因, 一个也不导入 (退出码 1)。\n"
        "填写了责任单位的问题导入时即交办。与已有问题相似的, 标为疑似重复供人工研判, 不自动合并。\n"
        "--template 写出空白模板 (含填写说明和下拉列表), 不导入。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", metavar="FILE", help="问题清单文件 (.xlsx 或 .csv)")
    source.add_argument(
        "--template",
        metavar="FILE.xlsx",
        action=_TemplateAction,
        help="写出空白导入模板到此文件 (不覆盖已有文件), 不需要操作人",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="在标准错误显示检查和导入的进度条 (按行计; 默认: 标准错误是终端时显示)",
    )
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="import", needs_actor=True)


def add_demo_command(commands: Any) -> None:
    """``zhenggai demo``."""
    p = commands.add_parser(
        "demo",
        help="演示: 在临时数据库上跑一遍完整的整改流程",
        description="在一个临时 SQLite 数据库上启动内置专项行动, 按脚本办理几个问题\n"
        "(交办、整改、验收、销号、回头看、退回、撤销、合并), 逐步打印时间线,\n"
        "最后打印整改台账和审计校验结果。不会改动 --db / ZHENGGAI_DB 指定的正式数据库。",
    )
    p.add_argument(
        "--db", dest="demo_db", metavar="PATH", help="演示数据库文件 (默认放在临时目录, 结束后删除)"
    )
    p.add_argument("--keep", action="store_true", help="保留临时目录中的演示数据库并打印其路径")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="在标准错误显示模拟和出具报告的进度条 (默认: 标准错误是终端时显示)",
    )
    p.add_argument(
        "--reports",
        metavar="DIR",
        help="把模拟专项行动的全部报告写到此目录 (默认: 演示数据库旁的 zhenggai-reports 目录)",
    )
    p.set_defaults(command="demo")


def add_report_command(commands: Any) -> None:
    """``zhenggai report KIND``."""
    p = commands.add_parser(
        "report",
        help="出具报告: 整改台账、一报告四清单、工作进展通报、典型案例通报、单位排名、公开摘要、成效台账",
        description="把专项行动的报告写到 --out 目录 (已有的同名文件被替换; 不会写到目录之外):\n"
        + "\n".join(f"  {kind:<10} {label}" for kind, label in KIND_LABELS.items())
        + "\n--unit 只出具一个责任单位的 (单位排名和公开摘要除外), --track 只出具一个专项的。\n"
        "公开摘要不含举报人、人名、电话、身份证号和电子邮箱; --redact 给出再要删去的词和正则 (TOML)。\n"
        "成效台账 (registers) 的问责处理情况默认只有处理方式和人数; 给出 --actor/--role 且该角色\n"
        "依实施方案可查阅被问责人员时, 才列出姓名和职务 (未在命令行给出时不认定操作人)。\n"
        "Word 文件 (通报、自查报告) 按模板生成: --templates 或配置文件 [reports] templates 指定本县的\n"
        "模板目录 (工作进展通报.docx、典型案例通报.docx、自查报告.docx, 缺的用内置模板);\n"
        "  zhenggai report templates --out DIR   写出内置模板, 供修改。",
    )
    p.add_argument(
        "kind",
        choices=[*KIND_LABELS, "templates"],
        metavar="KIND",
        help="报告类型: " + "、".join(KIND_LABELS) + "; templates 写出内置 Word 模板",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    p.add_argument(
        "--unit",
        metavar="UNIT",
        help="只出具这个责任单位的 (单位名称或标识, 如 县住建局 或 housing_construction_bureau)",
    )
    p.add_argument(
        "--track",
        metavar="TRACK",
        help="只出具这个专项的 (专项名称或标识, 如 工程领域专项整治 或 construction)",
    )
    p.add_argument("--redact", metavar="FILE", help="公开摘要的脱敏配置 (TOML: 要删去的词和正则)")
    p.add_argument("--out", required=True, metavar="DIR", help="输出目录 (不存在时创建)")
    p.add_argument(
        "--templates",
        metavar="DIR",
        help="本县 Word 模板目录 (默认取配置文件 [reports] templates, 否则用内置模板)",
    )
    p.add_argument(
        "--config", metavar="FILE", help="配置文件 (TOML; 默认取环境变量 ZHENGGAI_CONFIG), 读其 [reports] 段"
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="在标准错误显示进度条 (默认: 标准错误是终端时显示)",
    )
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="report", needs_actor="if_given")


def add_completion_command(commands: Any) -> None:
    """``zhenggai completion bash | zsh``."""
    p = commands.add_parser(
        "completion",
        help="打印命令行补全脚本 (bash、zsh)",
        description="打印 zhenggai 的命令行补全脚本。例如:\n"
        "  zhenggai completion bash > ~/.local/share/bash-completion/completions/zhenggai\n"
        "  zhenggai completion zsh > ~/.zfunc/_zhenggai   (~/.zfunc 须在 fpath 中)",
    )
    p.add_argument("shell", choices=["bash", "zsh"], metavar="SHELL", help="bash 或 zsh")
    p.set_defaults(command="completion")


def add_contact_commands(commands: Any) -> None:
    """``zhenggai contact add | list | update | remove | import | template``: the roster (通讯录)."""
    contact = commands.add_parser(
        "contact",
        help="通讯录: 添加、列表、修改、移除、导入联系人",
        description="运行中的专项行动的通讯录: 谁接收发给各单位、各角色的消息。\n"
        "实施方案中的联系人只是初始名单; 之后由实施方案规定的角色 (manage_contacts) 维护。\n"
        "移除或不在有效期内的联系人不接收消息。因无人接收而成为死信的消息, 补充联系人后\n"
        "用 zhenggai outbox retry --all-dead 重新投递。",
    )
    cmds = contact.add_subparsers(
        dest="contact_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser("add", help="添加联系人", description="向通讯录添加一名联系人 (至少一种联系方式)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    _contact_fields(p, adding=True)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="contact_add", needs_actor=True)
    p = cmds.add_parser(
        "list",
        help="通讯录列表 (手机、邮箱部分隐去; --json 为完整信息)",
        description="列出通讯录, 以及没有可达联系人的单位和角色。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="只列此单位的 (名称或标识)")
    p.add_argument("--contact-role", dest="contact_role", metavar="ROLE", help="只列此角色的")
    p.add_argument("--all", action="store_true", help="包括已移除的")
    _add_json(p)
    p.set_defaults(command="contact_list")
    p = cmds.add_parser(
        "update", help="修改联系人", description="修改联系人的各项 (只改给出的项; 空值清除可选项)。"
    )
    p.add_argument("contact_id", type=int, metavar="ID", help="联系人编号 (contact list 的第一列)")
    _contact_fields(p, adding=False)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="contact_update", needs_actor=True)
    p = cmds.add_parser(
        "remove", help="移除联系人 (不再接收消息)", description="移除联系人: 保留记录, 不再接收消息。"
    )
    p.add_argument("contact_id", type=int, metavar="ID", help="联系人编号")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="contact_remove", needs_actor=True)
    p = cmds.add_parser(
        "import",
        help="导入通讯录 (.xlsx / .csv), 全部成功或全部不导入",
        description="从 .xlsx 或 .csv 导入通讯录: 表头为 单位、姓名 (必填), 角色、手机、邮箱、企业微信ID、\n"
        "钉钉ID、接收渠道、生效日期、失效日期 (选填); 单位和角色可填名称或标识。\n"
        "逐行检查; 全部无误才导入, 否则逐条列出 第N行 [列名]: 原因, 一个也不导入 (退出码 1)。",
    )
    p.add_argument("file", metavar="FILE", help="通讯录文件 (.xlsx 或 .csv)")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="contact_import", needs_actor=True)
    p = cmds.add_parser(
        "template",
        help="写出空白通讯录模板 (含填写说明和下拉列表)",
        description="写出空白通讯录模板 (不覆盖已有文件), 不需要操作人。",
    )
    p.add_argument("file", metavar="FILE.xlsx", help="模板文件")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    _add_json(p)
    p.set_defaults(command="contact_template")


def add_calendar_commands(commands: Any) -> None:
    """``zhenggai calendar list | show YEAR | load FILE [--replace]``: the working-day calendar."""
    calendar = commands.add_parser(
        "calendar",
        help="工作日历: 各年节假日安排的列表、详情、载入",
        description="工作日历 (节假日和调休上班日)。内置数据到最近一次国务院办公厅通知为止;\n"
        "新一年的通知发布后, 用 zhenggai calendar load 载入 (格式见 README)。库中所有按法定节假日\n"
        "计算的专项行动都按它计算; 待日历的督办步骤随即启用。",
    )
    cmds = calendar.add_subparsers(
        dest="calendar_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser(
        "list", help="已知的年份及其来源", description="列出工作日历已知的年份: 内置的和载入的 (含被替换的)。"
    )
    _add_json(p)
    p.set_defaults(command="calendar_list")
    p = cmds.add_parser(
        "show", help="某年的节假日安排", description="列出某年的放假安排、调休上班日和全年工作日数。"
    )
    p.add_argument("year", type=int, metavar="YEAR", help="年份, 如 2027")
    _add_json(p)
    p.set_defaults(command="calendar_show")
    p = cmds.add_parser(
        "load",
        help="载入一年的节假日安排 (国务院办公厅通知)",
        description="检查并载入一年的节假日安排文件: 每一天都须确定 (放假日、调休上班日不重叠, 调休上班日须是周末,\n"
        "元旦、春节、清明节、劳动节、端午节、中秋节、国庆节都已安排, 日期都在该年内)。有误时逐条列出 文件:行号, 不载入。\n"
        "内置数据已有的年份或已载入的年份, 只有加 --replace 才替换。载入记入各专项行动的审计记录。",
    )
    p.add_argument("file", metavar="FILE", help="节假日安排文件 (YAML)")
    p.add_argument("--replace", action="store_true", help="替换内置数据或此前载入的同一年份")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="calendar_load", needs_actor=True)
