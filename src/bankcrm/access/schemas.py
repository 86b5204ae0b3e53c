"""Request and response shapes for org units, users, roles and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from bankcrm.kit.i18n import N_
from bankcrm.kit.ids import RowId
from bankcrm.kit.listing import Column, ExportColumn, Filter, ListSpec, Page


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


# Case is normalised before the pattern is checked, so "bj-01" is accepted as "BJ-01".
# (The constraint comes first so that it is kept in the published JSON schema.)
UnitCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{1,19}$"), BeforeValidator(_upper)]
Username = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9._-]{1,39}$"), BeforeValidator(_lower)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
# Role and permission codes as input: each as long as the code column, and a bounded list of them.
CodeIn = Annotated[str, StringConstraints(max_length=40)]
RoleCodes = Annotated[list[CodeIn], Field(min_length=1, max_length=20)]
PermissionCodes = Annotated[list[CodeIn], Field(max_length=200)]


class OrgUnitCreate(BaseModel):
    """A new unit under an existing parent."""

    code: UnitCode
    name_en: Name
    name_zh: Name
    kind_code: str
    parent_id: RowId


class OrgUnitUpdate(BaseModel):
    """Changes to a unit; omitted fields stay as they are."""

    name_en: Name | None = None
    name_zh: Name | None = None
    active: bool | None = None


class OrgUnitRead(BaseModel):
    """A unit as shown to API clients."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_en: str
    name_zh: str
    kind_code: str
    parent_id: int | None
    path: str
    active: bool


class UserCreate(BaseModel):
    """A new member of staff."""

    username: Username
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    org_unit_id: RowId
    password: Annotated[str, Field(min_length=1, max_length=200)]
    roles: RoleCodes


class UserUpdate(BaseModel):
    """Changes to a user; omitted fields stay as they are."""

    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] | None = None
    org_unit_id: RowId | None = None


class RolesAssign(BaseModel):
    """The complete set of roles a user should have."""

    roles: RoleCodes


class PasswordReset(BaseModel):
    """A new password set by an administrator."""

    new_password: Annotated[str, Field(min_length=1, max_length=200)]


class UserRead(BaseModel):
    """A user as shown to API clients (never the hash)."""

    id: int
    username: str
    display_name: str
    org_unit_id: int
    org_unit_code: str
    active: bool
    locked_until: datetime | None
    roles: list[str]
    last_login_at: datetime | None
    created_at: datetime


class PermissionRead(BaseModel):
    """A permission and its labels."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    label_en: str
    label_zh: str


class RoleRead(BaseModel):
    """A role, its data scope and permissions."""

    code: str
    label_en: str
    label_zh: str
    data_scope: str
    permissions: list[str]


class RolePermissionsUpdate(BaseModel):
    """The complete set of permissions a role should grant."""

    permissions: PermissionCodes


class TokenResponse(BaseModel):
    """OAuth2 password-flow answer."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class MeRead(BaseModel):
    """The caller as the server sees them."""

    user_id: int
    username: str
    display_name: str
    unit_id: int
    roles: list[str]
    permissions: list[str]
    data_scope: str


class UserPage(Page[UserRead]):
    """One page of users."""


# Staff accounts hold no customer data: nothing to mask.
USER_LIST = ListSpec(
    name="users",
    columns=(
        Column("username", N_("User name")),
        Column("display_name", N_("Display name")),
        Column("org_unit", N_("Org unit")),
        Column("roles", N_("Roles"), sortable=False),
        Column("active", N_("Status")),
        Column("last_login_at", N_("Last sign-in")),
    ),
    default_sort="username",
    tie_breaker="username",  # unique, and what a reader sees
    # unit_id stays text: the page has always ignored a unit id that is not a number
    filters=(
        Filter("q"),
        Filter("unit_id", max_length=20),
        Filter("role", max_length=40),
        Filter("active", max_length=5),
    ),
    default_size=25,
    export=(
        ExportColumn(N_("User name"), lambda u: u.username),
        ExportColumn(N_("Display name"), lambda u: u.display_name),
        ExportColumn(N_("Org unit"), lambda u: u.org_unit.code),
        ExportColumn(N_("Roles"), lambda u: " ".join(r.code for r in u.roles)),
        ExportColumn(N_("Status"), lambda u: "active" if u.active else "disabled"),
        ExportColumn(N_("Last sign-in"), lambda u: u.last_login_at),
    ),
    audit_event="user.export",
    export_limit=100_000,
)


ORG_UNIT_LIST = ListSpec(
    name="org-units",
    columns=(
        Column("code", N_("Code")),
        Column("name", N_("Name"), sortable=False),  # shown in the reader's language
        Column("kind", N_("Kind")),
        Column("active", N_("Status")),
    ),
    default_sort="path",  # tree order
    tie_breaker="code",
    extra_sorts=("path", "name_en", "name_zh"),
    filters=(Filter("q"),),
    export=(
        ExportColumn(N_("Code"), lambda u: u.code),
        ExportColumn(N_("Name in English"), lambda u: u.name_en),
        ExportColumn(N_("Name in Chinese"), lambda u: u.name_zh),
        ExportColumn(N_("Kind"), lambda u: u.kind_code),
        ExportColumn(N_("Parent unit"), lambda u: u.parent.code if u.parent else ""),
        ExportColumn(N_("Status"), lambda u: "active" if u.active else "inactive"),
    ),
    audit_event="org.export",
)
