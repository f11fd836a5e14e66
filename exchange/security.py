"""Password hashing, secret tokens stored as keyed hashes, and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

# argon2-cffi's defaults are argon2id with the RFC 9106 "low memory" profile.
_hasher = PasswordHasher()
# Verifying against this keeps the time of a log-in for an unknown e-mail close to a real one.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
# zxcvbn's score: 3 is "safely unguessable" (about 10^8 guesses and more), 4 "very unguessable".
PASSWORD_MIN_SCORE = 3
PASSWORD_ESTIMATE_LENGTH = 100
# Words of this site a password should not lean on.
_SITE_WORDS = ("exchange", "internship", "peer", "intern")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, related: Iterable[str] = ()) -> str | None:
    """Why a new password is unacceptable, or None — NIST SP 800-63B §5.1.1.2: a minimum length,
    no composition rules, and a check against passwords that guessing tools try first. That check
    is zxcvbn (Dropbox's estimator: common-password and word lists, keyboard patterns, dates,
    repeats, and the person's own name and e-mail), and its feedback tells how to do better."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"must be at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"must be at most {PASSWORD_MAX_LENGTH} characters"
    hints = [*_SITE_WORDS, *(part for value in related for part in _words_of(value))]
    # zxcvbn's work grows with the length; the first characters are enough to judge.
    result = zxcvbn(password[:PASSWORD_ESTIMATE_LENGTH], user_inputs=hints)
    if result["score"] >= PASSWORD_MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    why = (feedback.get("warning") or
           "It follows a pattern that password-guessing tools try early").rstrip(".")
    how = " ".join(feedback.get("suggestions") or []) or "Add another word or two."
    return (f"is too easy to guess. {why}. {how.rstrip('.')}. "
            "A few unrelated words make a strong password that is easy to remember")


def _words_of(value: str) -> list[str]:
    """A name or an e-mail and its parts: "afreen@gigstaff.example" → afreen, gigstaff, …"""
    value = value.strip().lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", value) if len(p) >= 3]
    return [value, *parts] if value else parts


def new_secret_token(prefix: str, nbytes: int = 32) -> str:
    """A token with a readable prefix (e.g. ``pie_pat_``) so leaked ones can be recognised."""
    return prefix + secrets.token_urlsafe(nbytes)


def keyed_hash(secret_key: str, token: str) -> str:
    """What we store instead of a token: HMAC-SHA256 keyed by the server secret.

    Tokens are long random strings, so a fast keyed hash is enough (no brute-force risk) and lets
    us look a token up by its hash in one indexed query; without the key a stolen database does
    not even allow offline guessing.
    """
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def csrf_token_for(secret_key: str, nonce: str, session_token: str = "") -> str:
    """Signed double-submit token, bound to the browser session: the form carries
    HMAC(secret, cookie nonce + session cookie). A pair taken from an anonymous page (or from
    another person's session) does not match once the victim's session cookie rides along."""
    message = b"csrf:" + nonce.encode() + b"\x00" + session_token.encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def csrf_token_valid(secret_key: str, nonce: str | None, submitted: str | None,
                     session_token: str = "") -> bool:
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(csrf_token_for(secret_key, nonce, session_token), submitted)


def create_private_file(path: Path) -> None:
    """Create `path` empty, readable and writable by its owner only (0600), unless it exists.

    For the SQLite database: SQLite would create it with the process umask (usually 0644), and
    it holds e-mailed secret links until they are sent; its -wal and -shm files take the same
    mode from it. An empty file is a valid empty SQLite database."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)
