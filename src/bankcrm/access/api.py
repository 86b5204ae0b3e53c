"""JSON API: tokens, the caller, org units, users, roles and permissions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, status

from bankcrm.access import schemas
from bankcrm.access.deps import ApiOrgManager as OrgManager
from bankcrm.access.deps import ApiOrgReader as OrgReader
from bankcrm.access.deps import ApiRoleManager as RoleManager
from bankcrm.access.deps import ApiUserManager as UserManager
from bankcrm.access.deps import ApiUserReader as UserReader
from bankcrm.access.deps import (
    AppSettings,
    CsrfFailed,
    Db,
    EntityId,
    api_principal,
    client_ip,
    cross_site_write,
    oauth2_scheme,
)
from bankcrm.access.principal import Principal
from bankcrm.access.service import auth as auth_service
from bankcrm.access.service import roles as role_service
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.kit.pagination import MAX_PAGE
from bankcrm.web import lists

router = APIRouter()
Caller = Annotated[Principal, Depends(api_principal)]


@router.post("/auth/token", response_model=schemas.TokenResponse, tags=["auth"])
def issue_token(
    request: Request,
    db: Db,
    settings: AppSettings,
    # The OAuth2 password grant's fields; an empty form value counts as missing, so the schema says so.
    username: Annotated[str, Form(min_length=1)],
    password: Annotated[str, Form(min_length=1)],
    grant_type: Annotated[str, Form(pattern="^password$")] = "password",
) -> schemas.TokenResponse:
    """OAuth2 password flow: exchange a user name and password for a bearer token."""
    if cross_site_write(request):  # a page on another site cannot sign in with a password it holds
        raise CsrfFailed()
    user = auth_service.authenticate(db, settings, username, password, client_ip(request))
    token, lifetime = auth_service.issue_token(db, settings, user, client_ip(request))
    return schemas.TokenResponse(access_token=token, expires_in=lifetime)


@router.post("/auth/revoke", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"])
def revoke_token(db: Db, caller: Caller, token: Annotated[str | None, Depends(oauth2_scheme)]) -> None:
    """Revoke the token this request was made with."""
    if token:
        auth_service.revoke_token(db, token, caller)


@router.get("/me", response_model=schemas.MeRead, tags=["auth"])
def me(caller: Caller) -> schemas.MeRead:
    """Who the token belongs to, with roles, permissions and data scope."""
    assert caller.user_id is not None
    return schemas.MeRead(
        user_id=caller.user_id,
        username=caller.username,
        display_name=caller.display_name,
        unit_id=caller.unit_id,
        roles=list(caller.roles),
        permissions=sorted(caller.permissions),
        data_scope=caller.data_scope,
    )


@router.get("/org-units", response_model=list[schemas.OrgUnitRead], tags=["org"])
def list_units(
    db: Db,
    caller: OrgReader,
    q: str | None = None,
    sort: Annotated[
        str | None, Query(max_length=200, description="code, kind, active, path, name_en, name_zh; '-' descending")
    ] = None,
) -> list[schemas.OrgUnitRead]:
    """Org units in the caller's data scope, in tree order unless ``sort`` says otherwise (ties by code)."""
    order = lists.sort_of(schemas.ORG_UNIT_LIST, sort)
    return [schemas.OrgUnitRead.model_validate(u) for u in unit_service.list_units(db, caller, q, order)]


@router.post("/org-units", response_model=schemas.OrgUnitRead, status_code=201, tags=["org"])
def create_unit(db: Db, caller: OrgManager, body: schemas.OrgUnitCreate) -> schemas.OrgUnitRead:
    """Add an org unit below a parent."""
    return schemas.OrgUnitRead.model_validate(unit_service.create_unit(db, caller, body))


@router.get("/org-units/{unit_id}", response_model=schemas.OrgUnitRead, tags=["org"])
def get_unit(db: Db, caller: OrgReader, unit_id: EntityId) -> schemas.OrgUnitRead:
    """One org unit."""
    return schemas.OrgUnitRead.model_validate(unit_service.get_unit(db, caller, unit_id))


@router.patch("/org-units/{unit_id}", response_model=schemas.OrgUnitRead, tags=["org"])
def update_unit(db: Db, caller: OrgManager, unit_id: EntityId, body: schemas.OrgUnitUpdate) -> schemas.OrgUnitRead:
    """Rename or (de)activate an org unit."""
    return schemas.OrgUnitRead.model_validate(unit_service.update_unit(db, caller, unit_id, body))


