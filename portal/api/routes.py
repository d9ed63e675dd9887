"""All our HTTP routes in one Starlette app; Reflex's app is mounted beneath them (portal/portal.py)."""

from __future__ import annotations

from starlette.applications import Starlette

from portal.api.auth import ROUTES as AUTH_ROUTES
from portal.api.files import ROUTES as FILE_ROUTES
from portal.api.message_files import ROUTES as MESSAGE_FILE_ROUTES
from portal.api.office_files import ROUTES as OFFICE_FILE_ROUTES
from portal.api.uploads import ROUTES as UPLOAD_ROUTES


def routes_app() -> Starlette:
    return Starlette(routes=[*AUTH_ROUTES, *FILE_ROUTES, *UPLOAD_ROUTES, *OFFICE_FILE_ROUTES, *MESSAGE_FILE_ROUTES])
