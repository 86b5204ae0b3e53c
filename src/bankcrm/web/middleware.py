"""Pure ASGI middleware: request locale, and security headers on every response."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bankcrm.kit.i18n import negotiate, normalise_locale
from bankcrm.web.errors import BodyTooLarge, too_large

LANG_COOKIE = "bankcrm_lang"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Browser features the app never uses, switched off for it and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
# Two years, the usual preload length; production only, so a developer's plain-http localhost is not pinned.
HSTS = "max-age=63072000; includeSubDomains"


class LocaleMiddleware:
    """Pick the language: cookie set by the switch, else Accept-Language, else the default."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app, self.default = app, default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            chosen = normalise_locale(request.cookies.get(LANG_COOKIE))
            scope.setdefault("state", {})["locale"] = chosen or negotiate(
                request.headers.get("accept-language"), self.default
            )
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """CSP, framing, sniffing, referrer and feature rules everywhere (HSTS in production); no caching outside
    /static."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app, self.production = app, production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = PERMISSIONS_POLICY
                if self.production:
                    headers["Strict-Transport-Security"] = HSTS
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with a 413 before they are read into memory.

    A declared Content-Length over the limit is answered before the app runs at all; a body without
    one (chunked) is counted as it arrives and cut off at the limit, whatever route reads it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await too_large(Request(scope))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, counted, send)
