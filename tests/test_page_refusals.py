"""Every POST route of the pages is refused to the wrong person (issue 18, "done when"): a table
of form bodies keyed by route path (it must cover every POST route of the app but /login and
the API). Unit B's clerk (with a valid CSRF token, so the refusal is about role and unit) and a
signed-in 宣传 account get a 403/404 page with a Chinese reason and nothing changes; without a
session every route redirects to /login, and with a wrong csrf_token it answers 403."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from zhenggai.adapters.web import WebSettings, create_app
from zhenggai.engine import Actor, NewAccount, NewContact, Reporter

from .pages_world import KEY, OFFICE, OTHER, PNG, UNIT, World, build, fingerprint, report, run_to, sign_in

CLERK = Actor("李科员", "responsible", UNIT)
OTHER_CLERK = Actor("周科员", "responsible", OTHER)
#: Routes any signed-in person may post for itself (its own session): only the session checks apply.
OWN_SESSION = frozenset({"/logout", "/role"})

FORMS: dict[str, tuple[dict[str, str], bool]] = {
    "/logout": ({}, False),
    "/role": ({"role": "responsible"}, False),
    "/items/{item_id}/fire": ({"trigger": "start_rectification"}, False),
    "/items/{item_id}/measures": ({"text": "越权措施"}, False),
    "/items/{item_id}/measures/{measure_id}/done": ({}, False),
    "/items/{item_id}/attachments": ({"subject": "measure:{measure_id}"}, True),
    "/items/{item_id}/extension": ({"new_due": "2023-10-20", "reason": "需协调", "progress": "过半"}, False),
    "/items/{item_id}/send-back": ({"reason": "not_our_duty"}, False),
    "/items/{item_id}/parts/{part_id}/measures": ({"text": "越权分工措施"}, False),
    "/items/{item_id}/parts/{part_id}/done": ({"note": "已完成"}, False),
    "/extensions/{request_id}": ({"decision": "approve"}, False),
    "/send-backs/{send_back_id}": ({"decision": "insist"}, False),
    "/callbacks/{callback_id}": ({"result": "satisfied"}, False),
    "/duplicates/{flag_id}": ({"decision": "distinct"}, False),
    "/admin/roster": ({"unit": UNIT, "name": "越权联络员", "role": "contact", "email": "x@x.gov.cn"}, False),
    "/admin/roster/{contact_id}": (
        {"unit": UNIT, "name": "改名", "role": "contact", "email": "y@x.gov.cn"},
        False,
    ),
    "/admin/roster/{contact_id}/remove": ({}, False),
    "/admin/accounts": ({"username": "evil", "display_name": "越权", "roles": "operator", "unit": ""}, False),
    "/admin/accounts/{username}/disable": ({}, False),
    "/admin/accounts/{username}/enable": ({}, False),
    "/admin/accounts/{username}/reset": ({}, False),
    "/admin/tokens": ({"name": "越权令牌", "roles": "leading_group_office"}, False),
    "/admin/tokens/{token_id}/revoke": ({}, False),
    "/admin/calendar": ({"replace": "1"}, True),
    "/admin/outbox/retry": ({}, False),
    "/admin/outbox/{outbox_id}/retry": ({}, False),
}


def post_routes(app: Any) -> set[str]:
    """The app's POST routes, walking included routers, but /login and the API."""
    found: set[str] = set()

    def walk(routes: Any, prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router: its prefix, its routes
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif "POST" in (getattr(route, "methods", None) or ()):
                found.add(prefix + route.path)

    walk(app.routes, "")
    return {p for p in found if not p.startswith("/api/") and p != "/login"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = build(tmp_path_factory.mktemp("page_refusals"))
    e, ids = world.engine, world.items
    _, world.passwords["xuan"] = world.accounts.add(KEY, NewAccount("xuan", "宣科员", ("publicity",), None))
    ids["measure"] = e.add_measure(ids["mine"], CLERK, text="压缩审批时限").id
    ids["rectifying"] = report(e, "住建局整改中")
    e.assign(ids["rectifying"], OFFICE, unit=UNIT, due="2023-08-31")
    e.add_measure(ids["rectifying"], CLERK, text="整改措施")
    e.start_rectification(ids["rectifying"], CLERK)
    ids["extension"] = e.request_extension(ids["rectifying"], CLERK, new_due="2023-10-20", reason="需协调").id
    ids["sent_back"] = report(e, "住建局退单")
    e.assign(ids["sent_back"], OFFICE, unit=UNIT, due="2023-08-31")
    ids["send_back"] = e.send_back(ids["sent_back"], CLERK, reason="not_our_duty").id
    ids["closed"] = report(e, "住建局已销号", reporter=Reporter(name="钱举报人", phone="13800000000"))
    e.assign(ids["closed"], OFFICE, unit=UNIT, due="2023-08-31")
    run_to(e, ids["closed"], CLERK, "closed")
    ids["callback"] = e.callbacks(KEY, item_id=ids["closed"])[0].id
    ids["part"] = e.parts(KEY, item_id=ids["co"])[0].id
    contact = NewContact(unit=UNIT, name="住建局联络员", role="contact", email="c@x.gov.cn")
    ids["contact"] = e.add_contact(KEY, OFFICE, contact).id
    ids["token"] = world.accounts.issue_token(KEY, "住建局OA", ["responsible"], [UNIT])[0].id
    ids["outbox"] = e.outbox(KEY)[0].id
    yield world
    world.engine.dispose()


def path_of(template: str, world: World) -> str:
    ids = world.items
    return template.format(
        item_id=ids["closed"] if "callback" in template else ids["mine"],
        measure_id=ids["measure"],
        part_id=ids["part"],
        request_id=ids["extension"],
        send_back_id=ids["send_back"],
        callback_id=ids["callback"],
        flag_id=ids["mine"],
        contact_id=ids["contact"],
        username="li",
        token_id=ids["token"],
        outbox_id=ids["outbox"],
    ).replace(f"/items/{ids['mine']}/parts", f"/items/{ids['co']}/parts")


def send(client: TestClient, world: World, template: str, csrf: str | None) -> Any:
    form, has_file = FORMS[template]
    data = {k: v.format(measure_id=world.items["measure"]) for k, v in form.items()}
    if csrf is not None:
        data["csrf_token"] = csrf
    files = {"file": ("整改照片.png", PNG, "image/png")} if has_file else None
    return client.post(path_of(template, world), data=data, files=files, follow_redirects=False)


def test_the_table_covers_every_post_route(world: World) -> None:
    routes = post_routes(create_app(world.engine, WebSettings(KEY)))
    assert not routes - FORMS.keys(), f"POST routes without a refusal row: {sorted(routes - FORMS.keys())}"
    assert not FORMS.keys() - routes, f"rows for routes no longer there: {sorted(FORMS.keys() - routes)}"


@pytest.mark.parametrize("username", ["zhou", "xuan"])
def test_the_wrong_people_are_refused_and_nothing_changes(world: World, username: str) -> None:
    client, csrf = sign_in(world, username)
    for template in sorted(FORMS.keys() - OWN_SESSION):
        before = fingerprint(world.engine)
        answer = send(client, world, template, csrf)
        assert answer.status_code in {403, 404}, (
            f"{username} {template}: {answer.status_code} {answer.text[:300]}"
        )
        assert "无权" in answer.text or "不存在" in answer.text or "仅" in answer.text, (
            template,
            answer.text,
        )
        assert fingerprint(world.engine) == before, f"{username} {template} changed something"


def test_without_a_session_every_route_redirects_to_login(world: World) -> None:
    client = TestClient(create_app(world.engine, WebSettings(KEY)))
    before = fingerprint(world.engine)
    for template in sorted(FORMS):
        answer = send(client, world, template, "x" * 43)
        assert answer.status_code in {302, 303, 307}, (template, answer.status_code)
        assert answer.headers["location"].startswith("/login"), template
    assert fingerprint(world.engine) == before


def test_a_wrong_csrf_token_is_refused_on_every_route(world: World) -> None:
    client, _ = sign_in(world, "wang")
    before = fingerprint(world.engine)
    for template in sorted(FORMS):
        for csrf in (None, "x" * 43):
            answer = send(client, world, template, csrf)
            assert answer.status_code == 403 and "CSRF" in answer.text, (template, answer.status_code)
    assert fingerprint(world.engine) == before
