"""The form-submit helper: parse, save in a savepoint, re-render on error (nothing written), else redirect."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from bankcrm.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from bankcrm.kit.money import BusinessDate, Percent, Yuan
from bankcrm.models.access import Role
from bankcrm.web.forms import Rejected, no_input, submit_form, typed_fields, validated

SHOWN: list[tuple[int, dict[str, Any]]] = []


class RoleForm(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    label_en: str = Field(min_length=1)


def _request(locale: str = "en") -> Request:
    return Request({"type": "http", "method": "POST", "path": "/x", "headers": [], "state": {"locale": locale}})


def _rerender(rejected: Rejected) -> Response:
    SHOWN.append((rejected.status, rejected.problems))
    return Response("form again", status_code=rejected.status)


def _add_role(db: Session, data: RoleForm) -> Role:
    role = Role(code=data.code, label_en=data.label_en, label_zh=data.label_en, data_scope="unit")
    db.add(role)
    db.flush()
    return role


def _codes(db: Session) -> list[str]:
    return list(db.scalars(select(Role.code).where(Role.code.like("form-%")).order_by(Role.code)))


@pytest.fixture(autouse=True)
def _clear() -> None:
    SHOWN.clear()


def test_a_valid_form_is_saved_and_redirected(db: Session) -> None:
    # Given a valid form
    values = {"code": "form-ok", "label_en": "OK"}
    # When it is submitted
    response = submit_form(
        _request(),
        db,
        lambda: validated(RoleForm, values),
        lambda data: _add_role(db, data),
        redirect=lambda role: f"/roles/{role.code}?saved=1",
        rerender=_rerender,
    )
    # Then the browser is sent on (303) and the row is there
    assert (response.status_code, response.headers["location"]) == (303, "/roles/form-ok?saved=1")
    assert (_codes(db), SHOWN) == (["form-ok"], [])


def test_a_failing_validation_re_renders_with_422_and_saves_nothing(db: Session) -> None:
    # Given a form with both fields blank
    saved: list[RoleForm] = []
    # When it is submitted
    response = submit_form(
        _request("zh_CN"),
        db,
        lambda: validated(RoleForm, {"code": "", "label_en": ""}),
        saved.append,
        redirect="/never",
        rerender=_rerender,
    )
    # Then the form comes back with 422, each field's error in the reader's language, and nothing ran
    assert response.status_code == 422
    assert SHOWN == [
        (422, {"message": "部分字段填写有误。", "errors": {"code": "此项为必填项。", "label_en": "此项为必填项。"}})
    ]
    assert (saved, _codes(db)) == ([], [])


def test_an_error_after_the_service_flushed_rolls_the_savepoint_back(db: Session) -> None:
    # Given a service that writes a row, then finds a conflict
    def save(data: RoleForm) -> None:
        _add_role(db, data)
        raise Conflict(errors=[FieldError("code", "This code is taken.")])

    # When the form is submitted
    response = submit_form(
        _request(),
        db,
        lambda: validated(RoleForm, {"code": "form-x", "label_en": "X"}),
        save,
        redirect="/never",
        rerender=_rerender,
    )
    # Then the form comes back with 409 and the row written before the error is gone
    assert response.status_code == 409
    assert SHOWN == [
        (409, {"message": "This conflicts with existing data.", "errors": {"code": "This code is taken."}})
    ]
    assert _codes(db) == []


def test_a_pydantic_failure_inside_the_save_step_is_a_422(db: Session) -> None:
    # Given a save step that builds its schema itself (as the user actions do)
    def save(_: None) -> None:
        _add_role(db, RoleForm(code="form-y", label_en="Y"))
        RoleForm.model_validate({"code": "form-z"})

    # When it is submitted
    response = submit_form(_request(), db, no_input, save, redirect="/never", rerender=_rerender)
    # Then the missing field is named, with 422, and the first row is rolled back
    assert (response.status_code, SHOWN[0][1]["errors"], _codes(db)) == (
        422,
        {"label_en": "This field is required."},
        [],
    )


@pytest.mark.parametrize(
    ("error", "catch", "passthrough"),
    [
        (NotFound(), (ValidationFailed, Conflict), ()),
        (Forbidden(), (ValidationFailed, Conflict), ()),
        (NotFound(), (Exception,), (NotFound,)),
    ],
)
def test_errors_not_caught_propagate_after_the_rollback(
    db: Session, error: Exception, catch: Any, passthrough: Any
) -> None:
    # Given a service that writes, then fails with an error the form does not show
    def save(_: None) -> None:
        _add_role(db, RoleForm(code="form-w", label_en="W"))
        raise error

    # When it is submitted, then the error reaches the caller (the error page) and nothing is written
    with pytest.raises(type(error)):
        submit_form(
            _request(), db, no_input, save, redirect="/x", rerender=_rerender, catch=catch, passthrough=passthrough
        )
    assert (SHOWN, _codes(db)) == ([], [])


def test_typed_fields_parse_every_field_and_name_each_bad_one() -> None:
    # Given kit-typed fields as typed on a page
    good = {"amount": " 1,234.5 ", "share": "33.5%", "day": "2026-12-03"}
    bad = {"amount": "12.345", "share": "100.01", "day": "2026-02-30"}
    # When they are parsed
    parsed = typed_fields(good, amount=Yuan, share=Percent, day=BusinessDate, blank=Yuan)
    with pytest.raises(ValidationFailed) as failed:
        typed_fields(bad, amount=Yuan, share=Percent, day=BusinessDate)
    # Then the good ones are fen, basis points and a date (blank is None); each bad one is named once
    assert parsed == {"amount": 123450, "share": 3350, "day": date(2026, 12, 3), "blank": None}
    assert [(e.field, e.message) for e in failed.value.errors] == [
        ("amount", "Enter an amount in yuan, not negative, with at most two decimals."),
        ("share", "Enter a percentage from 0 to 100 with at most two decimals."),
        ("day", "Enter a date as YYYY-MM-DD."),
    ]
