"""The office's pages (issue 18, 3): its queues, 交办 / 验收通过 / 销号 from the item page, an
extension approved and a send-back ruled from /office, the ledger's filters and its Excel export,
the dashboard's numbers against the engine's; a unit's clerk is refused the office's page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient
from zhenggai.engine import Actor

from .pages_world import KEY, OTHER, UNIT, World, build, flashes, sign_in

CLERK = Actor("李科员", "responsible", UNIT)
OTHER_CLERK = Actor("周科员", "responsible", OTHER)
TRACK_LEADER = Actor("政务服务组组长", "track_group_leader")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = build(tmp_path_factory.mktemp("pages_office"))
    e, mine = world.engine, world.items["mine"]
    measure = e.add_measure(mine, CLERK, text="规范审批流程")
    e.start_rectification(mine, CLERK)
    e.complete_measure(measure.id, CLERK)
    e.submit_for_verification(mine, CLERK)
    yield world
    world.engine.dispose()


@pytest.fixture(scope="module")
def office(world: World) -> tuple[TestClient, str]:
    return sign_in(world, "wang")


def queue(html: str, name: str) -> str:
    """The office page's queue ``name``: its heading (with the count) to the next heading."""
    start = html.index(f"<h2>{name} (")
    end = html.find("<h2", start + 1)
    return html[start : end if end > 0 else None]


def test_the_queues_show_the_right_items_with_their_counts(
    world: World, office: tuple[TestClient, str]
) -> None:
    client, _ = office
    page = client.get("/office")
    assert page.status_code == 200 and "<h1>办公室待办</h1>" in page.text
    to_assign = queue(page.text, "待交办")
    assert to_assign.startswith("<h2>待交办 (1)") and "待交办的问题" in to_assign
    assert f'href="/items/{world.items["new"]}"' in to_assign
    to_verify = queue(page.text, "待验收")
    assert to_verify.startswith("<h2>待验收 (1)") and "住建局审批超时" in to_verify
    assert queue(page.text, "待销号").startswith("<h2>待销号 (0)")
    assert "自然资源局窗口推诿" not in page.text


def test_a_unit_clerk_is_refused_the_office_page(world: World) -> None:
    client, csrf = sign_in(world, "li")
    page = client.get("/office")
    assert page.status_code == 403 and "办公室待办只供" in page.text
    assert 'href="/office"' not in page.text  # nor does its menu offer it
    flags = world.engine.extensions(KEY)
    posted = client.post("/extensions/1", data={"csrf_token": csrf, "decision": "approve"})
    assert posted.status_code == 403 and world.engine.extensions(KEY) == flags


def test_assign_from_the_item_page_with_unit_and_due(world: World, office: tuple[TestClient, str]) -> None:
    client, csrf = office
    new = world.items["new"]
    page = client.get(f"/items/{new}")
    assert re.search(r"<button type=\"submit\">交办</button>", page.text)
    missing = client.post(f"/items/{new}/fire", data={"csrf_token": csrf, "trigger": "assign"})
    assert missing.status_code in (409, 422) and world.engine.item(new).state == "identified"
    bad_date = client.post(
        f"/items/{new}/fire", data={"csrf_token": csrf, "trigger": "assign", "unit": UNIT, "due": "明天"}
    )
    assert (
        bad_date.status_code == 422
        and "时限" in bad_date.text
        and world.engine.item(new).state == "identified"
    )
    page = client.post(
        f"/items/{new}/fire",
        data={"csrf_token": csrf, "trigger": "assign", "unit": UNIT, "due": "2023-09-15"},
    )
    assert page.status_code == 200 and "已交办: 问题现为「已交办」" in flashes(page.text)
    item = world.engine.item(new)
    assert (item.state, item.unit, str(item.due)) == ("assigned", UNIT, "2023-09-15")
    assert world.engine.events(new)[-1].actor == "王主任"


