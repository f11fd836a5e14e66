"""Standard Webhooks signatures (https://www.standardwebhooks.com): shared by the sender and the
client's `verify_webhook`, so both sides agree byte for byte.

Headers: `webhook-id` (the message id), `webhook-timestamp` (Unix seconds), `webhook-signature`
(`v1,<base64 HMAC-SHA256 over "{id}.{timestamp}.{body}">`, several separated by spaces during a
secret rotation). The secret is `whsec_<base64 key>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"  # noqa: S105 - a readable prefix, not a secret


class WebhookVerificationError(Exception):
    pass


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def secret_from_key(key: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(key).decode()


def sign(secret: str, message_id: str, timestamp: int, body: str | bytes) -> str:
    payload = body.encode() if isinstance(body, str) else body
    to_sign = f"{message_id}.{timestamp}.".encode() + payload
    digest = hmac.new(_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers_for(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body),
            "content-type": "application/json"}


def verify(headers: Mapping[str, str], body: str | bytes, secret: str, *,
           tolerance: int = 300, now: float | None = None) -> None:
    """Raise WebhookVerificationError unless a signature matches and the timestamp is within
    `tolerance` seconds (replayed old messages are refused)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    message_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not message_id or not stamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or "
                                       "webhook-signature header")
    try:
        timestamp = int(stamp)
    except ValueError as exc:
        raise WebhookVerificationError("webhook-timestamp is not a number") from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance")
    expected = sign(secret, message_id, timestamp, body).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise WebhookVerificationError("no matching signature")
