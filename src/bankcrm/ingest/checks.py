"""Row checks as Polars expressions: each row is rejected for its first problem, in column order."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date

import polars as pl

from bankcrm.ingest.formats import AMOUNT, CODE, DATE, DATETIME, FLAG, INT, NUMBER, RATE, TEXT, Column, FileFormat
from bankcrm.ingest.reader import EXTRA, LINE
from bankcrm.kit.i18n import N_

NUMBER_RE = r"^[0-9A-Za-z]{6,32}$"
DATE_RE = r"^[12][0-9]{3}-[0-9]{2}-[0-9]{2}$"  # years 1000-2999: no year 0, which databases refuse
DATETIME_RE = r"^[12][0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
# ASCII digits only (\d also matches other scripts' digits); up to 4 decimals, the most an ISO 4217 currency has.
AMOUNT_RE = r"^-?[0-9]{1,16}(\.[0-9]{1,4})?$"
MAX_MINOR_UNITS = 4
RATE_RE = r"^[0-9]{1,3}(\.[0-9]{1,2})?$"
INT_RE = r"^[0-9]{1,9}$"
FAIL = "_fail"
EXTRA_FIELDS = N_("The row has more fields than the header.")
DUPLICATE_KEY = N_("Duplicate key: the same value is on line %(detail)s.")
UNKNOWN_CODE = N_("Unknown code %(detail)s (code table %(table)s).")  # the detail is the delivered value
# Every plan gives each row the currency its amounts are in, and that currency's minor units.
CURRENCY = "_currency"
DIGITS = "_digits"


@dataclass(frozen=True)
class Check:
    """A problem some rows have: where (field), why (a msgid with params) and which rows (bad)."""

    field: str
    reason: str
    bad: pl.Expr
    params: dict[str, object] = dataclass_field(default_factory=dict)
    detail: pl.Expr | None = None  # a per-row value for the {detail} placeholder
    # The detail is a JSON object {"reason": msgid, "params": {...}}: the reason found per row by another
    # module's own validation (customers feed), which the reject reports instead of ``reason``.
    reason_from_detail: bool = False


@dataclass(frozen=True)
class Context:
    """What the checks compare against: the business date, the code tables and the currencies' minor units."""

    business_date: date
    codes: dict[str, frozenset[str]]
    timezone: str
    inactive: dict[str, frozenset[str]] = dataclass_field(default_factory=dict)  # known codes not in use
    minor_units: tuple[int, ...] = (2,)  # the distinct minor units of the currencies on file


def minor_units(name: str) -> pl.Expr:
    """'1234.5' in a currency of 2 digits → 123450: a decimal text as integer minor units, without floats.

    The row's currency's digits come from its _digits column (JPY 0, CNY 2, BHD 3). Meaningful only for
    text that passed the amount checks (a decimal parse, several times faster than splitting the text
    with regular expressions); null where the result does not fit 64 bits.
    """
    scaled = pl.col(name).str.to_decimal(scale=MAX_MINOR_UNITS) * pl.lit(10, dtype=pl.Int64).pow(pl.col(DIGITS))
    return scaled.cast(pl.Int64, strict=False)


def hundredths(name: str) -> pl.Expr:
    """'3.45' → 345: a percentage with at most two places as basis points."""
    return (pl.col(name).str.to_decimal(scale=2) * 100).cast(pl.Int64, strict=False)


def _decimals(name: str) -> pl.Expr:
    """How many digits follow the point (0 without one); a byte search, no regular expression."""
    value = pl.col(name)
    return (value.str.len_bytes() - value.str.find(".", literal=True) - 1).fill_null(0)


def amount_checks(name: str, ctx: Context) -> list[Check]:
    """Well-formed, in as many decimals as the row's currency has (one check per number of minor units)."""
    value = pl.col(name)
    malformed = ~value.str.contains(AMOUNT_RE) | minor_units(name).is_null()
    checks = []
    for digits in ctx.minor_units:
        if digits == 2:
            reason = N_("Not an amount: digits with at most two decimals, such as 1234.50.")
        elif digits == 0:
            reason = N_("Not an amount: %(detail)s has no minor unit, so whole numbers only, such as 1234.")
        else:
            reason = N_("Not an amount: digits with at most %(digits)s decimals in %(detail)s, such as %(example)s.")
        bad = value.is_not_null() & (pl.col(DIGITS) == digits) & (malformed | (_decimals(name) > digits))
        example = "1234." + "5".ljust(digits, "0")
        checks.append(Check(name, reason, bad, {"digits": digits, "example": example}, detail=pl.col(CURRENCY)))
    return checks


def parsed_date(name: str) -> pl.Expr:
    """The column as a date, null where it is not a real date."""
    return pl.col(name).str.to_date("%Y-%m-%d", strict=False)


def parsed_datetime(name: str, timezone: str) -> pl.Expr:
    """The column, given in the bank's zone, as an aware UTC datetime; null where it is not a real one.

    A time in a daylight-saving gap does not exist (null, so rejected); a repeated hour reads as the
    later one, standard time, as PostgreSQL reads it (its COPY converts vouchers' times itself).
    """
    local = pl.col(name).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
    return local.dt.replace_time_zone(timezone, ambiguous="latest", non_existent="null").dt.convert_time_zone("UTC")


