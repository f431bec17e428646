"""Headers every response carries, the CSP nonce, and session cookies marked Secure over HTTPS."""
from __future__ import annotations

import base64
import hashlib
import os
import threading

from flask import Flask, g, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin

_random = threading.local()  # each thread's unused bytes from the operating system's random source


def csp_nonce() -> str:
    """18 random bytes for this response's scripts, from the operating system's source as secrets.token_urlsafe
    takes them, but read 4 KB at a time for each thread: each read is a system call that lets another thread in."""
    here = g._get_current_object()
    nonce = here.get("csp_nonce")
    if nonce is None:
        nonce = here.csp_nonce = base64.urlsafe_b64encode(_random_bytes(18)).rstrip(b"=").decode("ascii")
    return nonce


def _random_bytes(count: int) -> bytes:
    unused = getattr(_random, "unused", b"")
    if len(unused) < count:
        unused = os.urandom(4096)
    _random.unused = unused[count:]
    return unused[:count]


os.register_at_fork(after_in_child=lambda: _random.__dict__.clear())  # a forked child never reuses its parent's


def security_headers(response):
    """Headers every response carries, error pages included."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{csp_nonce()}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


# The stylesheets, scripts and images: the same for everyone, and kept by browsers and proxies (web/assets.py).
SHARED_FILES = frozenset({"static", "asset"})


_UNTAGGED = frozenset({str, int, float, bool, type(None)})


class _SessionTags(TaggedJSONSerializer):
    """Flask's session format, the same text: a value of a type no tag is for (text, a number, true or false, null)
    is written as it is, rather than after asking each of the eight tags whether it is theirs."""

    def tag(self, value):
        return value if type(value) in _UNTAGGED else super().tag(value)


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS, whatever the configuration says, and never
    sent with a shared file: a proxy that keeps the file must not keep anyone's session with it.

    Signed as Flask signs them (HMAC with SHA-1), with hashlib's own SHA-1, which lets the hmac module sign in one
    call to OpenSSL: Flask's default, a function that calls it, makes hmac compute the signature in Python. Taken
    when the serializer is made, not on import, as Flask does (a build without SHA-1 fails on use, not on import)."""

    serializer = _SessionTags()

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app: Flask, session, response) -> None:
        if request.endpoint in SHARED_FILES:  # no cookie, and no "Vary: Cookie" (Flask-Login reads the session)
            return
        super().save_session(app, session, response)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's, with cookies written uncompressed (_PlainCookies), made once for each secret key (and its
        fallbacks) rather than twice a request."""
        if not app.secret_key:
            return None
        fallbacks = tuple(app.config["SECRET_KEY_FALLBACKS"] or ())
        kept = app.extensions.get("session_serializer")
        if kept is None or kept[0] != (app.secret_key, fallbacks):
            serializer = _PlainCookies(
                [*fallbacks, app.secret_key], salt=self.salt, serializer=self.serializer,  # current key last, as Flask
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": hashlib.sha1})
            kept = app.extensions["session_serializer"] = ((app.secret_key, fallbacks), serializer)
        return kept[1]


class _PlainCookies(URLSafeTimedSerializer):
    """Flask's session serializer, writing the cookie without trying zlib on it first. zlib sets up its tables for
    every call (50 microseconds for a 300-byte session, and more with other threads running), to save a few dozen
    bytes of a cookie. Cookies written compressed (by an earlier release) are still read."""

    def dump_payload(self, obj) -> bytes:
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))
