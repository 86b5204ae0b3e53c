"""Identity documents as data: which country may issue each document type, and which published rule checks its
number (reference_data/catalogue/id_document_rule.csv, national_id_rule.csv).

A document is identified by (type, issuing country, number): a German and a French passport with the same
characters are two documents. A type issued by one country only (the resident ID, the permits China issues to
Hong Kong, Macao and Taiwan residents and to foreigners) takes that country when none is given.
"""

from __future__ import annotations

import csv
import importlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType

from babel import Locale
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from bankcrm.kit import validators
from bankcrm.kit.i18n import N_
from bankcrm.kit.validators import InvalidValue, ResidentId

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "catalogue"
ANY_COUNTRY = "*"
# The number rules a document type may name; each is a function of kit.validators (or the stdnum table).
# Two-letter codes CLDR names that no state issues documents under: unknown region, unions, pseudo-locales.
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})
NUMBER_RULES = frozenset(
    {"resident_id", "hmt_residence", "foreign_pr", "hkmo_permit", "tw_permit", "passport", "national_id"}
)

MSG_COUNTRY_CODE = N_("Not a country code: two capital letters (ISO 3166-1), such as DE.")
MSG_COUNTRY_REQUIRED = N_("Give the country that issued this document.")
MSG_ONLY_ISSUER = N_("This document is issued by %(country)s only.")
MSG_NOT_ISSUER = N_("This document type cannot be issued by %(country)s.")
MSG_NATIONAL_ID_CHECK = N_("The check digit of this national ID number of %(country)s is wrong.")
MSG_NATIONAL_ID_LENGTH = N_("This national ID number has the wrong length for %(country)s.")
MSG_NATIONAL_ID_FORMAT = N_("This is not a national ID number in the format %(country)s uses.")


@dataclass(frozen=True)
class DocumentRule:
    """Who may issue one document type, and how its number is checked."""

    id_type: str
    issuers: frozenset[str] | None  # None: any country
    excluded: frozenset[str]
    number_rule: str

    @property
    def default_country(self) -> str | None:
        """The issuing country when only one country issues this type."""
        return next(iter(self.issuers)) if self.issuers is not None and len(self.issuers) == 1 else None


def _read(name: str) -> list[dict[str, str]]:
    with (CATALOGUE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def rules() -> dict[str, DocumentRule]:
    """id_type → its rule; a bad row raises ValueError."""
    out: dict[str, DocumentRule] = {}
    for r in _read("id_document_rule"):
        issuers = None if r["issuers"] == ANY_COUNTRY else frozenset(r["issuers"].split())
        rule = DocumentRule(r["id_type"], issuers, frozenset(r["excluded"].split()), r["number_rule"])
        if rule.number_rule not in NUMBER_RULES or rule.id_type in out:
            raise ValueError(f"id_document_rule.csv: bad row {r}")
        out[rule.id_type] = rule
    return out


@cache
def countries() -> frozenset[str]:
    """The two-letter country and territory codes (ISO 3166-1 alpha-2) Babel names in both languages."""
    codes = (str(code) for code in Locale.parse("en").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES)


@cache
def country_names(locale: str) -> dict[str, str]:
    """Country code → its name in the reader's language (zh_CN or en)."""
    names = Locale.parse("zh_Hans_CN" if locale.startswith("zh") else "en").territories
    return {code: str(names.get(code, code)) for code in countries()}


@cache
def national_id_modules() -> dict[str, ModuleType]:
    """Issuing country → the python-stdnum module that checks its national identity number."""
    return {r["country"]: importlib.import_module(f"stdnum.{r['stdnum_module']}") for r in _read("national_id_rule")}


def issuing_country(id_type: str, country: str | None) -> str | None:
    """The issuing country of a document of ``id_type``: the one given (checked) or the type's only issuer.

    Raises InvalidValue (to be reported on the issuing country); an unknown type passes what was given.
    """
    given = "".join((country or "").split()).upper() or None
    rule = rules().get(id_type)
    if given is not None and given not in countries():
        raise InvalidValue(MSG_COUNTRY_CODE)
    if rule is None:
        return given
    if given is None:
        if rule.default_country is None:
            raise InvalidValue(MSG_COUNTRY_REQUIRED)
        return rule.default_country
    if rule.issuers is not None and given not in rule.issuers:
        raise InvalidValue(MSG_ONLY_ISSUER, country=", ".join(sorted(rule.issuers)))
    if given in rule.excluded:
        raise InvalidValue(MSG_NOT_ISSUER, country=given)
    return given


def document_number(
    id_type: str, country: str | None, value: str, *, today: date | None = None
) -> tuple[str, ResidentId | None]:
    """The normalised number of a document, and what a resident-ID-style number encodes; raises InvalidValue.

    An unknown type (the code check reports it) or a national ID card of an unknown country gets the compact,
    upper-cased number.
    """
    compact = "".join(value.split()).upper()
    rule = rules().get(id_type)
    if rule is None:
        return compact, None
    match rule.number_rule:
        case "resident_id":
            rid = validators.resident_id(compact, today=today)
            return rid.number, rid
        case "hmt_residence":
            rid = validators.hmt_residence_permit(compact, today=today)
            return rid.number, rid
        case "foreign_pr":
            number, rid_or_none = validators.foreign_permanent_resident(compact, today=today)
            return number, rid_or_none
        case "hkmo_permit":
            return validators.hkmo_permit(compact), None
        case "tw_permit":
            return validators.tw_permit(compact), None
        case "passport":
            return validators.passport(compact), None
        case _:
            return national_id(country, compact), None


def scored_number(country: str | None, number: str | None) -> str | None:
    """A document number as the matcher compares it: qualified by its issuing country unless China issued it (or
    no country is recorded), so a German and a French passport with the same characters do not agree while
    Chinese documents compare exactly as before."""
    if number is None or country in (None, "", "CN"):
        return number
    return f"{country}:{number}"


def national_id(country: str | None, value: str) -> str:
    """A foreign national identity number, checked by its country's published rule where python-stdnum has one,
    by shape otherwise; raises InvalidValue."""
    module = national_id_modules().get(country or "")
    if module is None:
        return validators.national_id_shape(value)
    try:
        return str(module.validate(value))
    except InvalidChecksum:
        raise InvalidValue(MSG_NATIONAL_ID_CHECK, country=country) from None
    except InvalidLength:
        raise InvalidValue(MSG_NATIONAL_ID_LENGTH, country=country) from None
    except ValidationError:
        raise InvalidValue(MSG_NATIONAL_ID_FORMAT, country=country) from None
