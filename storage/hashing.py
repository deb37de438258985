"""Hashing of the secrets people hold (conversation tokens, resume codes): only hashes are stored."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["hash_secret", "secrets_match"]


def hash_secret(value: str, key: bytes) -> str:
    """Keyed SHA-256: the secrets carry 60+ random bits, so a slow hash adds nothing; the key means
    a stolen database alone is not enough to test guesses."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def secrets_match(stored_hash: str, value: str, key: bytes) -> bool:
    return hmac.compare_digest(stored_hash, hash_secret(value, key))
