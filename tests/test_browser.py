"""The workbench in headless Chromium (issue 18 point 4): a unit and the office run an item's
life by clicking; the wrong unit and the wrong role are refused; CSRF and session expiry are
tried; the sign-in form works from the keyboard alone; axe-core finds no serious or critical
accessibility violation on the main pages. Screenshots: ``test-artifacts/screenshots/``.

One server and one browser for the module (``tests/_browser.py``); each test opens fresh
browser contexts (no cookies shared) and signs in itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._browser import Site, axe_violations, screenshot, start
from .pages_world import PNG

#: The pages axe-core checks, and who looks at them.
AXE_PAGES = {
    "/login": None,
    "/inbox": "li",
    "/items/{mine}": "li",
    "/office": "wang",
    "/ledger": "wang",
    "/admin": "admin",
    "/admin/accounts": "admin",
    "/admin/roster": "admin",
    "/admin/calendar": "admin",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from start(tmp_path_factory.mktemp("browser"))


def flash(page: object) -> str:
    return " ".join(page.locator(".flash").all_inner_texts())  # type: ignore[attr-defined]


def test_a_unit_and_the_office_run_an_item_to_closed_by_clicking(site: Site, tmp_path: Path) -> None:
    world = site.world
    item = world.items["mine"]
    page = site.sign_in("li")
    assert page.url.endswith("/inbox")
    screenshot(page, "inbox")
    page.get_by_role("link", name="住建局审批超时").first.click()
    assert page.url.endswith(f"/items/{item}")
    page.fill("#measure-text", "规范审批流程, 压缩办理时限")
    page.fill("#measure-due", "2023-07-20")
    page.get_by_role("button", name="添加整改措施").click()
    assert "已添加整改措施" in flash(page)
    page.get_by_role("button", name="开始整改").click()
    assert "已开始整改" in flash(page)
    evidence = tmp_path / "整改照片.png"
    evidence.write_bytes(PNG)
    page.set_input_files("#upload-file", str(evidence))
    page.get_by_role("button", name="上传佐证材料").click()
    assert "已上传佐证材料「整改照片.png」" in flash(page)
    assert page.get_by_role("link", name="整改照片.png").count() == 1
    page.get_by_role("button", name="完成措施").click()
    page.get_by_role("button", name="提请验收").click()
    assert "已提请验收" in flash(page)
    assert page.get_by_role("button", name="销号").count() == 0
    screenshot(page, "item-submitted")
    assert world.engine.item(item).state == "submitted"

    office = site.sign_in("wang")
    assert office.url.endswith("/office")
    screenshot(office, "office")
    office.goto(f"{site.url}/items/{item}")
    office.get_by_role("button", name="验收通过").click()
    assert "已验收通过" in flash(office)
    office.get_by_role("button", name="销号").click()
    assert "已销号" in flash(office)
    screenshot(office, "item-closed")
    closed = world.engine.item(item)
    assert closed.state == "closed" and closed.closed_at is not None
    acts = [(e.trigger, e.actor) for e in world.engine.events(item)][-4:]
    assert [a for a, _ in acts] == ["start_rectification", "submit_for_verification", "verify", "close"][
        -len(acts) :
    ] or (acts[-1] == ("close", "王主任"))


def test_another_units_clerk_cannot_open_the_item_and_a_clerk_cannot_close(site: Site) -> None:
    world = site.world
    other = site.sign_in("zhou")
    answer = other.goto(f"{site.url}/items/{world.items['mine']}")
    assert answer is not None and answer.status == 404
    assert "住建局审批超时" not in other.content()
    screenshot(other, "other-unit-404")

    item = world.items["other"]
    before = world.engine.item(item)
    other.goto(f"{site.url}/items/{item}")
    assert other.get_by_role("button", name="销号").count() == 0
    status = other.evaluate(
        """async ([item, version]) => {
            const token = document.querySelector('input[name=csrf_token]').value;
            const body = new URLSearchParams({csrf_token: token, trigger: 'close', version: String(version)});
            const answer = await fetch(`/items/${item}/fire`, {method: 'POST', body});
            return answer.status;
        }""",
        [item, before.version],
    )
    assert status in (403, 409)
    after = world.engine.item(item)
    assert (after.state, after.version) == (before.state, before.version)


def test_csrf_a_form_from_another_origin_or_without_its_token_is_refused(site: Site) -> None:
    world = site.world
    item = world.items["other"]
    before = len(world.engine.measures(item))
    page = site.sign_in("zhou")
    evil = f"http://127.0.0.1:{site.served.port + 1}/evil.html"
    page.context.route(
        evil,
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8",
            body=(
                f'<form id="f" method="post" action="{site.url}/items/{item}/measures">'
                '<input name="text" value="伪造的措施"></form><script>document.getElementById("f").submit()</script>'
            ),
        ),
    )
    page.goto(evil)
    page.wait_for_url(f"{site.url}/items/{item}/measures")
    assert "操作未完成" in page.content()
    screenshot(page, "csrf-refused")

    page.goto(f"{site.url}/items/{item}")
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    page.fill("#measure-text", "去掉令牌的措施")
    page.get_by_role("button", name="添加整改措施").click()
    assert "操作未完成" in page.content()
    assert len(world.engine.measures(item)) == before


def test_an_idle_session_expires_and_the_next_click_lands_on_the_sign_in_page(site: Site) -> None:
    page = site.sign_in("li")
    assert page.url.endswith("/inbox")
    site.world.clock.advance(dt.timedelta(minutes=31))
    page.get_by_role("link", name="整改台账").click()
    assert "/login" in page.url and "next=" in page.url
    assert "登录已过期" in page.content()
    screenshot(page, "login-expired")


def test_the_sign_in_form_works_with_tab_and_enter_only(site: Site) -> None:
    page = site.page()
    page.goto(f"{site.url}/login")
    focused = []
    for _ in range(6):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
        if focused[-1] == "username":
            break
    assert focused[-1] == "username", focused
    page.keyboard.type("li")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(site.world.passwords["li"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/inbox")
    assert page.get_by_role("heading", name="我的待办").count() == 1


def test_axe_finds_no_serious_or_critical_violation_on_the_main_pages(site: Site) -> None:
    pages = {
        None: site.page(),
        "li": site.sign_in("li"),
        "wang": site.sign_in("wang"),
        "admin": site.sign_in("admin"),
    }
    found = {}
    for path, who in AXE_PAGES.items():
        page = pages[who]
        page.goto(site.url + path.format(mine=site.world.items["mine"]))
        assert "/login" not in page.url or who is None, page.url
        screenshot(page, "axe" + path.replace("/", "-").replace("{mine}", "item"))
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}, found
