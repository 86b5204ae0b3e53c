"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from bankcrm.models.access import ApiToken, Permission, Role, User, UserSession, role_permission, user_role
from bankcrm.models.audit import AuditEvent
from bankcrm.models.base import Base
from bankcrm.models.customer import (
    ChangeRequest,
    CodeItem,
    ContactPerson,
    CorporateProfile,
    Counter,
    Customer,
    CustomerContact,
    CustomerSearchKey,
    FamilyMember,
    FieldChange,
    IndividualProfile,
)
from bankcrm.models.org import OrgUnit, OrgUnitKind

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "ChangeRequest",
    "CodeItem",
    "ContactPerson",
    "CorporateProfile",
    "Counter",
    "Customer",
    "CustomerContact",
    "CustomerSearchKey",
    "FamilyMember",
    "FieldChange",
    "IndividualProfile",
    "OrgUnit",
    "OrgUnitKind",
    "Permission",
    "Role",
    "User",
    "UserSession",
    "role_permission",
    "user_role",
]