@router.get("/users", response_model=schemas.UserPage, tags=["users"])
def list_users(
    db: Db,
    caller: UserReader,
    q: str | None = None,
    unit_id: EntityId | None = None,
    role: str | None = None,
    active: bool | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
    sort: Annotated[
        str | None,
        Query(max_length=200, description="username, display_name, org_unit, active, last_login_at; '-' descending"),
    ] = None,
) -> schemas.UserPage:
    """Users in the caller's data scope, by user name unless ``sort`` says otherwise."""
    spec = schemas.USER_LIST
    result = user_service.list_users(
        db,
        caller,
        lists.page_of(spec, page, size),
        q=q,
        unit_id=unit_id,
        role=role,
        active=active,
        sort=lists.sort_of(spec, sort),
    )
    return schemas.UserPage.of(result, [user_service.to_read(u) for u in result.items])


@router.post("/users", response_model=schemas.UserRead, status_code=201, tags=["users"])
def create_user(db: Db, caller: UserManager, body: schemas.UserCreate) -> schemas.UserRead:
    """Add a user; the password must meet the policy."""
    return user_service.to_read(user_service.create_user(db, caller, body))


@router.get("/users/{user_id}", response_model=schemas.UserRead, tags=["users"])
def get_user(db: Db, caller: UserReader, user_id: EntityId) -> schemas.UserRead:
    """One user."""
    return user_service.to_read(user_service.get_user(db, caller, user_id))


@router.patch("/users/{user_id}", response_model=schemas.UserRead, tags=["users"])
def update_user(db: Db, caller: UserManager, user_id: EntityId, body: schemas.UserUpdate) -> schemas.UserRead:
    """Change a user's display name or unit."""
    return user_service.to_read(user_service.update_user(db, caller, user_id, body))


@router.post("/users/{user_id}/disable", response_model=schemas.UserRead, tags=["users"])
def disable_user(db: Db, caller: UserManager, user_id: EntityId) -> schemas.UserRead:
    """Disable a user; their sessions and tokens end at once."""
    return user_service.to_read(user_service.disable_user(db, caller, user_id))


@router.post("/users/{user_id}/enable", response_model=schemas.UserRead, tags=["users"])
def enable_user(db: Db, caller: UserManager, user_id: EntityId) -> schemas.UserRead:
    """Enable a user and clear a lockout."""
    return user_service.to_read(user_service.enable_user(db, caller, user_id))


@router.post("/users/{user_id}/reset-password", response_model=schemas.UserRead, tags=["users"])
def reset_password(db: Db, caller: UserManager, user_id: EntityId, body: schemas.PasswordReset) -> schemas.UserRead:
    """Set a new password; the user's sessions and tokens end."""
    return user_service.to_read(user_service.reset_password(db, caller, user_id, body.new_password))


@router.put("/users/{user_id}/roles", response_model=schemas.UserRead, tags=["users"])
def assign_roles(db: Db, caller: UserManager, user_id: EntityId, body: schemas.RolesAssign) -> schemas.UserRead:
    """Replace a user's roles."""
    return user_service.to_read(user_service.assign_roles(db, caller, user_id, body.roles))


@router.get("/roles", response_model=list[schemas.RoleRead], tags=["roles"])
def list_roles(db: Db, caller: UserReader) -> list[schemas.RoleRead]:
    """Roles with their data scope and permissions."""
    return [role_service.to_read(r) for r in role_service.list_roles(db)]


@router.get("/permissions", response_model=list[schemas.PermissionRead], tags=["roles"])
def list_permissions(db: Db, caller: UserReader) -> list[schemas.PermissionRead]:
    """All permissions."""
    return [schemas.PermissionRead.model_validate(p) for p in role_service.list_permissions(db)]


@router.put("/roles/{code}/permissions", response_model=schemas.RoleRead, tags=["roles"])
def set_role_permissions(
    db: Db, caller: RoleManager, code: str, body: schemas.RolePermissionsUpdate
) -> schemas.RoleRead:
    """Replace the permissions a role grants."""
    return role_service.to_read(role_service.set_permissions(db, caller, code, body.permissions))
