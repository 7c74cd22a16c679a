"""The operator's roster page (``/admin/roster``): the campaign's contacts by unit, who has
nobody to receive messages, and adding, changing and removing a contact.

The engine lets only a role of the definition's ``manage_contacts`` change the roster; the
operator (not a definition role) acts there in such a role its account also holds (e.g.
领导小组办公室, granted with the account: :func:`._admin_common.roster_role`). Without one the
roster is shown read-only. Addresses are masked in the list (as ``zhenggai contact list``: it is
what ends up in screenshots), shown whole on a contact's own page, to change them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel
from starlette.responses import Response
from zhenggai.engine import ContactNotFound, ContactView, NewContact, ZhenggaiError

from .._contacts import CHANNEL_LABELS, PLAIN_ROLE, mask_email, mask_mobile, unreachable_lines
from ._admin_common import Flash, Operator, admin_labels, refusal, render_admin, roster_actor, roster_role
from ._auth import Web
from ._context import WebContext
from ._principal import Principal

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The fields the contact forms carry besides channels: those a contact must have, then the
#: optional ones (empty: none).
REQUIRED = ("unit", "name", "role")
OPTIONAL = ("mobile", "email", "wecom_id", "dingtalk_id", "track")
FIELDS = REQUIRED + OPTIONAL


def _choices(web: WebContext) -> dict[str, Any]:
    labels = admin_labels(web)
    roles = {
        PLAIN_ROLE[0]: PLAIN_ROLE[1],
        **{k: v for k, v in labels.roles.items() if k not in ("system", "operator")},
    }
    return {
        "unit_choices": labels.units,
        "role_choices": roles,
        "track_choices": labels.tracks,
        "channel_choices": CHANNEL_LABELS,
    }


def _row(contact: ContactView, choices: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "role": choices["role_choices"].get(contact.role, contact.role),
        "mobile": mask_mobile(contact.mobile),
        "email": mask_email(contact.email),
        "channels": "、".join(CHANNEL_LABELS.get(c, c) for c in contact.channels),
        "track": choices["track_choices"].get(contact.track, contact.track) if contact.track else "",
    }


def _roster_page(
    request: Request,
    principal: Principal,
    web: WebContext,
    *,
    flashes: Sequence[Flash] = (),
    status_code: int = 200,
    form: Mapping[str, Any] | None = None,
) -> Response:
    choices = _choices(web)
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for contact in web.engine.contacts(web.campaign):
        by_unit.setdefault(contact.unit_name, []).append(_row(contact, choices))
    role = roster_role(web, principal)
    return render_admin(
        request,
        "admin_roster.html",
        principal,
        title="通讯录",
        flashes=flashes,
        status_code=status_code,
        by_unit=by_unit,
        unreachable=unreachable_lines(web.engine.unreachable(web.campaign), hint=False),
        acting_role=choices["role_choices"].get(role, "") if role else None,
        form=form or {"role": PLAIN_ROLE[0], "channels": []},
        **choices,
    )


def _contact_page(
    request: Request,
    principal: Principal,
    web: WebContext,
    contact: ContactView,
    *,
    flashes: Sequence[Flash] = (),
    status_code: int = 200,
    form: Mapping[str, Any] | None = None,
) -> Response:
    current = {field: getattr(contact, field) or "" for field in FIELDS} | {
        "channels": list(contact.channels)
    }
    return render_admin(
        request,
        "admin_contact.html",
        principal,
        title=f"联系人 {contact.name}",
        flashes=flashes,
        status_code=status_code,
        contact=contact,
        form=form or current,
        editable=roster_role(web, principal) is not None,
        **_choices(web),
    )


def _own(web: WebContext, contact_id: int) -> ContactView:
    contact = web.engine.contact(contact_id)
    if contact.campaign != web.campaign:
        raise ContactNotFound(contact_id)
    return contact


class ContactForm(BaseModel):
    """What the add and change forms of a contact carry (all text; empty: not given)."""

    unit: str = ""
    name: str = ""
    role: str = ""
    mobile: str = ""
    email: str = ""
    wecom_id: str = ""
    dingtalk_id: str = ""
    track: str = ""
    channels: list[str] = []

    def shown(self) -> dict[str, Any]:
        """The form as it is shown again (a refused one keeps what was typed)."""
        return self.model_dump() | {"role": self.role or PLAIN_ROLE[0]}


Posted = Annotated[ContactForm, Form()]


def _value(form: Mapping[str, Any], field: str) -> str | None:
    """A form's field as the engine takes it: stripped; an optional one empty is None."""
    text = str(form[field]).strip()
    return text if field in REQUIRED else text or None


@router.get("/admin/roster")
def roster_page(request: Request, principal: Operator, web: Web) -> Response:
    return _roster_page(request, principal, web)


@router.post("/admin/roster")
def add_contact(request: Request, principal: Operator, web: Web, posted: Posted) -> Response:
    form = posted.shown()
    try:
        contact = web.engine.add_contact(
            web.campaign,
            roster_actor(web, principal),
            NewContact(**{f: _value(form, f) for f in FIELDS}, channels=tuple(form["channels"])),  # type: ignore[arg-type]
        )
    except ZhenggaiError as err:
        return _roster_page(
            request, principal, web, flashes=[("error", refusal(err))], status_code=422, form=form
        )
    return _roster_page(
        request, principal, web, flashes=[("ok", f"已添加联系人 {contact.name} ({contact.unit_name})")]
    )


@router.get("/admin/roster/{contact_id}")
def contact_page(request: Request, contact_id: int, principal: Operator, web: Web) -> Response:
    return _contact_page(request, principal, web, _own(web, contact_id))


@router.post("/admin/roster/{contact_id}")
def update_contact(
    request: Request, contact_id: int, principal: Operator, web: Web, posted: Posted
) -> Response:
    contact = _own(web, contact_id)
    form = posted.shown()
    changes: dict[str, object] = {}
    for field in FIELDS:
        given = _value(form, field)
        if given != getattr(contact, field):
            changes[field] = given
    if tuple(form["channels"]) != contact.channels:
        changes["channels"] = tuple(form["channels"])
    if not changes:
        return _contact_page(request, principal, web, contact, flashes=[("ok", "没有修改任何项")])
    try:
        contact = web.engine.update_contact(contact_id, roster_actor(web, principal), **changes)
    except ZhenggaiError as err:
        return _contact_page(
            request, principal, web, contact, flashes=[("error", refusal(err))], status_code=422, form=form
        )
    return _contact_page(request, principal, web, contact, flashes=[("ok", f"已修改联系人 {contact.name}")])


@router.post("/admin/roster/{contact_id}/remove")
def remove_contact(request: Request, contact_id: int, principal: Operator, web: Web) -> Response:
    contact = _own(web, contact_id)
    try:
        web.engine.remove_contact(contact_id, roster_actor(web, principal))
    except ZhenggaiError as err:
        return _contact_page(
            request, principal, web, contact, flashes=[("error", refusal(err))], status_code=403
        )
    return _roster_page(
        request, principal, web, flashes=[("ok", f"已移除联系人 {contact.name} ({contact.unit_name})")]
    )
