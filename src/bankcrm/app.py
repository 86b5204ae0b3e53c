"""create_app(): mounts the API and web routers, error handlers and middleware."""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from bankcrm import __version__
from bankcrm.config import Settings, get_settings
from bankcrm.db import make_engine, make_sessionmaker
from bankcrm.modules import api_routers, view_routers
from bankcrm.web import errors, openapi
from bankcrm.web.guards import reject_nul_characters
from bankcrm.web.middleware import BodyLimitMiddleware, LocaleMiddleware, SecurityHeadersMiddleware
from bankcrm.web.templating import WEB_DIR

API_DESCRIPTION = (
    "The bankcrm JSON API for other bank systems. Authenticate with `POST /api/v1/auth/token` "
    "(OAuth2 password flow) and send `Authorization: Bearer <token>`. Errors are `application/problem+json`."
)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the ASGI app for the given settings (and optionally an existing engine)."""
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO)
    app = FastAPI(
        title="bankcrm",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(reject_nul_characters)],
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.cipher = settings.field_cipher()

    for router in api_routers():
        app.include_router(router, prefix="/api/v1", responses=openapi.PROBLEM_RESPONSES)
    for router in view_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    errors.install(app)
    # Added first, so it runs last: its 413 page is in the request's language, with the security headers.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    openapi.install(app)
    app.add_middleware(LocaleMiddleware, default=settings.default_locale)
    app.add_middleware(SecurityHeadersMiddleware, production=settings.mode == "production")
    return app
