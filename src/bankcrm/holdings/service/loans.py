"""The loans list: loan contracts of customers in the reader's scope, by class, status, branch and product."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue
from bankcrm.customers.service import names as customer_names
from bankcrm.holdings import repository
from bankcrm.holdings.schemas import LoanListRow
from bankcrm.kit.i18n import label
from bankcrm.kit.listing import SortSpec
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.models.holding import Product


def loan_list(
    db: Session,
    principal: Principal,
    page: PageRequest,
    locale: str,
    *,
    sort: SortSpec,
    loan_class: str | None = None,
    status: str | None = None,
    branch: str | None = None,
    product: str | None = None,
) -> Page[LoanListRow]:
    """One page of loans in scope; classes and statuses sort in their code tables' order and read in ``locale``."""
    classes = catalogue.code_table(db, "loan_class")
    statuses = catalogue.code_table(db, "loan_status")
    result = repository.loan_list(
        db,
        principal,
        page,
        loan_class=loan_class,
        status=status,
        branch=branch,
        product=product,
        sort=sort,
        class_order=[c.code for c in classes],
        status_order=[c.code for c in statuses],
    )
    class_labels = {c.code: label(c, locale) for c in classes}
    status_labels = {c.code: label(c, locale) for c in statuses}
    digits = repository.minor_units(db)
    items = [
        LoanListRow(
            id=loan.id,
            contract_no=loan.contract_no_masked,
            cif_no=customer.cif_no,
            customer_name=customer_names.display_name(principal, customer),
            product_code=loan.product_code,
            product=label(prod, locale),
            unit_code=unit_code,
            currency=loan.currency,
            minor_units=digits.get(loan.currency, 2),
            classification=loan.classification,
            class_label=class_labels.get(loan.classification, loan.classification),
            status=loan.status,
            status_label=status_labels.get(loan.status, loan.status),
            amount=loan.amount,
            outstanding=loan.outstanding,
            rate_bp=loan.rate_bp,
            start_date=loan.start_date,
            maturity_date=loan.maturity_date,
            days_overdue=loan.days_overdue,
        )
        for loan, customer, prod, unit_code in result.items
    ]
    return Page(items=items, total=result.total, page=result.page, size=result.size)


def loan_products(db: Session) -> list[Product]:
    """The loan products, for the list's product filter."""
    return repository.loan_products(db)
