# SPDX-License-Identifier: EUPL-1.2
"""Inbound e-mail webhooks: the shapes Postmark, Mailgun and SendGrid post, and raw MIME.

The sender's address is not kept (no consent was asked); addresses inside the text are
redacted like any other personal data. A provider's retry of the same message (same
Message-ID) is recognised and stores nothing new. NUL characters, which PostgreSQL cannot
store, are stripped rather than refused: a provider retries a refused mail for days.
"""

import email
import email.policy
import email.utils
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from .mail import html_to_text, message_row, trim_reply
from .models import Channel
from .services import SignalInput

SOURCE = "inbound-email"


class InboundMailError(ValueError):
    """The payload holds no recognisable e-mail; the message says what was missing."""


def _first(data: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and value.replace("\x00", "").strip():
            return value.replace("\x00", "")
    return ""


def _header(headers: str, name: str) -> str:
    message = email.message_from_string(headers, policy=email.policy.default)
    return str(message.get(name, "") or "")


def _moment(value: str) -> datetime:
    """When the mail was sent; now where that does not parse, lies beyond what a date holds,
    or lies more than a day ahead (a signal from the future would count in no period)."""
    now = datetime.now(tz=UTC)
    try:
        if value.isdigit():  # Mailgun: seconds since the epoch
            moment = datetime.fromtimestamp(int(value), tz=UTC)
        else:
            moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return now
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return now if moment > now + timedelta(days=1) else moment


def signal_from_webhook(data: Mapping[str, Any], raw: bytes = b"") -> SignalInput:
    raw_mime = (raw or _first(data, "email", "RawEmail").encode()).replace(b"\x00", b"")
    if raw_mime:
        row = message_row(email.message_from_bytes(raw_mime, policy=email.policy.default))
        if not row["text"]:
            raise InboundMailError("The message has neither a subject nor a text.")
        return SignalInput(
            text=row["text"],
            channel=Channel.EMAIL,
            received_at=_moment(row["received_at"]) if row["received_at"] else _moment(""),
            external_id=row["external_id"],
            source=SOURCE,
        )
    subject = " ".join(_first(data, "Subject", "subject").split())
    body = _first(data, "StrippedTextReply", "stripped-text", "TextBody", "body-plain", "text")
    if not body:
        html = _first(data, "HtmlBody", "body-html", "html")
        body = html_to_text(html) if html else ""
    text = "\n\n".join(part for part in (subject, trim_reply(body)) if part)
    if not text:
        raise InboundMailError(
            "No subject or body found: expected fields such as Subject/TextBody (Postmark), "
            "subject/body-plain (Mailgun), subject/text (SendGrid) or a raw 'email'."
        )
    headers = _first(data, "headers")
    message_id = _first(data, "MessageID", "Message-Id", "message-id") or (
        _header(headers, "Message-ID") if headers else ""
    )
    when = _first(data, "Date", "timestamp") or (_header(headers, "Date") if headers else "")
    return SignalInput(
        text=text,
        channel=Channel.EMAIL,
        received_at=_moment(when),
        external_id=message_id.strip().strip("<>")[:100],
        source=SOURCE,
    )
