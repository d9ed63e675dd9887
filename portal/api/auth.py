"""HTTP routes for login, logout and password reset (the security headers: portal/api/headers.py).

The session cookie is set here, by an HTTP response, so it can be HttpOnly (JavaScript never sees
it). Every POST must come from our own origin (plus SameSite=Strict on the cookie).
"""

from __future__ import annotations

import json
import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal.config import get_settings
from portal.domain import auth, invitations, twofa
from portal.domain.errors import InvalidInput, Throttled
from portal.api.common import client_ip, request_language, session_token
from portal.domain.security import cookie_name, secret_cookie
from portal.i18n import translate

MAX_BODY = 8 * 1024
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


def _error(lang: str, msgid: str, status: int, **params: object) -> JSONResponse:
    return JSONResponse({"error": translate(lang, msgid, **params)}, status_code=status, headers={"Cache-Control": "no-store"})


async def _read_json(request: Request) -> dict | None:
    """The JSON body (at most 8 KiB) of a same-origin POST, or None."""
    if request.headers.get("origin") != get_settings().site_origin:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _forbidden() -> JSONResponse:
    return JSONResponse({"error": "forbidden"}, status_code=403)


async def login(request: Request) -> JSONResponse:
    body = await _read_json(request)
    if body is None:
        return _forbidden()
    lang = request_language(request, body)
    email, password = body.get("email", "").strip(), body.get("password", "")
    if not email or not password:
        return _error(lang, "auth.missing_fields", 400)
    try:
        result = await run_in_threadpool(
            auth.login, email, password, ip=client_ip(request), user_agent=request.headers.get("user-agent", "")
        )
    except Throttled as exc:
        minutes = max(1, (int(exc.params.get("seconds", 60)) + 59) // 60)
        return _error(lang, "auth.throttled", 429, minutes=minutes)
    except InvalidInput as exc:
        return _error(lang, exc.msgid, 401)
    return _signed_in(result)


def _signed_in(result: auth.LoginResult) -> JSONResponse:
    """The answer to a finished login step: the session cookie, or the pending second step's cookie
    (HttpOnly, 10 minutes; it opens nothing but the code page)."""
    settings = get_settings()
    response = JSONResponse({"redirect": result.redirect}, headers={"Cache-Control": "no-store"})
    cookie = {"path": "/", "httponly": True, "samesite": "strict", "secure": settings.secure_cookies}
    if result.pending:
        response.set_cookie(cookie_name(twofa.PENDING_COOKIE), result.pending, max_age=int(twofa.CHALLENGE_TTL.total_seconds()), **cookie)
        return response
    response.set_cookie(cookie_name(auth.SESSION_COOKIE), result.token, max_age=settings.session_absolute_hours * 3600, **cookie)
    response.delete_cookie(cookie_name(twofa.PENDING_COOKIE), **cookie)
    response.set_cookie("portal_lang", result.actor.language, max_age=365 * 86400, path="/", samesite="lax", secure=settings.secure_cookies)
    return response


async def _code_step(request: Request, check, *, recovery_allowed: bool) -> JSONResponse:
    """A code sent by SMS (or from an authenticator, or the recovery code where ``recovery_allowed``) for the attempt
    in the HttpOnly pending cookie: ``check(pending, given, ...)`` opens the session or refuses."""
    body = await _read_json(request)
    if body is None:
        return _forbidden()
    lang = request_language(request, body)
    pending = secret_cookie(request.headers.get("cookie"), twofa.PENDING_COOKIE)
    recovery = body.get("recovery", "").strip() if recovery_allowed else ""
    given = recovery or body.get("code", "").strip()
    if not given:
        return _error(lang, "twofa.code_missing", 400)
    extra = {"recovery": bool(recovery)} if recovery_allowed else {}
    try:
        result = await run_in_threadpool(check, pending, given, **extra, ip=client_ip(request),
                                         user_agent=request.headers.get("user-agent", ""))
    except Throttled as exc:
        return _error(lang, exc.msgid, 429, **exc.params)
    except InvalidInput as exc:
        return _error(lang, exc.msgid, 401, **exc.params)
    return _signed_in(result)


async def _resend(request: Request, send) -> JSONResponse:
    """A new SMS code for the attempt in the pending cookie (``send(pending)``; cooldown and limits in the domain)."""
    body = await _read_json(request)
    if body is None:
        return _forbidden()
    lang = request_language(request, body)
    try:
        await run_in_threadpool(send, secret_cookie(request.headers.get("cookie"), twofa.PENDING_COOKIE))
    except Throttled as exc:
        return _error(lang, exc.msgid, 429, **exc.params)
    except InvalidInput as exc:
        return _error(lang, exc.msgid, 400, **exc.params)
    return JSONResponse({"message": translate(lang, "twofa.code_resent")}, headers={"Cache-Control": "no-store"})


async def code(request: Request) -> JSONResponse:
    """The second login step: ``code`` (SMS or authenticator) or ``recovery`` (the recovery code)."""
    return await _code_step(request, auth.login_second_step, recovery_allowed=True)


async def resend_code(request: Request) -> JSONResponse:
    return await _resend(request, twofa.resend_login_code)


async def logout(request: Request) -> JSONResponse:
    body = await _read_json(request)
    if body is None:
        return _forbidden()
    token = session_token(request)
    await run_in_threadpool(auth.logout, token, ip=client_ip(request))
    response = JSONResponse({"redirect": "/login"}, headers={"Cache-Control": "no-store", "Clear-Site-Data": '"cache"'})
    response.delete_cookie(cookie_name(auth.SESSION_COOKIE), path="/", httponly=True, samesite="strict", secure=get_settings().secure_cookies)
    return response


async def forgot(request: Request) -> JSONResponse:
    """The same answer, at once, for every well-formed address: the lookup and the mail run afterwards
    in the background (``auth.queue_password_reset``), so not even the timing tells an address exists."""
    body = await _read_json(request)
    if body is None:
        return _forbidden()
    lang = request_language(request, body)
    email = body.get("email", "").strip()
    if not EMAIL_RE.match(email):
        return _error(lang, "forgot.invalid_email", 400)
    auth.queue_password_reset(email, ip=client_ip(request), language=lang)
    return JSONResponse({"message": translate(lang, "forgot.sent")}, headers={"Cache-Control": "no-store"})


async def _set_password(request: Request, purpose: str, done: str, body: dict | None = None) -> JSONResponse:
    body = body if body is not None else await _read_json(request)
    if body is None:
        return _forbidden()
    lang = request_language(request, body)
    password, repeat = body.get("password", ""), body.get("password2", "")
    if password != repeat:
        return _error(lang, "reset.mismatch", 400)
    try:
        await run_in_threadpool(auth.reset_password, body.get("token", ""), password, ip=client_ip(request), purpose=purpose)
    except InvalidInput as exc:
        return _error(lang, exc.msgid, 400, **exc.params)
    return JSONResponse({"redirect": done}, headers={"Cache-Control": "no-store"})


async def reset(request: Request) -> JSONResponse:
    return await _set_password(request, "reset", "/login?reset=1")


async def activate(request: Request) -> JSONResponse:
    """An activation link. A company's extra account: the colleague sets their password. An office's invitation
    (``invitations.is_invitation``): the password is checked and a code goes to the mobile the office entered;
    the attempt rides in the pending cookie (HttpOnly) to /activeren/code."""
    body = await _read_json(request)
    if body is None:
        return _forbidden()
    token = body.get("token", "")
    if not await run_in_threadpool(invitations.is_invitation, token):
        return await _set_password(request, "activation", "/login?activated=1", body)
    lang = request_language(request, body)
    password, repeat = body.get("password", ""), body.get("password2", "")
    if password != repeat:
        return _error(lang, "reset.mismatch", 400)
    try:
        pending, redirect = await run_in_threadpool(invitations.begin_activation, token, password)
    except Throttled as exc:
        return _error(lang, exc.msgid, 429, **exc.params)
    except InvalidInput as exc:
        return _error(lang, exc.msgid, 400, **exc.params)
    return _signed_in(auth.LoginResult(pending=pending, redirect=redirect))


async def activate_code(request: Request) -> JSONResponse:
    """The SMS code of an office's invitation: the password is set and a session opens on Home."""
    return await _code_step(request, invitations.finish_activation, recovery_allowed=False)


async def activate_resend(request: Request) -> JSONResponse:
    return await _resend(request, invitations.resend_activation_code)


ROUTES = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/forgot", forgot, methods=["POST"]),
    Route("/auth/reset", reset, methods=["POST"]),
    Route("/auth/activate", activate, methods=["POST"]),
    Route("/auth/activate/code", activate_code, methods=["POST"]),
    Route("/auth/activate/resend", activate_resend, methods=["POST"]),
    Route("/auth/code", code, methods=["POST"]),
    Route("/auth/code/resend", resend_code, methods=["POST"]),
]