def test_verify_then_close_from_the_item_page(world: World, office: tuple[TestClient, str]) -> None:
    client, csrf = office
    mine = world.items["mine"]
    page = client.get(f"/items/{mine}")
    assert "验收通过" in page.text and "退回重新整改" in page.text
    page = client.post(f"/items/{mine}/fire", data={"csrf_token": csrf, "trigger": "verify"})
    assert "已验收通过: 问题现为「已验收」" in flashes(page.text)
    assert queue(client.get("/office").text, "待销号").startswith("<h2>待销号 (1)")
    stale = client.post(f"/items/{mine}/fire", data={"csrf_token": csrf, "trigger": "close", "version": "1"})
    assert stale.status_code == 409 and world.engine.item(mine).state == "verified"
    page = client.post(f"/items/{mine}/fire", data={"csrf_token": csrf, "trigger": "销号"})
    assert "已销号: 问题现为「已销号」" in flashes(page.text)
    item = world.engine.item(mine)
    assert item.state == "closed" and item.closed_by == "王主任"


def test_an_extension_approved_from_the_office_page(world: World, office: tuple[TestClient, str]) -> None:
    client, csrf = office
    other = world.items["other"]
    request = world.engine.request_extension(
        other, OTHER_CLERK, new_due="2023-09-27", reason="需协调上级审批"
    )
    page = client.get("/office")
    assert (
        queue(page.text, "延期申请").startswith("<h2>延期申请 (1)")
        and "等待专项整治工作组组长审批" in page.text
    )
    early = client.post(f"/extensions/{request.id}", data={"csrf_token": csrf, "decision": "approve"})
    assert early.status_code in (403, 409) and world.engine.item(other).due.isoformat() == "2023-08-31"
    world.engine.decide_extension(request.id, TRACK_LEADER, approve=True)
    page = client.get("/office")
    assert "批准延期" in queue(page.text, "延期申请")
    page = client.post(f"/extensions/{request.id}", data={"csrf_token": csrf, "decision": "approve"})
    assert page.status_code == 200 and any("已批准" in f for f in flashes(page.text))
    assert world.engine.item(other).due.isoformat() == "2023-09-27"
    assert world.engine.extensions(KEY, item_id=other)[0].state == "approved"


def test_a_send_back_ruled_from_the_office_page(world: World, office: tuple[TestClient, str]) -> None:
    client, csrf = office
    co_item = world.items["co"]
    sent = world.engine.send_back(co_item, OTHER_CLERK, reason="not_our_duty", note="应由住建局主办")
    page = client.get("/office")
    assert "应由住建局主办" in queue(page.text, "退单裁决")
    nowhere = client.post(f"/send-backs/{sent.id}", data={"csrf_token": csrf, "decision": "reassign"})
    assert nowhere.status_code in (409, 422) and world.engine.send_backs(KEY, open_only=True)
    page = client.post(
        f"/send-backs/{sent.id}",
        data={"csrf_token": csrf, "decision": "reassign", "unit": "transport_bureau", "due": ""},
    )
    assert page.status_code == 200 and "已审定" in flashes(page.text)[0]
    assert world.engine.item(co_item).unit == "transport_bureau"
    assert world.engine.send_backs(KEY, open_only=True) == []


