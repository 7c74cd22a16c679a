"""The ``zhenggai`` subcommands about items and what comes of them: ``item`` (with ``measure``
and ``reporter``), ``duplicate``, ``document``, ``mechanism``, ``practice``, ``outcomes``,
and the ``reporter`` key commands."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json, _add_reporter_config, _count, _date, _item_ref, _item_write
from ._parser_registers import add_document_compile


def add_item_commands(commands: Any) -> Any:
    """``zhenggai item add | list | show | fire | pause | resume | case | outcome | publish``;
    returns the item subparsers (``measure`` and ``reporter`` are added to them later)."""
    item = commands.add_parser(
        "item",
        help="问题: 登记、列表、详情、流转、整改措施、暂停计时",
        description="问题的登记、查询和流转。",
    )
    item_cmds = item.add_subparsers(
        dest="item_command", metavar="ACTION", required=True, parser_class=_Parser
    )

    p = item_cmds.add_parser("add", help="登记问题", description="登记一个问题 (问题线索)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    p.add_argument("--title", required=True, help="问题标题")
    p.add_argument("--description", required=True, help="问题描述")
    p.add_argument(
        "--track", required=True, help="所属专项 (名称或标识), 如 工程领域专项整治 或 construction"
    )
    p.add_argument("--channel", required=True, help="来源渠道 (名称或标识), 如 公开举报电话 或 hotline")
    p.add_argument(
        "--severity",
        default=None,
        help="问题程度 (名称或标识), 按实施方案 (内置方案: 一般 normal、较重 serious、严重 critical); 缺省为方案的第一项",
    )
    p.add_argument("--reporter-name", dest="reporter_name", metavar="NAME", help="举报人姓名 (保密)")
    p.add_argument("--reporter-phone", dest="reporter_phone", metavar="PHONE", help="举报人电话 (保密)")
    _add_reporter_config(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="item_add", needs_actor=True)

    p = item_cmds.add_parser("list", help="问题列表 (整改台账)", description="按条件列出问题。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--state", metavar="STATE", help="状态 (名称或标识), 如 整改中 或 rectifying")
    p.add_argument("--unit", metavar="UNIT", help="责任单位 (名称或标识)")
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    p.add_argument("--limit", type=_count, metavar="N", help="最多列出 N 个")
    p.add_argument("--offset", type=_count, default=0, metavar="N", help="跳过前 N 个 (与 --limit 一起分页)")
    _add_json(p)
    p.set_defaults(command="item_list")

    p = item_cmds.add_parser("show", help="问题详情、整改措施和审计记录", description="显示一个问题的详情。")
    p.add_argument("item_id", type=_item_ref, metavar="ID", help="问题 ID, 或问题编号 (如 ZG-2023-0001)")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (问题编号在多个专项行动中都有时)")
    _add_json(p)
    p.set_defaults(command="item_show")

    p = item_cmds.add_parser(
        "fire",
        help="流转问题 (交办、开始整改、提请验收、验收、销号、回头看 …)",
        description="对问题执行一个流转操作 (trigger), 也可用中文名称 (如 销号)。标准流程的操作:\n"
        "  assign 交办 (--unit, --due; 领衔领导用 zhenggai item lead 指定)\n"
        "  start_rectification 开始整改 · submit_for_verification 提请验收\n"
        "  verify 验收通过 · return_for_rework 退回重新整改 (--reason) · close 销号\n"
        "  follow_up_review 回头看重新整改 (--finding) · reassign 改派 (--unit, --due)\n"
        "  dismiss 撤销 (--reason) · merge 合并重复问题 (--survivor)",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("trigger", metavar="TRIGGER", help="操作 (名称或标识), 如 交办 或 assign")
    p.add_argument("--unit", metavar="UNIT", help="责任单位 (名称或标识; 交办、改派)")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="整改时限 (交办、改派)")
    p.add_argument(
        "--leading-official",
        dest="leading_official",
        metavar="NAME",
        help="(已停用: 领衔领导用 zhenggai item lead 指定)",
    )
    p.add_argument("--finding", help="回头看发现的问题 (follow_up_review)")
    p.add_argument("--reason", help="理由 (退回、撤销)")
    p.add_argument("--survivor", dest="survivor_id", type=int, metavar="ID", help="合并到的问题编号 (merge)")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _item_write(p, "item_fire")

    p = item_cmds.add_parser(
        "pause",
        help="暂停计时 (中止, 如等待法院判决)",
        description="暂停问题的整改计时 (须有理由, 由实施方案规定的角色批准)。\n"
        "保留剩余的工作日; 暂停期间不提醒、不亮灯、不督办。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--reason", required=True, help="暂停理由 (记入审计记录)")
    _item_write(p, "item_pause")
    p = item_cmds.add_parser(
        "resume",
        help="恢复计时",
        description="恢复问题的整改计时: 新的整改时限 = 从今天起算 (今天不计) 的剩余工作日; 暂停当天计为已用。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _item_write(p, "item_resume")

    p = item_cmds.add_parser(
        "case",
        help="标记为典型案例 (供典型案例通报)",
        description="把问题标记为典型案例, 附通报用的案例说明; 再次标记则替换说明。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--note", required=True, help="案例说明 (印入典型案例通报)")
    _item_write(p, "item_case")

    p = item_cmds.add_parser(
        "lead",
        help="确定领衔领导 (领衔调研处理)",
        description="由实施方案规定的角色 (leadership.decided_by, 内置方案: 县优化营商环境工作领导小组)\n"
        "在规定阶段 (内置方案: 问题查摆阶段, 及其结束后 5 个工作日内) 确定领衔调研处理该问题的领导。\n"
        "领导须为通讯录中角色属于 leadership.roles 的联系人 (县四套班子领导、专项整治工作组组长、一把手);\n"
        "领导将收到通知, 此后该问题发给其角色的消息只送达该领导。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--leader", required=True, metavar="CONTACT", help="领导: 通讯录联系人编号, 或唯一的姓名")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _item_write(p, "item_lead")

    p = item_cmds.add_parser(
        "research-done",
        help="报告领衔调研完成 (问题原因、解决办法)",
        description="领衔领导 (以本人姓名、其领导角色) 或领导小组办公室报告该问题的领衔调研已完成,\n"
        "附调研情况 (问题原因、解决办法); 领衔调研督办随即停止, 并报告实施方案规定的接收方\n"
        "(leadership.research.to, 内置方案: 县优化营商环境工作领导小组)。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--note", required=True, help="调研情况: 问题原因、解决办法")
    _item_write(p, "item_research_done")

    p = item_cmds.add_parser(
        "outcome",
        help="记录办理结果: 问责处理、根源分析、长效机制 (办结或撤销后)",
        description="记录已办结 (销号、撤销、合并) 问题的办理结果; 再次记录则整体替换。\n"
        '  --accountability "姓名|职务|处理方式" 可重复, 职务可空 ("张三||批评教育");\n'
        "  处理方式用实施方案的标识或名称 (内置方案: 谈话提醒、批评教育、责令检查、诫勉、\n"
        "  组织处理、党纪政务处分、移送司法机关)。被问责人员姓名属个人信息, 不记入审计记录。\n"
        "不给 --root-cause / --accountability / --mechanism 时显示已记录的结果\n"
        "(姓名只对实施方案允许查阅的角色显示, 每次查阅记入审计记录)。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument(
        "--root-cause", dest="root_cause", metavar="TEXT", help="根源分析 (问题产生的原因、制度漏洞)"
    )
    p.add_argument(
        "--accountability",
        action="append",
        default=[],
        metavar="姓名|职务|处理方式",
        help="一名被问责人员及其处理方式 (可重复)",
    )
    p.add_argument(
        "--mechanism",
        dest="mechanisms",
        action="append",
        type=int,
        default=[],
        metavar="ID",
        help="由此健全的长效机制编号 (可重复; 见 mechanism list)",
    )
    _item_write(p, "item_outcome")

    p = item_cmds.add_parser(
        "publish",
        help="记录典型案例的通报曝光 (何处、何日)",
        description="记录已标记为典型案例的问题在何处、何日通报曝光; 再次记录则替换。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument(
        "--where", required=True, metavar="TEXT", help="通报曝光的载体, 如 县纪委监委网站、XXXX公众号"
    )
    p.add_argument(
        "--on", required=True, type=_date, metavar="YYYY-MM-DD", help="通报曝光的日期 (不晚于今天)"
    )
    _item_write(p, "item_publish")
    return item_cmds


def add_duplicate_commands(commands: Any) -> None:
    """``zhenggai duplicate list | resolve`` (关联研判)."""
    duplicate = commands.add_parser(
        "duplicate",
        help="关联研判: 疑似重复问题的列表和研判",
        description="登记和导入问题时, 与同一领域、同一责任单位中相似的问题标为疑似重复,\n"
        "由人研判: 合并 (--merge) 或确认不是同一问题 (--distinct); 系统从不自动合并。",
    )
    duplicate_cmds = duplicate.add_subparsers(
        dest="duplicate_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = duplicate_cmds.add_parser(
        "list", help="疑似重复列表", description="列出待研判 (或 --all 全部) 的疑似重复问题。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--all", action="store_true", help="包括已研判的")
    _add_json(p)
    p.set_defaults(command="duplicate_list")
    p = duplicate_cmds.add_parser(
        "resolve", help="研判一条疑似重复", description="研判一条疑似重复: 合并到相似的问题, 或确认不同。"
    )
    p.add_argument("flag_id", type=int, metavar="ID", help="疑似重复编号 (duplicate list 的第一列)")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--merge", action="store_true", help="合并: 该问题并入相似的问题")
    how.add_argument("--distinct", action="store_true", help="不是同一问题, 各自办理")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="duplicate_resolve", needs_actor=True)


def add_document_commands(commands: Any) -> None:
    """``zhenggai document add | list | fire`` (规范性文件清理)."""
    document = commands.add_parser(
        "document",
        help="规范性文件清理: 登记待清理文件、审查、作出保留 / 修订 / 废止结论",
        description="各单位列入清理的规范性文件, 按实施方案的文件清理流程办理 (documents),\n"
        "清理结论须在期限内作出, 逾期由调度程序提醒和督办。",
    )
    document_cmds = document.add_subparsers(
        dest="document_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = document_cmds.add_parser(
        "add", help="登记待清理的规范性文件", description="登记一份待清理的规范性文件。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", required=True, metavar="UNIT", help="制定 (负责清理) 的单位 (名称或标识)")
    p.add_argument("--title", required=True, help="文件名称")
    p.add_argument("--doc-number", dest="doc_number", metavar="文号", help="文号, 如 县政办发〔2019〕12号")
    p.add_argument("--note", help="备注")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="document_add", needs_actor=True)
    p = document_cmds.add_parser(
        "list", help="待清理文件列表", description="列出规范性文件及其清理状态、期限和预警。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--state", metavar="STATE", help="状态 (名称或标识)")
    _add_json(p)
    p.set_defaults(command="document_list")
    p = document_cmds.add_parser(
        "fire",
        help="办理文件 (开始审查、决定保留 / 修订 / 废止)",
        description="对规范性文件执行文件清理流程中的一个操作, 也可用中文名称 (如 决定废止)。",
    )
    p.add_argument("document_id", type=int, metavar="ID", help="文件编号")
    p.add_argument("trigger", metavar="TRIGGER", help="操作 (名称或标识), 如 start_review")
    p.add_argument("--reason", help="理由 (清理结论须写明)")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _item_write(p, "document_fire")
    add_document_compile(document_cmds)


def add_mechanism_commands(commands: Any) -> None:
    """``zhenggai mechanism add | list | update`` (长效机制)."""
    mechanism = commands.add_parser(
        "mechanism",
        help="长效机制: 登记、列表、更新状态",
        description="各单位因专项行动建立、修订的制度、工作规程、信息系统 (长效机制台账)。\n"
        "状态: drafting 起草中 · established 已建立 · revised 已修订 · abolished 已废止 (也可用中文)。",
    )
    mechanism_cmds = mechanism.add_subparsers(
        dest="mechanism_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = mechanism_cmds.add_parser("add", help="登记长效机制", description="登记一项长效机制。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", required=True, metavar="UNIT", help="建立机制的单位 (名称或标识)")
    p.add_argument("--title", required=True, help="机制名称, 如 工程建设项目审批限时办结制度")
    p.add_argument(
        "--kind",
        required=True,
        metavar="KIND",
        help="类别, 按实施方案 (内置方案: rule 制度、procedure 工作规程、system 信息系统)",
    )
    p.add_argument(
        "--status", required=True, metavar="STATUS", help="状态: drafting、established、revised、abolished"
    )
    p.add_argument(
        "--date", required=True, type=_date, metavar="YYYY-MM-DD", help="达到该状态的日期 (不晚于今天)"
    )
    p.add_argument(
        "--item",
        dest="items",
        action="append",
        type=int,
        default=[],
        metavar="ID",
        help="促成该机制的问题编号 (可重复)",
    )
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    p.add_argument("--note", help="备注")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="mechanism_add", needs_actor=True)
    p = mechanism_cmds.add_parser("list", help="长效机制台账", description="列出长效机制 (可按单位、专项)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    _add_json(p)
    p.set_defaults(command="mechanism_list")
    p = mechanism_cmds.add_parser(
        "update", help="更新长效机制的状态", description="更新一项长效机制的状态 (如 起草中 → 已建立)。"
    )
    p.add_argument("mechanism_id", type=int, metavar="ID", help="长效机制编号")
    p.add_argument(
        "--status", required=True, metavar="STATUS", help="新状态: drafting、established、revised、abolished"
    )
    p.add_argument("--date", required=True, type=_date, metavar="YYYY-MM-DD", help="达到该状态的日期")
    p.add_argument("--note", help="备注")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="mechanism_update", needs_actor=True)


def add_practice_commands(commands: Any) -> None:
    """``zhenggai practice add | list | select`` (典型做法和创新案例)."""
    practice = commands.add_parser(
        "practice",
        help="典型做法和创新案例: 报送、列表、遴选",
        description="各单位报送优化营商环境的典型做法和创新案例 (可复制、易推广、有特色);\n"
        "宣传部门遴选后刊入公开摘要的「晒成效」专栏。",
    )
    practice_cmds = practice.add_subparsers(
        dest="practice_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = practice_cmds.add_parser(
        "add", help="报送典型做法", description="以操作人所属单位报送一项典型做法或创新案例。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--title", required=True, help="标题")
    p.add_argument("--summary", required=True, help="主要做法和成效")
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="practice_add", needs_actor=True)
    p = practice_cmds.add_parser("list", help="典型做法列表", description="列出报送的典型做法和创新案例。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="报送单位 (名称或标识)")
    chosen = p.add_mutually_exclusive_group()
    chosen.add_argument(
        "--selected", dest="selected", action="store_const", const=True, default=None, help="只列已入选的"
    )
    chosen.add_argument(
        "--not-selected", dest="selected", action="store_const", const=False, help="只列未入选的"
    )
    _add_json(p)
    p.set_defaults(command="practice_list")
    p = practice_cmds.add_parser(
        "select",
        help="遴选典型做法 (刊入晒成效)",
        description="遴选一项典型做法刊入「晒成效」专栏; --undo 撤下。",
    )
    p.add_argument("practice_id", type=int, metavar="ID", help="典型做法编号")
    p.add_argument("--undo", action="store_true", help="撤下 (不再入选)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="practice_select", needs_actor=True)


def add_outcomes_command(commands: Any) -> None:
    """``zhenggai outcomes`` (五个一批)."""
    p = commands.add_parser(
        "outcomes",
        help="五个一批: 各项成效的完成数、目标和完成率",
        description="专项行动的五个一批 (排查发现问题线索、通报曝光典型案例、警示教育党员干部、\n"
        "解决难点堵点、健全长效机制): 按记录统计的完成数、实施方案的目标和完成率,\n"
        "并分专项、分单位列出。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="只统计这个责任单位的 (名称或标识)")
    p.add_argument("--track", metavar="TRACK", help="只统计这个专项的 (名称或标识)")
    _add_json(p)
    p.set_defaults(command="outcomes")


def add_measure_commands(item_cmds: Any) -> None:
    """``zhenggai item measure add | done``."""
    measure = item_cmds.add_parser("measure", help="整改措施: 添加、完成", description="问题的整改措施。")
    measure_cmds = measure.add_subparsers(
        dest="measure_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = measure_cmds.add_parser("add", help="添加整改措施", description="为问题添加一项整改措施。")
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--text", required=True, help="措施内容")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="措施完成时限")
    _item_write(p, "measure_add")
    p = measure_cmds.add_parser("done", help="完成整改措施", description="把一项整改措施标记为已完成。")
    p.add_argument("measure_id", type=int, metavar="MEASURE_ID", help="措施编号")
    _item_write(p, "measure_done")


def add_reporter_commands(commands: Any, item_cmds: Any) -> None:
    """``zhenggai item reporter ID`` and ``zhenggai reporter keygen | rekey``: 举报人信息加密保存."""
    p = item_cmds.add_parser(
        "reporter",
        help="查阅问题的举报人信息 (保管人; 每次查阅记入审计记录)",
        description="查阅一个问题的举报人信息: 只有实施方案允许的角色 (read_reporter, 内置方案为 custodian) 可以查阅,\n"
        "每次查阅记入审计记录。举报人信息加密保存, 须用配置文件 [reporter] 段的密钥解密。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    _add_reporter_config(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="item_reporter", needs_actor=True)

    reporter = commands.add_parser(
        "reporter",
        help="举报人密钥: 生成、更换后重新加密",
        description="举报人信息 (姓名、电话等) 在数据库中加密保存, 密钥不在数据库中: 在配置文件 [reporter] 段\n"
        "用 key_file 或 key_env 指明。更换密钥: 生成新密钥, 原密钥移入 old_key_files, 运行 reporter rekey,\n"
        "之后即可删去原密钥。密钥遗失则它加密的举报人信息无法恢复: 请另行安全备份密钥文件。",
    )
    cmds = reporter.add_subparsers(
        dest="reporter_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser(
        "keygen",
        help="生成新的举报人密钥文件 (权限 0600, 不覆盖已有文件)",
        description="生成一个新的举报人密钥 (32 字节随机数的 base64) 写入文件, 权限 0600, 不覆盖已有文件;\n"
        "只打印密钥编号, 不打印密钥。不需要数据库。",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="密钥文件 (须尚不存在)")
    _add_json(p)
    p.set_defaults(command="reporter_keygen")
    p = cmds.add_parser(
        "rekey",
        help="用现用密钥重新加密全部举报人信息 (更换密钥后; 旧的明文记录一并加密)",
        description="把不是用现用密钥加密的举报人信息, 用配置的旧密钥解密后以现用密钥重新加密; 早于加密功能的\n"
        "明文记录也加密并清除明文。一个事务, 全部成功或不改动; 记入审计记录 (只有条数)。\n"
        "须由实施方案允许查阅举报人信息的角色 (read_reporter, 内置方案为 custodian) 执行。",
    )
    p.add_argument("--campaign", metavar="KEY", help="只处理这个专项行动 (默认: 全部)")
    _add_reporter_config(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="reporter_rekey", needs_actor=True)
