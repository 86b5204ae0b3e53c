"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from bankcrm.models.access import ApiToken, Permission, Role, User, UserSession, role_permission, user_role
from bankcrm.models.assignment import AssignmentRequest, AssignmentRequestItem, ManagerAssignment
from bankcrm.models.audit import AuditEvent
from bankcrm.models.base import Base
from bankcrm.models.customer import (
    ChangeRequest,
    ChangeRequestStatus,
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
from bankcrm.models.group import (
    CorporateGroup,
    CorporateGroupMember,
    GroupStatus,
    GuaranteeCircle,
    GuaranteeCircleMember,
)
from bankcrm.models.holding import (
    Account,
    AccountTransaction,
    BalanceSnapshot,
    Currency,
    CustomerFigure,
    FigureDirty,
    LoanContract,
    Product,
)
from bankcrm.models.household import Household, HouseholdMember, HouseholdOverride
from bankcrm.models.ingest import IngestBatch, IngestPriorRow, IngestReject, IngestRun
from bankcrm.models.job import JobRun, OutboxMessage
from bankcrm.models.org import OrgUnit, OrgUnitKind
from bankcrm.models.relationship import CustomerLink
from bankcrm.models.task import Task, TaskStatus
from bankcrm.models.workflow import StatusHistory, WorkflowState, WorkflowTransition

__all__ = [
    "Account",
    "AccountTransaction",
    "ApiToken",
    "AssignmentRequest",
    "AssignmentRequestItem",
    "AuditEvent",
    "BalanceSnapshot",
    "Base",
    "ChangeRequest",
    "ChangeRequestStatus",
    "CodeItem",
    "ContactPerson",
    "CorporateGroup",
    "CorporateGroupMember",
    "CorporateProfile",
    "Counter",
    "Currency",
    "Customer",
    "CustomerContact",
    "CustomerFigure",
    "CustomerLink",
    "CustomerSearchKey",
    "FamilyMember",
    "FieldChange",
    "FigureDirty",
    "GroupStatus",
    "GuaranteeCircle",
    "GuaranteeCircleMember",
    "Household",
    "HouseholdMember",
    "HouseholdOverride",
    "IndividualProfile",
    "IngestBatch",
    "IngestPriorRow",
    "IngestReject",
    "IngestRun",
    "JobRun",
    "LoanContract",
    "ManagerAssignment",
    "OrgUnit",
    "OrgUnitKind",
    "OutboxMessage",
    "Permission",
    "Product",
    "Role",
    "StatusHistory",
    "Task",
    "TaskStatus",
    "User",
    "UserSession",
    "WorkflowState",
    "WorkflowTransition",
    "role_permission",
    "user_role",
]
