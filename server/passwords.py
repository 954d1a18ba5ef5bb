"""Password hashes: argon2id at OWASP's minimum cost, older scrypt hashes still accepted.

argon2id with 19 MiB, two passes and one lane is OWASP's current minimum; it costs
about 40 ms on a laptop-class CPU, where scrypt at the same strength (N=2^17) costs half
a second and 128 MiB. Hashes made with older settings (the scrypt N=2^14 ones of
earlier releases, or argon2id with a lower cost) verify as before and report
`needs_rehash`, so the next successful login upgrades them.

Every hash is memory-hard on purpose, so at most `HASH_SLOTS` run at once: a burst of
logins queues instead of costing the thread pool's size times 19 MiB.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import threading
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from server.settings import Settings

HASH_SLOTS: Final = 8
_slots = threading.BoundedSemaphore(HASH_SLOTS)
_SCRYPT: Final = "scrypt"
_ARGON2ID: Final = "$argon2id$"
# Verifying reads the cost from the hash itself; this instance's own settings are unused.
_verifier: Final = PasswordHasher()


@functools.lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def _current(settings: Settings) -> PasswordHasher:
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


def hash_password(password: str, settings: Settings) -> str:
    with _slots:
        return _current(settings).hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored` (argon2id, or a legacy scrypt hash)."""
    with _slots:
        if stored.startswith(_ARGON2ID):
            try:
                return _verifier.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return False
        return _verify_scrypt(password, stored)


def needs_rehash(stored: str, settings: Settings) -> bool:
    """The hash was made with weaker settings than today's: upgrade it at the next login."""
    if not stored.startswith(_ARGON2ID):
        return True
    try:
        return _current(settings).check_needs_rehash(stored)
    except InvalidHashError:
        return True


@functools.lru_cache(maxsize=8)
def _dummy(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash(secrets.token_urlsafe(16))


def waste_time(password: str, settings: Settings) -> None:
    """Verify against a throwaway hash, so an unknown username takes as long to refuse."""
    stored = _dummy(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )
    verify_password(password, stored)


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != _SCRYPT:
            return False
        expected = base64.b64decode(digest_b64)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt_b64),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=256 * 1024 * 1024,
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
