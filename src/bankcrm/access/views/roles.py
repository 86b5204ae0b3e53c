"""HTML pages: the role × permission matrix."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import (
    Db,
    RoleManager,
    csrf_protect,
)
from bankcrm.access.service import roles as role_service
from bankcrm.errors import DomainError, NotFound
from bankcrm.web.forms import Rejected, no_input, submit_form
from bankcrm.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/admin/roles", response_class=HTMLResponse)
def roles_page(request: Request, db: Db, principal: RoleManager, saved: str = "") -> Response:
    """The role × permission matrix."""
    return render(
        request,
        "access/roles.html",
        {
            "roles": role_service.list_roles(db),
            "permissions": role_service.list_permissions(db),
            "saved": saved,
            "errors": {},
            "message": None,
        },
    )


@router.post("/admin/roles/{code}")
def role_update(
    request: Request, db: Db, principal: RoleManager, code: str, permissions: Annotated[list[str] | None, Form()] = None
) -> Response:
    """Replace one role's permissions."""

    def rerender(rejected: Rejected) -> Response:
        context = {
            "roles": role_service.list_roles(db),
            "permissions": role_service.list_permissions(db),
            "saved": "",
            "failed_role": code,
            **rejected.problems,
        }
        return render(request, "access/roles.html", context, status=rejected.status)

    return submit_form(
        request,
        db,
        no_input,
        lambda _: role_service.set_permissions(db, principal, code, permissions or []),
        redirect=f"/admin/roles?saved={code}",
        rerender=rerender,
        catch=(DomainError,),
        passthrough=(NotFound,),
    )
