"""HTML pages: the role × permission matrix."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import (
    Db,
    csrf_protect,
    require_web,
)
from bankcrm.access.principal import Principal
from bankcrm.access.service import roles as role_service
from bankcrm.errors import DomainError
from bankcrm.web.errors import form_errors
from bankcrm.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

RoleManager = Annotated[Principal, Depends(require_web("role.manage"))]


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
    try:
        with db.begin_nested():
            role_service.set_permissions(db, principal, code, permissions or [])
    except DomainError as exc:
        if exc.status == 404:
            raise
        return render(
            request,
            "access/roles.html",
            {
                "roles": role_service.list_roles(db),
                "permissions": role_service.list_permissions(db),
                "saved": "",
                "failed_role": code,
                **form_errors(request, exc),
            },
            status=exc.status,
        )
    return RedirectResponse(f"/admin/roles?saved={code}", status_code=303)
