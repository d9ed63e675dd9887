"""All our HTTP routes in one Starlette app, and the dispatch in front of Reflex's app (portal/portal.py)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from portal.api.auth import ROUTES as AUTH_ROUTES
from portal.api.files import ROUTES as FILE_ROUTES
from portal.api.message_files import ROUTES as MESSAGE_FILE_ROUTES
from portal.api.office_files import ROUTES as OFFICE_FILE_ROUTES
from portal.api.uploads import ROUTES as UPLOAD_ROUTES


def routes_app() -> Starlette:
    return Starlette(routes=[*AUTH_ROUTES, *FILE_ROUTES, *UPLOAD_ROUTES, *OFFICE_FILE_ROUTES, *MESSAGE_FILE_ROUTES])


def with_routes(app: ASGIApp) -> ASGIApp:
    """Reflex's app behind our routes: an HTTP request one of them matches goes to ``routes_app``, everything
    else to Reflex as it is. The event websocket so skips a Starlette layer, which would otherwise wrap every
    frame it sends (mounting ``routes_app`` with Reflex beneath it did)."""
    ours = routes_app()

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(route.matches(scope)[0] != Match.NONE for route in ours.router.routes):
            return await ours(scope, receive, send)
        return await app(scope, receive, send)

    return dispatch
