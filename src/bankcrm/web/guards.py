"""Input rules that hold for every request, before any route sees it."""

from __future__ import annotations

from fastapi import Request

from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.i18n import N_

NUL_MESSAGE = N_("This value contains a NUL character, which is not allowed.")
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower-cased and without parameters ("" when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


async def reject_nul_characters(request: Request) -> None:
    """Refuse NUL in any query, form or JSON value: PostgreSQL cannot store it and no bank data has it."""
    bad = [name for name, value in request.query_params.multi_items() if "\x00" in value or "\x00" in name]
    kind = media_type(request.headers.get("content-type"))
    if kind in FORM_TYPES:
        form = await request.form()
        bad += [name for name, value in form.multi_items() if isinstance(value, str) and "\x00" in value]
    elif kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
        # Every type FastAPI parses as JSON: merge-patch+json, any case, any parameters.
        body = await request.body()
        if b"\\u0000" in body or b"\x00" in body:
            bad.append("body")
    if bad:
        raise ValidationFailed(errors=[FieldError(name.replace("\x00", "\\0"), NUL_MESSAGE) for name in bad])
