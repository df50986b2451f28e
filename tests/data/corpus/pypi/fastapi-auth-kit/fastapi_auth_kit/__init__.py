"""JWT and OAuth2 helpers for FastAPI applications."""
import base64
import hashlib
import hmac
import json
import time

__version__ = "1.2.0"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def encode_token(claims: dict, secret: str, ttl: int = 3600) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps({**claims, "exp": int(time.time()) + ttl}).encode())
    sig = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(sig)}"