def column_checks(column: Column, ctx: Context, present: bool) -> list[Check]:
    """The checks of one column's own value, in order; an optional column the file lacks has no value to check."""
    name = column.name
    value = pl.col(name)
    if not present:
        if not column.required:
            return []
        return [Check(name, N_("The column is missing from the header."), pl.lit(True))]
    checks: list[Check] = []
    if column.required:
        checks.append(Check(name, N_("A value is required."), value.is_null()))
    given = value.is_not_null()
    if column.kind == TEXT:
        checks.append(
            Check(
                name,
                N_("Longer than %(max)s characters."),
                given & (value.str.len_chars() > column.max_len),
                {"max": column.max_len},
            )
        )
    elif column.kind == NUMBER:
        checks.append(
            Check(
                name,
                N_("Not an account or contract number: 6 to 32 letters or digits."),
                given & ~value.str.contains(NUMBER_RE),
            )
        )
    elif column.kind == DATE:
        checks.append(
            Check(
                name,
                N_("Not a date in the form YYYY-MM-DD."),
                given & (~value.str.contains(DATE_RE) | parsed_date(name).is_null()),
            )
        )
    elif column.kind == DATETIME:
        checks.append(
            Check(
                name,
                N_("Not a date and time in the form YYYY-MM-DD HH:MM:SS."),
                given & (~value.str.contains(DATETIME_RE) | parsed_datetime(name, ctx.timezone).is_null()),
            )
        )
    elif column.kind == AMOUNT:
        checks.extend(amount_checks(name, ctx))
        if column.minimum == 0:
            checks.append(Check(name, N_("Must not be negative."), given & (minor_units(name) < 0)))
        elif column.minimum == 1:
            checks.append(Check(name, N_("Must be more than 0."), given & (minor_units(name) <= 0)))
    elif column.kind == RATE:
        checks.append(
            Check(
                name,
                N_("Not a rate in percent with at most two decimals, such as 3.45."),
                given & ~value.str.contains(RATE_RE),
            )
        )
    elif column.kind == INT:
        number = value.cast(pl.Int64, strict=False)
        checks.append(
            Check(
                name,
                N_("Not a whole number from %(min)s to %(max)s."),
                given & (~value.str.contains(INT_RE) | (number < column.minimum) | (number > column.maximum)),
                {"min": column.minimum, "max": column.maximum},
            )
        )
    elif column.kind == FLAG:
        checks.append(Check(name, N_("Must be Y or N."), given & ~value.is_in(["Y", "N"])))
    elif column.kind == CODE:
        table = column.code_table or ""
        checks.append(
            Check(
                name,
                UNKNOWN_CODE,
                given & ~value.is_in(sorted(ctx.codes[table])),
                {"table": table},
                detail=value,
            )
        )
        if ctx.inactive.get(table):
            checks.append(
                Check(
                    name,
                    N_("Code %(detail)s is not in use at this bank (code table %(table)s)."),
                    given & value.is_in(sorted(ctx.inactive[table])),
                    {"table": table},
                    detail=value,
                )
            )
    return checks


def first_failure(frame: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """The frame with _fail (index of the first check a row fails, or null) and _detail<i> per-row details.

    Details are computed over the whole chunk (a duplicate's first line is found among all rows), and
    only when some row fails: most chunks have no bad row and need none.
    """
    failing = [pl.when(c.bad.fill_null(False)).then(pl.lit(i, dtype=pl.Int32)) for i, c in enumerate(checks)]
    fail = pl.coalesce(failing) if failing else pl.lit(None, dtype=pl.Int32)
    frame = frame.lazy().with_columns(fail.alias(FAIL)).collect()
    if frame.get_column(FAIL).null_count() == frame.height:
        return frame
    details = [c.detail.cast(pl.String).alias(detail_column(i)) for i, c in enumerate(checks) if c.detail is not None]
    return frame.with_columns(details) if details else frame


def detail_column(index: int) -> str:
    """Name of the column holding check ``index``'s per-row detail."""
    return f"_detail{index}"


def empty_row_check(fmt: FileFormat, present: list[str]) -> Check:
    """A row whose every field is empty."""
    cols = [c for c in fmt.names if c in present]
    return Check("-", N_("Every field of the row is empty."), pl.all_horizontal([pl.col(c).is_null() for c in cols]))


def extra_fields_check() -> Check:
    """A row with more fields than the header."""
    return Check("-", EXTRA_FIELDS, pl.col(EXTRA).is_not_null())


SEEN_LINE = "_seen_line"
FIRST_IN_CHUNK = "_first_in_chunk"


def key_columns(key: str, seen_line: pl.Series) -> list[pl.Expr]:
    """_seen_line (the line an earlier chunk had the key on) and _first_in_chunk, which the duplicate check reads."""
    return [pl.lit(seen_line).alias(SEEN_LINE), pl.col(key).is_first_distinct().alias(FIRST_IN_CHUNK)]


def duplicate_key_check(key: str) -> Check:
    """Rows whose key an earlier line had (this chunk, or _seen_line from earlier chunks); that line as detail."""
    earlier = pl.col(SEEN_LINE)
    bad = pl.col(key).is_not_null() & (earlier.is_not_null() | ~pl.col(FIRST_IN_CHUNK))
    # Rows are in line order, so the key's first row in the chunk has its smallest line.
    first = pl.when(earlier.is_not_null()).then(earlier).otherwise(pl.col(LINE).min().over(key))
    return Check(key, DUPLICATE_KEY, bad, detail=first.cast(pl.String))
