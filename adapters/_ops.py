"""Operator commands: ``zhenggai run`` (the scheduler daemon, or one sweep), ``zhenggai
status`` (heartbeats, steps waiting, outbox), and units' duties (``zhenggai duty list | done``)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from zhenggai.engine import ESCALATION_LABELS, Actor, DutyView, StatusView, Webhooks

from ._anchors import anchor_if_due
from ._context import ActorTuple, _campaign_key, _print_json, open_engine
from ._outbox import LOCAL, OUTBOX_COMMANDS, dispatcher_for, send_due
from ._tables import LIGHT_LABELS, format_date, format_time, render_table

__all__ = ["OPS_COMMANDS", "cmd_run", "cmd_status", "describe_span"]


def cmd_run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai run [--once] [--interval S]: the scheduler daemon, or one sweep."""
    with open_engine(db) as engine:
        # A bad delivery configuration is refused before anything is swept.
        config = args.config or os.environ.get("ZHENGGAI_CONFIG")
        dispatcher = dispatcher_for(engine, config) if config else None
        anchor_file = args.anchor_file or os.environ.get("ZHENGGAI_ANCHOR_FILE") or None
        if args.once:
            import socket

            report = engine.sweep()
            if anchor_file is not None:
                anchor_if_due(engine, anchor_file)
            Webhooks(engine).relay()
            if dispatcher is not None:
                send_due(dispatcher)
            # One heartbeat row per host for sweeps run by cron; --interval says how often.
            engine.heartbeat(
                f"{socket.gethostname()}:once",
                host=socket.gethostname(),
                pid=os.getpid(),
                started_at=engine.clock.now(),
                interval=args.interval,
                fired=report.fired,
            )
            if args.json:
                _print_json(
                    {
                        "fired": report.fired,
                        "collapsed": report.collapsed,
                        "missed": report.missed,
                        "void": report.void,
                        "skipped": report.skipped,
                        "subjects": report.subjects,
                    }
                )
            else:
                print(
                    f"扫描完成: 触发 {report.fired} 步, 合并补办 {report.collapsed} 步, "
                    f"错过待人工处理 {report.missed} 步, 作废 {report.void} 步"
                )
            return 0
        from ._daemon import Daemon

        daemon = Daemon(
            engine,
            interval=args.interval,
            dispatch=dispatcher.dispatch if dispatcher else None,
            anchor=(lambda: anchor_if_due(engine, anchor_file)) if anchor_file else None,
            relay=Webhooks(engine).relay,
        )
        print(
            f"守护进程 {daemon.name} 已启动: 每 {args.interval:g} 秒扫描一次; Ctrl-C 或 SIGTERM 停止",
            flush=True,
        )
        daemon.run_forever()
        print(f"守护进程 {daemon.name} 已停止 (共扫描 {daemon.sweeps} 次)", flush=True)
        return 0


def describe_span(span: dt.timedelta) -> str:
    """``3 秒`` / ``5 分钟`` / ``2 小时 10 分钟`` / ``4 天 3 小时``: how long, for officials."""
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours == 0:
        return f"{minutes} 分钟"
    if days == 0:
        return f"{hours} 小时" + (f" {minutes % 60} 分钟" if minutes % 60 else "")
    return f"{days} 天" + (f" {hours % 24} 小时" if hours % 24 else "")


