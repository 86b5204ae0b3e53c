"""Kept checks: the page reads the same figures from the kept masks as from checking live; a change, a date
falling due or a new catalogue makes a customer's kept checks stale, and they are checked again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.config import Settings
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import utcnow
from bankcrm.models.quality import CustomerQuality
from bankcrm.quality.schemas import GAP_LIST
from bankcrm.quality.service import figures, gaps, kept
from tests.quality.helpers import TODAY, build


def everything(db: Session, settings: Settings, day: date = TODAY) -> tuple[object, object]:
    """The bank-wide figures and gaps list as a reader sees them on ``day``."""
    cipher = settings.field_cipher()
    fig = figures.compute(db, cipher, SYSTEM_PRINCIPAL, day, "en")
    listed = gaps.gaps(db, cipher, SYSTEM_PRINCIPAL, day, "en", sort=GAP_LIST.sort(None), page=PageRequest(1, 50))
    return (
        (fig.customers, fig.duplicates, fig.fields, fig.branches, fig.sources),
        [(g.cif_no, g.gaps, g.missing, g.invalid) for g in listed.items],
    )


def kept_rows(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(CustomerQuality)) or 0


def test_the_kept_checks_give_the_figures_checking_live_gives(db: Session, settings: Settings) -> None:
    # given the hand-built bank, nothing kept yet: the page checks every customer live
    bank = build(db, settings.field_cipher())
    live = everything(db, settings)
    # when the nightly step keeps the checks
    checked = kept.refresh(db, settings.field_cipher(), TODAY)
    # then it checked the four served customers (not the closed one), and the page reads the same from them
    assert (checked, kept_rows(db)) == (4, 4)
    assert list(kept.live(db, settings.field_cipher(), SYSTEM_PRINCIPAL, TODAY)) == []
    assert everything(db, settings) == live
    # and a second run the same day checks nobody again
    assert kept.refresh(db, settings.field_cipher(), TODAY) == 0
    # and the gaps list names the sparse customer's missing fields from the masks
    assert [g for g in everything(db, settings)[1] if g[0] == bank.sparse.cif_no] == [
        (
            bank.sparse.cif_no,
            8,
            [
                "ID document",
                "ID expiry date (not passed)",
                "E-mail",
                "Address",
                "Occupation (coded)",
                "Industry (coded)",
            ],
            ["Mobile phone", "At least one phone"],
        )
    ]


def test_a_changed_customer_is_checked_again_at_once(db: Session, settings: Settings) -> None:
    # given kept checks
    bank = build(db, settings.field_cipher())
    kept.refresh(db, settings.field_cipher(), TODAY)
    # when the sparse customer gets an occupation (every change path sets updated_at)
    assert bank.sparse.individual is not None
    bank.sparse.individual.occupation = "2"
    bank.sparse.updated_at = utcnow()
    db.flush()
    # then the page already counts it, checking that one customer live
    [(data, _)] = kept.live(db, settings.field_cipher(), SYSTEM_PRINCIPAL, TODAY)
    assert data.customer.cif_no == bank.sparse.cif_no
    fig = figures.compute(db, settings.field_cipher(), SYSTEM_PRINCIPAL, TODAY, "en")
    assert {f.key: f.complete for f in fig.fields}["individual.occupation"] == 3
    # and the next nightly run keeps it again
    assert kept.refresh(db, settings.field_cipher(), TODAY) == 1


def test_a_document_expiring_makes_its_kept_check_stale_on_the_day_after(db: Session, settings: Settings) -> None:
    # given the complete customer's ID valid until 10 December, checks kept on 3 December
    bank = build(db, settings.field_cipher())
    assert bank.complete.individual is not None
    bank.complete.individual.id_expiry_date = date(2026, 12, 10)
    db.flush()
    kept.refresh(db, settings.field_cipher(), TODAY)
    row = db.get(CustomerQuality, bank.complete.id)
    assert row is not None and row.recheck_on == date(2026, 12, 11)
    # when the page is read on 10 and on 11 December, nothing else having changed
    on_10 = figures.compute(db, settings.field_cipher(), SYSTEM_PRINCIPAL, date(2026, 12, 10), "en")
    on_11 = figures.compute(db, settings.field_cipher(), SYSTEM_PRINCIPAL, date(2026, 12, 11), "en")
    # then the ID expiry counts as valid on the 10th and not on the 11th
    valid = "individual.id_expiry_date"
    assert ({f.key: f.valid for f in on_10.fields}[valid], {f.key: f.valid for f in on_11.fields}[valid]) == (1, 0)


def test_a_new_catalogue_makes_every_kept_check_stale(db: Session, settings: Settings) -> None:
    # given kept checks written under another catalogue
    build(db, settings.field_cipher())
    kept.refresh(db, settings.field_cipher(), TODAY)
    for row in db.scalars(select(CustomerQuality)):
        row.version = "older-catalogue"
    db.flush()
    # when the nightly step runs, every customer is checked again
    assert kept.refresh(db, settings.field_cipher(), TODAY) == 4
