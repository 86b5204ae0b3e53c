"""The 360° view: one customer's profile head, figures, holdings, loans, maturities, tasks and recent vouchers."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.service import reads as customer_reads
from bankcrm.holdings import repository
from bankcrm.holdings.schemas import (
    AccountRead,
    CoPartyRead,
    CustomerHeader,
    CustomerView,
    FiguresRead,
    LoanRead,
    MaturityRead,
    MonthBalance,
    PartyAccountRead,
    TaskRead,
    TransactionPage,
    TransactionRead,
)
from bankcrm.households.service import reads as household_reads
from bankcrm.kit.i18n import label
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.models.customer import Customer
from bankcrm.models.holding import Account, Product
from bankcrm.models.task import Task
from bankcrm.relationships.service import circles as circle_service
from bankcrm.relationships.service import groups as group_service

MATURITY_HORIZON_DAYS = 90
ROLE_TABLE = "account_party_role"


def task_read(task: Task, customer: Customer, customer_name: str) -> TaskRead:
    """A task with its customer's CIF number and masked name."""
    return TaskRead(
        id=task.id,
        kind=task.kind,
        cif_no=customer.cif_no,
        customer_name=customer_name,
        holding_kind=task.holding_kind,
        product_code=task.product_code,
        maturity_date=task.maturity_date,
        window_days=task.window_days,
        due_date=task.due_date,
        amount_due=task.amount_due,
        status=task.status,
        outcome=task.outcome,
        amount_kept=task.amount_kept,
        note=task.note,
        completed_at=task.completed_at,
    )


def transactions(
    db: Session,
    principal: Principal,
    cif_no: str,
    page: PageRequest,
    *,
    since: date | None = None,
    until: date | None = None,
    min_amount: int | None = None,
    max_amount: int | None = None,
    channel: str | None = None,
    timezone: str = "Asia/Shanghai",
    sort: SortSpec | None = None,
) -> TransactionPage:
    """A customer's vouchers in scope, newest first by default; dates are the bank's calendar days, amounts in fen."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    result = repository.transactions(
        db,
        customer.id,
        page,
        since=_local_midnight(since, timezone),
        until=_local_midnight(until + timedelta(days=1), timezone) if until else None,
        min_amount=min_amount,
        max_amount=max_amount,
        channel=channel,
        sort=sort,
    )
    items = [
        TransactionRead(
            voucher_no=t.voucher_no,
            account_no=masked,
            txn_time=t.txn_time,
            amount=t.amount,
            direction=t.direction,
            channel=t.channel,
            counterparty_name=t.counterparty_name,
            counterparty_bank=t.counterparty_bank,
            purpose_code=t.purpose_code,
            summary=t.summary,
        )
        for t, masked in result.items
    ]
    return TransactionPage.of(result, items)


def _local_midnight(day: date | None, timezone: str) -> datetime | None:
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone))


def _account_read(a: Account, p: Product, locale: str, digits: dict[str, int]) -> dict[str, Any]:
    """An account's fields as AccountRead takes them (number masked)."""
    return {
        "account_no": a.account_no_masked,
        "product_code": a.product_code,
        "product": label(p, locale),
        "category": p.category,
        "currency": a.currency,
        "status": a.status,
        "open_date": a.open_date,
        "close_date": a.close_date,
        "rate_bp": a.rate_bp,
        "maturity_date": a.maturity_date,
        "auto_renew": a.auto_renew,
        "balance": a.balance,
        "balance_date": a.balance_date,
        "risk_level": p.risk_level,
        "minor_units": digits.get(a.currency, 2),
        "linked_account_no": a.linked_account_masked,
    }


def party_accounts(
    db: Session, customer_id: int, locale: str, today: date, digits: dict[str, int]
) -> list[PartyAccountRead]:
    """The accounts of others this customer is joint holder, signatory, attorney or guardian of, with the role.

    Seen by whoever may see this customer, as the account relates to them; the owner is not named (it may
    be out of the reader's scope), and the balance counts in the owner's figures only.
    """
    roles = catalogue.labels_of(db, ROLE_TABLE, locale)
    return [
        PartyAccountRead(
            **_account_read(a, p, locale, digits),
            role=party.role,
            role_label=roles.get(party.role, party.role),
            valid_to=party.valid_to,
        )
        for party, a, p in repository.party_accounts(db, customer_id, today)
    ]


