"""One way to submit an HTML form: parse, run the service in a savepoint, re-render on error, else redirect."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from bankcrm.errors import Conflict, DomainError, FieldError, ValidationFailed
from bankcrm.web.errors import form_errors, invalid

Parsed = TypeVar("Parsed")
Saved = TypeVar("Saved")
Model = TypeVar("Model", bound=BaseModel)
# What most forms may fail with and show on the form; anything else (404, 403) gets the error page.
FORM_ERRORS: tuple[type[DomainError], ...] = (ValidationFailed, Conflict)


async def form_values(request: Request) -> dict[str, str]:
    """The posted form as plain strings (checkboxes present = "on")."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormValues = Annotated[dict[str, str], Depends(form_values)]


@dataclass(frozen=True)
class Rejected:
    """A failed submit: the error and, for the template, its message and each field's errors."""

    error: DomainError
    problems: dict[str, Any]

    @property
    def status(self) -> int:
        """The HTTP status the form is shown again with (422, 409, ...)."""
        return self.error.status


def validated(model: type[Model], values: Mapping[str, Any]) -> Model:
    """``values`` parsed into ``model``; a pydantic failure becomes ValidationFailed naming each field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise invalid(exc) from exc


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def typed_fields(values: Mapping[str, str], **kinds: Any) -> dict[str, Any]:
    """The named fields parsed by their kit types (``amount=Yuan``, ``valid_from=BusinessDate``).

    Every field is tried, so one ValidationFailed names each bad field at once.
    """
    parsed: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, kind in kinds.items():
        try:
            parsed[name] = _adapter(kind).validate_python(values.get(name, ""))
        except ValidationError as exc:
            errors += [FieldError(name, e.message, e.params) for e in invalid(exc).errors]
    if errors:
        raise ValidationFailed(errors=errors)
    return parsed


def no_input() -> None:
    """The parse step of a form that posts nothing to validate (a button)."""
    return None


def submit_form(
    request: Request,
    db: Session,
    parse: Callable[[], Parsed],
    save: Callable[[Parsed], Saved],
    *,
    redirect: str | Callable[[Saved], str],
    rerender: Callable[[Rejected], Response],
    catch: tuple[type[DomainError], ...] = FORM_ERRORS,
    passthrough: tuple[type[DomainError], ...] = (),
) -> Response:
    """Parse the form, run ``save`` in a savepoint and redirect (303); a caught error re-renders the form.

    A pydantic failure anywhere counts as ValidationFailed (422). On an error the savepoint is rolled
    back, so nothing the service flushed is written; errors in ``passthrough`` (or not in ``catch``)
    propagate to the error page and the request boundary.
    """
    try:
        try:
            data = parse()
            with db.begin_nested():
                saved = save(data)
        except ValidationError as exc:
            raise invalid(exc) from exc
    except catch as exc:
        if isinstance(exc, passthrough):
            raise
        return rerender(Rejected(exc, form_errors(request, exc)))
    target = redirect if isinstance(redirect, str) else redirect(saved)
    return RedirectResponse(target, status_code=303)
