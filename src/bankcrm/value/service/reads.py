"""A customer's contribution explained line by line, and the 12-month trend; for readers in scope."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.catalogue import service as catalogue_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Forbidden
from bankcrm.kit.i18n import N_, gettext_for
from bankcrm.kit.money import percent_text, yuan_text
from bankcrm.models.value import CustomerContribution
from bankcrm.value import repository, schemas
from bankcrm.value.service.compute import add_months, month_start

KIND_LABELS = {
    "deposit_margin": N_("Deposit margin"),
    "loan_margin": N_("Loan margin"),
    "expected_loss": N_("Expected loss"),
    "fee_income": N_("Fee income"),
    "service_product": N_("Service cost per product"),
    "service_txn": N_("Service cost per transaction"),
}
EXPLAIN = {
    "deposit_margin": N_(
        "average balance %(balance)s × (FTP %(ftp)s%% − customer rate %(rate)s%%) × %(days)s/365 days = %(amount)s"
    ),
    "loan_margin": N_(
        "outstanding %(balance)s × (customer rate %(rate)s%% − FTP %(ftp)s%%) × %(days)s/365 days = %(amount)s"
    ),
    "expected_loss": N_("− outstanding %(balance)s × provision rate %(ftp)s%% a year × %(days)s/365 days = %(amount)s"),
    "fee_income": N_("%(count)s fee vouchers (charged less refunded) = %(amount)s"),
    "service_product": N_("− %(count)s × monthly cost of %(ref)s × %(days)s days of the month = %(amount)s"),
    "service_txn": N_("− %(count)s vouchers by %(ref)s × cost per voucher = %(amount)s"),
}
NOT_ALLOWED = N_("You may not see customers' contribution.")


def _require(principal: Principal) -> None:
    if not principal.can(schemas.READ):
        raise Forbidden(NOT_ALLOWED, audit=denied(principal, "read contribution", schemas.READ))


def default_month(db: Session) -> date | None:
    """The newest month computed."""
    return repository.latest_month(db)


def explain(line: CustomerContribution, locale: str, labels: dict[str, dict[str, str]]) -> str:
    """One line's arithmetic in words, in the reader's language."""
    ref = _ref_label(line, labels)
    params: dict[str, object] = {
        "balance": yuan_text(line.avg_balance) if line.avg_balance is not None else "—",
        "rate": percent_text(line.customer_rate_bp) if line.customer_rate_bp is not None else "—",
        "ftp": percent_text(line.ftp_rate_bp) if line.ftp_rate_bp is not None else "—",
        "days": line.days,
        "count": line.count,
        "ref": ref,
        "amount": yuan_text(line.amount),
    }
    return gettext_for(locale, EXPLAIN[line.kind], params)


def customer_month(
    db: Session, principal: Principal, cif_no: str, month: date | None, locale: str
) -> schemas.CustomerContributionRead:
    """A customer in scope: the month's lines (default: the newest month computed), total, 12 monthly totals."""
    _require(principal)
    customer = customer_reads.get_customer(db, principal, cif_no)
    chosen = month_start(month) if month else (default_month(db) or month_start(date.today()))
    rows = repository.lines(db, customer.id, chosen)
    labels = catalogue_service.code_labels(db, ["product_category", "txn_channel"], locale)
    lines = []
    for r in rows:
        text = explain(r, locale, labels)
        lines.append(
            schemas.LineRead(
                kind=r.kind,
                label=gettext_for(locale, KIND_LABELS[r.kind]),
                ref=_ref_label(r, labels),
                product_code=r.product_code,
                days=r.days,
                count=r.count,
                avg_balance=r.avg_balance,
                customer_rate_bp=r.customer_rate_bp,
                ftp_rate_bp=r.ftp_rate_bp,
                amount=r.amount,
                explanation=text,
            )
        )
    first = add_months(chosen, -11)
    totals = repository.monthly_totals(db, customer.id, first)
    trend = [
        schemas.MonthTotal(month=f"{m:%Y-%m}", total=totals.get(m)) for m in (add_months(first, n) for n in range(12))
    ]
    return schemas.CustomerContributionRead(
        cif_no=customer.cif_no,
        month=f"{chosen:%Y-%m}",
        as_of=max((r.as_of for r in rows), default=None),
        lines=lines,
        total=sum(r.amount for r in rows),
        trend=trend,
    )


def _ref_label(line: CustomerContribution, labels: dict[str, dict[str, str]]) -> str:
    if line.kind == "service_product":
        return labels["product_category"].get(line.ref, line.ref)
    if line.kind == "service_txn":
        return labels["txn_channel"].get(line.ref, line.ref)
    return line.ref