def co_parties(
    db: Session, principal: Principal, owner_id: int, locale: str, today: date
) -> dict[int, list[CoPartyRead]]:
    """The other parties of the owner's accounts by account id; a party outside the reader's scope is named by
    role only (the account is the owner's, the party's identity is not the reader's to see)."""
    rows = repository.co_parties(db, owner_id, today)
    roles = catalogue.labels_of(db, ROLE_TABLE, locale)
    visible = customer_reads.visible_ids(db, principal, {c.id for _, c in rows})
    readable = list({c.id: c for _, c in rows if c.id in visible}.values())
    shown = dict(zip([c.id for c in readable], customer_reads.summaries(db, principal, readable), strict=True))
    parties: dict[int, list[CoPartyRead]] = {}
    for party, c in rows:
        summary = shown.get(c.id)
        parties.setdefault(party.account_id, []).append(
            CoPartyRead(
                role=party.role,
                role_label=roles.get(party.role, party.role),
                cif_no=summary.cif_no if summary else None,
                name=summary.name if summary else None,
                valid_to=party.valid_to,
            )
        )
    return parties


def customer_view(
    db: Session, principal: Principal, cif_no: str, locale: str, today: date, timezone: str
) -> CustomerView:
    """Everything the 360° page shows, masked; 404 (audited) outside the principal's scope."""
    customer = customer_reads.get_customer(db, principal, cif_no)
    head = customer_reads.summaries(db, principal, [customer])[0]
    digits = repository.minor_units(db)
    parties = co_parties(db, principal, customer.id, locale, today)
    accounts = [
        AccountRead(**_account_read(a, p, locale, digits), parties=parties.get(a.id, []))
        for a, p in repository.accounts(db, customer.id)
    ]
    loans = [
        LoanRead(
            contract_no=c.contract_no_masked,
            product_code=c.product_code,
            product=label(p, locale),
            currency=c.currency,
            status=c.status,
            amount=c.amount,
            drawn=c.drawn,
            outstanding=c.outstanding,
            rate_bp=c.rate_bp,
            term_months=c.term_months,
            start_date=c.start_date,
            maturity_date=c.maturity_date,
            repayment_method=c.repayment_method,
            guarantee_type=c.guarantee_type,
            classification=c.classification,
            days_overdue=c.days_overdue,
        )
        for c, p in repository.loans(db, customer.id)
    ]
    horizon = today + timedelta(days=MATURITY_HORIZON_DAYS)
    maturities = [
        MaturityRead(
            maturity_date=a.maturity_date,
            holding_kind="account",
            number=a.account_no,
            product=a.product,
            amount=a.balance,
            currency=a.currency,
        )
        for a in accounts
        if a.maturity_date and a.status != "CLOSED" and today <= a.maturity_date <= horizon
    ] + [
        MaturityRead(
            maturity_date=c.maturity_date,
            holding_kind="loan",
            number=c.contract_no,
            product=c.product,
            amount=c.outstanding,
            currency=c.currency,
        )
        for c in loans
        if c.status == "ACTIVE" and today <= c.maturity_date <= horizon
    ]
    figure = repository.figure(db, customer.id)
    series = [MonthBalance(month=m, aum=v) for m, v in json.loads(figure.balance_series)] if figure else []
    return CustomerView(
        customer=CustomerHeader(
            cif_no=customer.cif_no,
            kind=customer.kind,
            name=head.name,
            status=customer.status,
            home_unit=head.home_unit,
            account_manager=head.account_manager,
        ),
        figures=FiguresRead.model_validate(figure, from_attributes=True) if figure else None,
        balance_series=series,
        accounts=accounts,
        party_accounts=party_accounts(db, customer.id, locale, today, digits),
        loans=loans,
        maturities=sorted(maturities, key=lambda m: m.maturity_date),
        tasks=[task_read(t, customer, head.name) for t in repository.open_tasks_of_customer(db, customer.id)],
        recent_transactions=transactions(db, principal, cif_no, PageRequest(1, 10), timezone=timezone),
        history_url=f"/api/v1/customers/{customer.cif_no}/history",
        household=household_reads.badge(db, principal, customer.id),
        guarantee_circles=circle_service.circles_of(db, customer.id),
        corporate_groups=group_service.groups_of(db, customer.id, locale),
    )
