"""Standard Webhooks signing (https://www.standardwebhooks.com/) with the
``standardwebhooks`` package: secrets ``whsec_`` + base64 of 32 random bytes, and the three
headers of a request. During a secret's rotation both secrets sign, space-separated, as the
specification allows; a receiver accepts the request when one of them verifies."""

import base64
import datetime as dt
import secrets

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105  the format's prefix, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature_header(
    *, secrets_in_use: list[str], message_id: str, at: dt.datetime, body: bytes
) -> str:
    """``v1,<base64>`` per secret, space-separated."""
    return " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
        for secret in secrets_in_use
    )


def signed_headers(
    *, secrets_in_use: list[str], message_id: str, at: dt.datetime, body: bytes
) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature_header(
            secrets_in_use=secrets_in_use, message_id=message_id, at=at, body=body
        ),
    }
