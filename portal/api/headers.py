"""Security headers on every response, and a Content-Security-Policy on the app's pages.

The pages are Reflex's prerendered HTML files (``<web dir>/build/client``): their inline scripts
(React Router's context, the theme script, React's streaming helpers) are fixed at build time, so the
policy allows exactly those, by their SHA-256 hash, read once from the built files, and scripts
from our own origin; any other inline script (an injected one) does not run.
``'unsafe-eval'`` stays: Reflex runs the scripts our handlers send (``rx.call_script``) with
``eval``. Styles need ``'unsafe-inline'`` (Radix and Emotion set style attributes and tags at run time).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from functools import cache
from pathlib import Path

from portal.config import get_settings

log = logging.getLogger(__name__)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)


def inline_script_hashes(html: str) -> set[str]:
    """CSP source expressions for the inline scripts of one page.

    >>> sorted(inline_script_hashes('<script>a()</script><script src="/x.js"></script><script type="module">b()</script>'))
    ["'sha256-cf242PFc/kb7xD0Qzhsmd9vvRkc+cWFmbi+k+YvtdKc='", "'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='"]
    """
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
        if body
    }


def build_dir() -> Path:
    """Where ``reflex run --env prod`` serves the pages from."""
    return Path(os.environ.get("REFLEX_WEB_WORKDIR") or ".web").resolve() / "build" / "client"


@cache
def page_policy() -> bytes:
    """The Content-Security-Policy of every HTML page (computed once per process from the build)."""
    hashes: set[str] = set()
    for page in sorted(build_dir().rglob("*.html")):
        hashes |= inline_script_hashes(page.read_text(encoding="utf-8", errors="replace"))
    if not hashes:
        log.warning("no built pages found under %s: the page policy allows no inline script", build_dir())
    policy = [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-eval' {' '.join(sorted(hashes))}".rstrip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(policy).encode()


def security_headers(app):
    """ASGI middleware: security headers on every response; HSTS when the site is https; HTML pages get
    the Content-Security-Policy and are never stored by caches.

    ``no-store`` on pages also keeps a page out of the back/forward cache, so the back button after
    logout cannot show what was on screen.
    """
    https = get_settings().secure_cookies

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if https:
                    headers.append(HSTS)
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    headers = [(k, v) for k, v in headers if k.lower() not in (b"cache-control", b"content-security-policy")]
                    headers += [(b"cache-control", b"no-store"), (b"content-security-policy", page_policy())]
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, send_with_headers)

    return wrapped
