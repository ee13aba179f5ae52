"""The secret in an expert's review link: made, hashed, recognised, and sealed for the outbox.

A token is `secrets.token_urlsafe(32)`: 32 random bytes (256 bits), 43 URL-safe
characters. The database keeps only its SHA-256, so a copy of the database opens
no link. The email that carries the link is sent by a background task; the task's
arguments are stored in the task queue until the task is pruned, so they carry
the token sealed (`seal`), never as it is.
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(text: str) -> bool:
    """Whether `text` could be a token at all (its shape), before any database is asked."""
    return bool(TOKEN_PATTERN.fullmatch(text))


def _pad(link_id: int, length: int) -> bytes:
    """A key stream for one link, from the site's secret: used for that link's one token only."""
    stream, counter = b"", 0
    while len(stream) < length:
        message = f"expert-link-token:{link_id}:{counter}".encode()
        stream += hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
        counter += 1
    return stream[:length]


def seal(link_id: int, token: str) -> str:
    """The token encrypted for the task queue: XOR with a key stream only the site's secret gives (hex)."""
    raw = token.encode("ascii")
    return bytes(a ^ b for a, b in zip(raw, _pad(link_id, len(raw)), strict=True)).hex()


def unseal(link_id: int, sealed: str) -> str:
    raw = bytes.fromhex(sealed)
    return bytes(a ^ b for a, b in zip(raw, _pad(link_id, len(raw)), strict=True)).decode("ascii")
