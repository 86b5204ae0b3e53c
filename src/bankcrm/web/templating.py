"""Jinja2 environment with gettext, and the page renderer every view uses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bankcrm.kit.i18n import LOCALE_LABELS, Labelled, label, translations
from bankcrm.kit.time import to_local
from bankcrm.modules import navigation

WEB_DIR = Path(__file__).resolve().parent
_env = Environment(
    loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=select_autoescape(), extensions=["jinja2.ext.i18n"]
)
templates = Jinja2Templates(env=_env)


def locale_of(request: Request) -> str:
    """The request's locale, chosen by the locale middleware."""
    return getattr(request.state, "locale", "en")


def _formatters(locale: str, zone: str) -> dict[str, Any]:
    babel_locale = "zh_Hans_CN" if locale == "zh_CN" else "en"

    def dt(value: datetime | None) -> str:
        if value is None:
            return "—"
        return format_datetime(to_local(value, zone), "yyyy-MM-dd HH:mm:ss", locale=babel_locale)

    def num(value: int | float) -> str:
        return format_decimal(value, locale=babel_locale)

    def money(fen: int | None, digits: int = 2) -> str:
        """Integer minor units with the currency's decimals and thousands separators: 123456 → 1,234.56."""
        if fen is None:
            return "—"
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(Decimal(fen).scaleb(-digits), format=pattern, locale=babel_locale)

    def rate(bp: int | None) -> str:
        """Basis points as a percentage with two decimals: 175 → 1.75%."""
        if bp is None:
            return "—"
        return format_decimal(Decimal(bp) / 100, format="0.00", locale=babel_locale) + "%"

    def label_of(row: Labelled) -> str:
        """A code-table row's (or role's, permission's) label in the reader's language."""
        return label(row, locale)

    return {"fmt_dt": dt, "fmt_num": num, "fmt_money": money, "fmt_rate": rate, "label_of": label_of}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page or partial with the translator, the principal and navigation in context."""
    locale = locale_of(request)
    tr = translations(locale)
    principal = getattr(request.state, "principal", None)
    settings = request.app.state.settings
    nav = [
        (e.path, tr.gettext(e.label))
        for e in navigation()
        if principal is not None and (e.permission is None or principal.can(e.permission))
    ]
    ctx: dict[str, Any] = {
        "request": request,
        "_": tr.gettext,
        "gettext": tr.gettext,
        "ngettext": tr.ngettext,
        "pgettext": tr.pgettext,  # one English word, two meanings: pgettext("home ownership", "Home")
        "npgettext": tr.npgettext,
        "locale": locale,
        "locale_labels": LOCALE_LABELS,
        "principal": principal,
        "csrf_token": principal.csrf_token if principal else None,
        "nav": nav,
        "current_path": request.url.path,
        **_formatters(locale, settings.timezone),
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, ctx, status_code=status, headers=headers)
