# SPDX-License-Identifier: EUPL-1.2
"""Reading e-mail as signals: one ``.eml`` message or an ``.mbox`` mailbox, streamed.

Each message becomes a row like a CSV row (see ``parsing``), with the fixed columns of
:data:`MAIL_HEADER`, so e-mail goes through the same mapping, rejection and correction as every
other import. The text is the subject and the plain body (an HTML-only message is stripped of
its tags), without quoted replies (lines starting with ``>``, everything after "On ... wrote:")
and without the signature (after a ``-- `` line). The sender's address and name are never put
in the text; addresses inside the body are removed later by the redaction.

Pure Python (standard library ``email``), no Django.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC
from email.message import EmailMessage, Message
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Final

from leerlus.engine.tables import ParseError, Row, Table

from .parsing import ColumnMapping

__all__ = ["MAIL_HEADER", "MAIL_MAPPING", "message_row", "open_mail", "text_of"]

MAIL_HEADER: Final = ["received_at", "subject", "text", "external_id", "channel"]
MAIL_MAPPING: Final = ColumnMapping(
    columns={
        "text": "text",
        "received_at": "received_at",
        "external_id": "external_id",
        "channel": "channel",
    }
)
# Feedback.external_id holds 100 characters; a longer Message-ID is replaced by its hash.
MAX_EXTERNAL_ID: Final = 100

_QUOTE_INTRO: Final = re.compile(
    r"^\s*(?:On\s.*\swrote|Op\s.*\sschreef\b.*)\s*:\s*$", re.IGNORECASE
)
_ORIGINAL: Final = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Oorspronkelijk bericht|Origineel bericht|"
    r"Forwarded message|Doorgestuurd bericht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM: Final = re.compile(r"^\s*(?:From|Van)\s*:", re.IGNORECASE)
_OUTLOOK_SENT: Final = re.compile(r"^\s*(?:Sent|Verzonden|Date|Datum)\s*:", re.IGNORECASE)


class _TextOfHtml(HTMLParser):
    _BLOCKS: Final = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag == "blockquote":
            self._quote += 1  # a quoted reply in an HTML mail
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag == "blockquote":
            self._quote = max(0, self._quote - 1)
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip and not self._quote:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def trim_reply(body: str) -> str:
    """The new part of a message: no quoted lines, no quoted original, no signature."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.rstrip() == "--" and line.startswith("--"):  # "-- " signature separator
            break
        if _QUOTE_INTRO.match(line) or _ORIGINAL.match(line):
            break
        if (
            _OUTLOOK_FROM.match(line)
            and index + 1 < len(lines)
            and any(_OUTLOOK_SENT.match(following) for following in lines[index + 1 : index + 4])
            and (not kept or not kept[-1].strip())
        ):
            break  # an Outlook reply header: From:/Sent: (Van:/Verzonden:) after a blank line
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _decoded(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
    except (LookupError, ValueError, AssertionError):
        content = None
    if isinstance(content, str):
        return content
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("cp1252", errors="replace")


def text_of(message: Message) -> str:
    """Subject and new body text of a message (plain text preferred, else stripped HTML)."""
    subject = " ".join(str(message.get("subject", "") or "").split())
    body = ""
    part: Message | None = None
    if isinstance(message, EmailMessage):
        try:
            part = message.get_body(preferencelist=("plain", "html"))
        except (LookupError, ValueError, AttributeError):
            part = None
    if part is None and not message.is_multipart():
        part = message
    if part is not None:
        content = _decoded(part)
        body = html_to_text(content) if part.get_content_type() == "text/html" else content
    body = trim_reply(body)
    return "\n\n".join(p for p in (subject, body) if p)


def _received_at(message: Message) -> str:
    value = message.get("date")
    if not value:
        return ""
    try:
        moment = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return str(value)  # kept as it was, so the importer can say it is not a date
    if moment.tzinfo is None:  # "-0000": the zone is unknown; RFC 5322 means UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _external_id(message: Message) -> str:
    value = " ".join(str(message.get("message-id", "") or "").split()).strip("<>")
    if len(value) > MAX_EXTERNAL_ID:
        return "sha-" + hashlib.blake2b(value.encode(), digest_size=20).hexdigest()
    return value


def message_row(message: Message) -> dict[str, str]:
    return {
        "received_at": _received_at(message),
        "subject": " ".join(str(message.get("subject", "") or "").split()),
        "text": text_of(message),
        "external_id": _external_id(message),
        "channel": "email",
    }


def _parse(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.default)


def _mbox_messages(binary: IO[bytes]) -> Iterator[bytes]:
    """The messages of an mbox file, one at a time: each starts with a "From " line after a
    blank line (or at the start). ">From " lines are unescaped (mboxrd)."""
    lines: list[bytes] = []
    previous_blank = True
    for line in binary:
        if line.startswith(b"From ") and previous_blank:
            if lines:
                yield b"".join(lines)
            lines = []
        else:
            if re.match(rb">+From ", line):
                line = line[1:]
            lines.append(line)
        previous_blank = not line.strip()
    if lines:
        yield b"".join(lines)


def open_mail(path: str | Path, file_format: str) -> Table:
    """An ``.eml`` file (one row) or an ``.mbox`` file (a row per message) as a Table."""
    path = Path(path)
    size = path.stat().st_size
    if not size:
        raise ParseError("empty_file", "%(name)s has no rows.", name=path.name)
    binary = path.open("rb")
    if file_format == "eml":

        def rows() -> Iterator[Row]:
            yield 2, message_row(_parse(binary.read()))

    else:
        head = binary.read(5)
        binary.seek(0)
        if head != b"From ":
            binary.close()
            raise ParseError(
                "unreadable_file",
                "%(name)s cannot be read as a %(kind)s file.",
                name=path.name,
                kind="MBOX",
            )

        def rows() -> Iterator[Row]:
            for number, data in enumerate(_mbox_messages(binary), start=2):
                yield number, message_row(_parse(data))

    return Table(
        header=list(MAIL_HEADER),
        rows=rows(),
        size=size,
        file_format=file_format,
        position=binary.tell,
        _close=binary.close,
    )
