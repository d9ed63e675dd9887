"""What every route needs: the caller's address, the language to answer in, the session cookie."""

from __future__ import annotations

from starlette.requests import Request

from portal.domain import auth
from portal.domain.security import cookie_value, secret_cookie
from portal.i18n import LANGUAGES, pick_language


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def request_language(request: Request, body: dict | None = None) -> str:
    """The language to answer in: the one the page sent, else the language cookie, else the browser's."""
    lang = (body or {}).get("lang")
    if lang in LANGUAGES:
        return lang
    return cookie_value(request.headers.get("cookie"), "portal_lang") or pick_language(request.headers.get("accept-language"))


def session_token(request: Request) -> str | None:
    """The session cookie's value (``__Host-portal_session`` on https)."""
    return secret_cookie(request.headers.get("cookie"), auth.SESSION_COOKIE)


def path_row_id(request: Request, name: str) -> int | None:
    """The row id in the route's path parameter ``name``; None when it is no plain number (the route answers 404)."""
    value = str(request.path_params.get(name, ""))
    return int(value) if value.isdigit() and len(value) < 20 else None
