"""A unit's pages (issue 18, 3): the inbox and the item page as a responsible unit's clerk sees
and uses them, through a TestClient signed in with a session (CSRF on every form)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from zhenggai.adapters.web import WebSettings, create_app

from .pages_world import KEY, OFFICE, REPORTER_NAME, UNIT, World, build, flashes, png_file, sign_in


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = build(tmp_path_factory.mktemp("pages_unit"))
    yield world
    world.engine.dispose()


@pytest.fixture(scope="module")
def clerk(world: World) -> tuple[TestClient, str]:
    return sign_in(world, "li")


def section(html: str, heading: str) -> str:
    """The page's text from ``heading`` to the next ``<h2``."""
    start = html.index(heading)
    end = html.find("<h2", start + 1)
    return html[start : end if end > 0 else None]


def test_the_inbox_lists_the_units_items_waiting_first_and_not_another_units(
    world: World, clerk: tuple[TestClient, str]
) -> None:
    client, _ = clerk
    page = client.get("/inbox")
    assert page.status_code == 200 and "<h1>我的待办</h1>" in page.text
    waiting = section(page.text, "等待本单位办理 (")
    assert "住建局审批超时" in waiting and "开始整改" in waiting and "绿灯" in waiting
    assert "2023年8月31日(星期四)" in waiting
    assert "联合整治项目" in waiting and "协办" in waiting and "完成协办分工" in waiting
    assert f'href="/items/{world.items["mine"]}"' in waiting
    assert "自然资源局窗口推诿" not in page.text and "待交办的问题" not in page.text
    filtered = client.get("/inbox", params={"state": "closed"})
    assert "住建局审批超时" not in filtered.text and "暂无等待本单位办理的问题" in filtered.text
    red = client.get("/inbox", params={"light": "red"})
    assert "住建局审批超时" not in red.text


def test_another_units_item_is_not_found_and_its_forms_change_nothing(
    world: World, clerk: tuple[TestClient, str]
) -> None:
    client, csrf = clerk
    other = world.items["other"]
    page = client.get(f"/items/{other}")
    assert page.status_code == 404 and "自然资源局窗口推诿" not in page.text
    before = world.engine.item(other)
    posted = client.post(f"/items/{other}/measures", data={"csrf_token": csrf, "text": "越权措施"})
    assert posted.status_code == 404 and world.engine.measures(other) == []
    posted = client.post(f"/items/{other}/fire", data={"csrf_token": csrf, "trigger": "send_back"})
    assert posted.status_code == 404 and world.engine.item(other).version == before.version
    assert client.get(f"/items/{world.items['new']}").status_code == 404  # not assigned to anyone


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    world: World, clerk: tuple[TestClient, str]
) -> None:
    client, _ = clerk
    mine = world.items["mine"]
    version = world.engine.item(mine).version
    for data in ({"text": "伪造的措施"}, {"text": "伪造的措施", "csrf_token": "x" * 43}):
        posted = client.post(f"/items/{mine}/measures", data=data)
        assert posted.status_code == 403 and "CSRF" in posted.text
    assert world.engine.measures(mine) == [] and world.engine.item(mine).version == version


def test_a_refused_action_shows_the_chinese_reason_and_changes_nothing(
    world: World, clerk: tuple[TestClient, str]
) -> None:
    client, csrf = clerk
    mine = world.items["mine"]
    version = world.engine.item(mine).version
    posted = client.post(f"/items/{mine}/fire", data={"csrf_token": csrf, "trigger": "start_rectification"})
    assert posted.status_code == 409
    assert any("至少有一项整改措施" in text for text in flashes(posted.text))
    empty = client.post(f"/items/{mine}/measures", data={"csrf_token": csrf, "text": "  "})
    assert empty.status_code == 422 and "输入无效: 措施内容: 不能为空" in flashes(empty.text)
    closing = client.post(f"/items/{mine}/fire", data={"csrf_token": csrf, "trigger": "close"})
    assert closing.status_code == 409 or closing.status_code == 403
    item = world.engine.item(mine)
    assert item.state == "assigned" and item.version == version and world.engine.measures(mine) == []