def cmd_status(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai status: are daemons alive, how far behind is the oldest due step, what waits in
    the outbox. Exit 1 when a due step has waited longer than ``--max-behind`` minutes."""
    with open_engine(db) as engine:
        status = engine.status()
        # The roster: units and roles nobody could receive a message for, per campaign.
        unreachable = [engine.unreachable(c.key) for c in engine.campaigns()]
    behind = status.behind
    # Steps that could already be due but wait for a year's holiday notice count as behind.
    late = args.max_behind is not None and (
        behind > dt.timedelta(minutes=args.max_behind) or status.awaiting_due > 0
    )
    if args.json:
        _print_json(
            {
                **status.to_dict(),
                "behind_seconds": int(behind.total_seconds()),
                "alive": [d.name for d in status.daemons if d.alive(status.now)],
                "unreachable": {u.campaign: u.to_dict() for u in unreachable},
            }
        )
        return 1 if late else 0
    print(_status_text(status))
    from ._contacts import unreachable_lines

    for view in unreachable:
        lines = unreachable_lines(view, hint=False)
        if lines:
            print("\n".join(lines if len(unreachable) == 1 else [f"专项行动 {view.campaign}:", *lines]))
    return 1 if late else 0


def _status_text(status: StatusView) -> str:
    now = status.now
    lines = ["守护进程:"]
    if not status.daemons:
        lines.append("  (从未运行; 用 zhenggai run 启动, 或由 cron 定时执行 zhenggai run --once)")
    for d in status.daemons:
        if d.stopped_at is not None:
            state = f"已停止 ({format_time(d.stopped_at, LOCAL)})"
        elif d.alive(now):
            state = "运行中"
        else:
            state = f"无响应 (已 {describe_span(now - d.beat_at)} 没有心跳)"
        lines.append(
            f"  {d.name}  {state} · 最后心跳 {format_time(d.beat_at, LOCAL)} · 启动于 {format_time(d.started_at, LOCAL)}"
            f" · 扫描 {d.sweeps} 次 · 触发 {d.fired} 步"
        )
    if status.pending_steps == 0:
        lines.append("待办步骤: 无")
    else:
        assert status.oldest_due is not None
        oldest = format_time(status.oldest_due, LOCAL)
        waiting = f"; 最早的已逾期 {describe_span(status.behind)}" if status.due_steps else ""
        lines.append(
            f"待办步骤: {status.pending_steps} 个, 已到期未处理 {status.due_steps} 个; 最早到期 {oldest}{waiting}"
        )
    if status.awaiting_calendar:
        years = "、".join(str(y) for y in status.awaiting_years) or "未知"
        past = (
            f", 其中 {status.awaiting_due} 个已过最早可能的到期时间, 无法执行" if status.awaiting_due else ""
        )
        lines.append(
            f"待日历: {status.awaiting_calendar} 个督办步骤等待 {years} 年的节假日安排{past};"
            " 通知发布后用 zhenggai calendar load 载入"
        )
    names = {"pending": "待发送", "sent": "已发送", "dead": "死信"}
    outbox = " · ".join(f"{names.get(k, k)} {v}" for k, v in sorted(status.outbox.items())) or "无"
    lines.append(f"消息: {outbox}")
    return "\n".join(lines)


def cmd_duty_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai duty list: units' duties (职责), by due date: all, a unit's, the open ones."""
    due_by = dt.date.fromisoformat(args.due_by) if args.due_by else None
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        duties = engine.duties(key, unit=args.unit, status="open" if args.open else None, due_by=due_by)
    if args.json:
        _print_json([x.to_dict() for x in duties])
        return 0
    if not duties:
        print("没有符合条件的职责")
        return 0
    print(duty_table(duties))
    done = sum(x.status == "done" for x in duties)
    # Due before the campaign was created (a plan started late): neither done nor owed.
    moot = sum(x.status == "not_applicable" for x in duties)
    print(
        f"共 {len(duties)} 项, 已完成 {done} 项, 未完成 {len(duties) - done - moot} 项"
        + (f", 不适用 {moot} 项 (专项行动启动前已到期)" if moot else "")
    )
    return 0


#: A duty occurrence's status as officials read it (``open``: 未完成).
DUTY_STATUS_LABELS = {"done": "已完成", "not_applicable": "不适用"}


def duty_table(duties: list[DutyView]) -> str:
    rows = [
        [
            str(x.id),
            x.label,
            x.unit_name,
            format_date(x.due),
            DUTY_STATUS_LABELS.get(x.status, "未完成"),
            LIGHT_LABELS.get(x.light, x.light),
            (ESCALATION_LABELS.get(x.escalation_level, "") if x.escalation_level else ""),
        ]
        for x in duties
    ]
    return render_table(
        ["编号", "职责", "单位", "到期", "状态", "预警", "督办"], rows, aligns=[">"] + ["<"] * 6
    )


def cmd_duty_done(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai duty done ID: the unit has delivered (its reminders and chasing stop)."""
    assert actor is not None
    with open_engine(db) as engine:
        duty = engine.complete_duty(args.duty_id, Actor(*actor), note=args.note)
    if args.json:
        _print_json(duty.to_dict())
    else:
        print(f"职责 {duty.id} 已完成: {duty.unit_name} {duty.label} (到期 {format_date(duty.due)})")
    return 0


OPS_COMMANDS: Mapping[str, Any] = {
    "run": cmd_run,
    "status": cmd_status,
    "duty_list": cmd_duty_list,
    "duty_done": cmd_duty_done,
    **OUTBOX_COMMANDS,
}
