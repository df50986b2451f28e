"""Who may write: the review token signs a reviewer in; every form carries a CSRF token.

The session id lives in an HttpOnly, SameSite=Strict cookie; the CSRF token is an HMAC of
that id under a per-process secret, so another site can neither read nor forge it.
Sessions are kept in memory: restarting the server signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from pathlib import Path

from analyzer.errors import Error

COOKIE = "pkgsandbox_session"
MIN_TOKEN_CHARS = 16


class AuthError(Error):
    """The review token cannot be read or is too weak."""


def load_token(path: Path | None) -> tuple[str, bool]:
    """The token from `path`, or a fresh one; True when it was generated (print it)."""
    if path is None:
        return secrets.token_urlsafe(32), True
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AuthError(f"cannot read the token file {path}: {exc.strerror}") from exc
    if len(token) < MIN_TOKEN_CHARS:
        raise AuthError(f"the token in {path} is shorter than {MIN_TOKEN_CHARS} characters")
    return token, False


class Sessions:
    def __init__(self, token: str) -> None:
        self._token = token.encode("utf-8")
        self._secret = secrets.token_bytes(32)
        self._reviewers: dict[str, str] = {}
        self._lock = threading.Lock()

    def login(self, token: str, reviewer: str) -> str | None:
        """A new session id when `token` is right, else None."""
        if not hmac.compare_digest(token.encode("utf-8"), self._token) or not reviewer.strip():
            return None
        session = secrets.token_urlsafe(32)
        with self._lock:
            self._reviewers[session] = reviewer.strip()[:128]
        return session

    def reviewer(self, session: str | None) -> str | None:
        if not session:
            return None
        with self._lock:
            return self._reviewers.get(session)

    def csrf(self, session: str) -> str:
        return hmac.new(self._secret, session.encode("utf-8"), hashlib.sha256).hexdigest()

    def check_csrf(self, session: str, value: str) -> bool:
        return hmac.compare_digest(self.csrf(session).encode(), value.encode("utf-8"))