def test_the_unit_runs_its_item_from_assigned_to_submitted_through_the_forms(
    world: World, clerk: tuple[TestClient, str]
) -> None:
    client, csrf = clerk
    mine = world.items["mine"]
    page = client.post(
        f"/items/{mine}/measures", data={"csrf_token": csrf, "text": "规范审批流程", "due": "2023-07-20"}
    )
    assert page.status_code == 200 and "已添加整改措施" in flashes(page.text)
    (measure,) = world.engine.measures(mine)
    assert (
        measure.text == "规范审批流程" and measure.due is not None and measure.due.isoformat() == "2023-07-20"
    )
    assert measure.created_by == "李科员"  # the session's account, not anything in the form
    page = client.post(
        f"/items/{mine}/fire",
        data={
            "csrf_token": csrf,
            "trigger": "start_rectification",
            "version": str(world.engine.item(mine).version),
        },
    )
    assert "已开始整改: 问题现为「整改中」" in flashes(page.text)
    assert world.engine.item(mine).state == "rectifying"
    page = client.post(
        f"/items/{mine}/attachments",
        data={"csrf_token": csrf, "subject": f"measure:{measure.id}"},
        files={"file": png_file()},
    )
    assert "已上传佐证材料「整改照片.png」" in flashes(page.text)
    (file,) = world.engine.attachments(mine, OFFICE)
    assert (file.subject_kind, file.subject_id, file.kind) == ("measure", measure.id, "png")
    bad = client.post(
        f"/items/{mine}/attachments",
        data={"csrf_token": csrf, "subject": f"measure:{measure.id}"},
        files={"file": ("假图片.png", b"not a picture", "image/png")},
    )
    assert bad.status_code == 422 and "不予接收" in bad.text
    assert len(world.engine.attachments(mine, OFFICE)) == 1
    download = client.get(f"/attachments/{file.id}")
    assert download.status_code == 200 and download.content.startswith(b"\x89PNG")
    early = client.post(
        f"/items/{mine}/fire", data={"csrf_token": csrf, "trigger": "submit_for_verification"}
    )
    assert early.status_code == 409 and "整改措施未完成" in early.text
    client.post(f"/items/{mine}/measures/{measure.id}/done", data={"csrf_token": csrf})
    assert world.engine.measures(mine)[0].done_at is not None
    page = client.post(f"/items/{mine}/fire", data={"csrf_token": csrf, "trigger": "submit_for_verification"})
    assert "已提请验收: 问题现为「待验收」" in flashes(page.text)
    item = world.engine.item(mine)
    assert item.state == "submitted"
    triggers = [(e.trigger, e.actor, e.role, e.unit) for e in world.engine.events(mine)][-2:]
    assert triggers[-1] == ("submit_for_verification", "李科员", "responsible", UNIT)
    history = section(client.get(f"/items/{mine}").text, "办理记录")
    assert "提请验收" in history and "整改中 → 待验收" in history and "李科员 (责任单位, 县住建局)" in history
    verify = client.post(f"/items/{mine}/fire", data={"csrf_token": csrf, "trigger": "verify"})
    assert verify.status_code == 403 and world.engine.item(mine).state == "submitted"


def test_the_co_unit_reports_its_part_done_from_the_item_page(
    world: World, clerk: tuple[TestClient, str]
) -> None:
    client, csrf = clerk
    co = world.items["co"]
    page = client.get(f"/items/{co}")
    assert page.status_code == 200 and "核实住建审批材料" in page.text and "完成协办分工" in page.text
    assert 'value="start_rectification"' not in page.text  # the lead unit's step, not the co-unit's
    (part,) = world.engine.parts(KEY, item_id=co)
    page = client.post(
        f"/items/{co}/parts/{part.id}/measures", data={"csrf_token": csrf, "text": "调取审批档案", "due": ""}
    )
    assert "已添加协办措施" in flashes(page.text)
    assert [m.text for m in world.engine.measures(co)] == ["调取审批档案"]
    page = client.post(f"/items/{co}/parts/{part.id}/done", data={"csrf_token": csrf, "note": "材料已核实"})
    assert "已完成协办分工" in flashes(page.text)
    assert world.engine.parts(KEY, item_id=co)[0].state == "done"


def test_the_reporter_is_on_no_page_the_unit_can_open(world: World, clerk: tuple[TestClient, str]) -> None:
    client, _ = clerk
    mine = world.items["mine"]
    pages = [client.get(path) for path in ("/inbox", f"/items/{mine}", f"/items/{world.items['co']}")]
    assert all(p.status_code == 200 and REPORTER_NAME not in p.text for p in pages)
    refused = client.get(f"/items/{mine}/reporter")
    assert refused.status_code == 403 and REPORTER_NAME not in refused.text
    custodian, _ = sign_in(world, "bao", f"/items/{mine}")
    page = custodian.get(f"/items/{mine}/reporter")
    assert page.status_code == 200 and REPORTER_NAME in page.text
    assert [e.trigger for e in world.engine.events(mine)][-1] == "read_reporter"


def test_pages_without_a_session_send_to_the_sign_in_page(world: World) -> None:
    client = TestClient(create_app(world.engine, WebSettings(KEY)))
    page = client.get(f"/items/{world.items['mine']}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/items/")
    posted = client.post(f"/items/{world.items['mine']}/measures", data={"text": "x"}, follow_redirects=False)
    assert posted.status_code == 303 and world.engine.measures(world.items["other"]) == []