def test_the_ledger_filters_and_its_export_holds_only_the_filtered_rows(
    world: World, office: tuple[TestClient, str]
) -> None:
    client, _ = office
    page = client.get("/ledger", params={"state": "assigned"})
    titles = re.findall(r'<td><a href="/items/\d+">([^<]*)</a>', page.text)
    assigned = sorted(i.title for i in world.engine.items(KEY, state="assigned"))
    assert sorted(titles) == assigned and assigned
    assert "导出 Excel" in page.text and 'href="/ledger/export?state=assigned"' in page.text
    keyword = client.get("/ledger", params={"q": "窗口推诿"})
    assert re.findall(r'<td><a href="/items/\d+">([^<]*)</a>', keyword.text) == ["自然资源局窗口推诿"]
    export = client.get("/ledger/export", params={"state": "assigned"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/vnd.openxml")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(n for n, row in enumerate(rows) if "问题标题" in row)
    column = rows[header].index("问题标题")
    assert sorted(r[column] for r in rows[header + 1 :] if r[column]) == assigned
    assert f"共 {len(assigned)} 个问题" in " ".join(str(c) for row in rows[:header] for c in row if c)
    unit_client, _ = sign_in(world, "zhou")
    unit_page = unit_client.get("/ledger", params={"unit": UNIT})  # a unit sees its own only
    shown = re.findall(r'<td><a href="/items/\d+">([^<]*)</a>', unit_page.text)
    assert "自然资源局窗口推诿" in shown and "住建局审批超时" not in shown


def test_the_ledger_pages_through_its_rows(
    world: World, office: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhenggai.adapters.web import _pages_ledger

    monkeypatch.setattr(_pages_ledger, "PAGE_ROWS", 3)
    client, _ = office
    first, second = client.get("/ledger"), client.get("/ledger", params={"page": "2"})
    titles = [re.findall(r'<td><a href="/items/\d+">([^<]*)</a>', p.text) for p in (first, second)]
    assert [len(t) for t in titles] == [3, 1] and not set(titles[0]) & set(titles[1])
    assert 'href="/ledger?page=2">下一页' in first.text and 'href="/ledger?page=1">上一页' in second.text
    assert client.get("/ledger", params={"page": "后页"}).status_code == 200  # read as the first page


def test_the_dashboard_shows_the_engines_numbers(world: World, office: tuple[TestClient, str]) -> None:
    client, _ = office
    page = client.get("/dashboard")
    assert page.status_code == 200 and "<h1>五个一批</h1>" in page.text
    for tally in world.engine.five_outcomes(KEY).totals:
        assert f'<th scope="row">{tally.label}</th><td>{tally.count}</td>' in page.text
    open_items = [i for i in world.engine.items(KEY) if i.state not in ("closed", "dismissed", "merged")]
    for unit_name in {i.unit_name or "未交办" for i in open_items}:
        mine = [i for i in open_items if (i.unit_name or "未交办") == unit_name]
        cells = [sum(i.light == light for i in mine) for light in ("red", "yellow", "green")]
        row = f'<th scope="row">{unit_name}</th>' + "".join(f"<td>{n}</td>" for n in cells)
        assert row + f"<td>{len(mine)}</td>" in page.text
    assert f"在办问题 {len(open_items)} 个" in page.text


def test_reports_download_as_files_and_a_unit_gets_only_its_own(
    world: World, office: tuple[TestClient, str]
) -> None:
    client, _ = office
    page = client.get("/reports")
    assert 'href="/reports/ranking"' in page.text and 'href="/reports/ledger"' in page.text
    ranking = client.get("/reports/ranking")
    assert ranking.status_code == 200 and ranking.headers["content-type"] == "application/zip"
    unit_client, _ = sign_in(world, "zhou")
    assert 'href="/reports/ranking"' not in unit_client.get("/reports").text
    assert unit_client.get("/reports/ranking").status_code == 404
    ledger = unit_client.get("/reports/ledger")
    sheet = openpyxl.load_workbook(io.BytesIO(ledger.content)).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "县自然资源局" in text and "住建局审批超时" not in text


def test_the_custodian_records_a_callback_from_the_office_page(world: World) -> None:
    e, mine = world.engine, world.items["mine"]
    if e.item(mine).state != "closed":  # when this test runs apart from the one that closes it
        office_actor = Actor("王主任", "leading_group_office", "discipline_commission")
        if e.item(mine).state == "submitted":
            e.verify(mine, office_actor)
        e.close(mine, office_actor)
    (callback,) = e.callbacks(KEY, state="open")
    client, csrf = sign_in(world, "bao")
    page = client.get("/office")
    assert queue(page.text, "回访").startswith("<h2>回访 (1)") and "记录回访" in page.text
    no_note = client.post(f"/callbacks/{callback.id}", data={"csrf_token": csrf, "result": "unsatisfied"})
    assert no_note.status_code == 422 and e.callbacks(KEY, state="open")
    page = client.post(f"/callbacks/{callback.id}", data={"csrf_token": csrf, "result": "satisfied"})
    assert "已记录回访: 满意" in flashes(page.text)
    assert e.callbacks(KEY, item_id=mine)[0].result == "satisfied"
