# SPDX-License-Identifier: EUPL-1.2
"""E-mail as signals: subject and new body text, date, Message-ID, from .eml and .mbox files."""

import email
import email.policy
import mailbox
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerlus.engine.tables import ParseError
from leerlus.feedback.mail import (
    MAIL_HEADER,
    html_to_text,
    message_row,
    open_mail,
    text_of,
    trim_reply,
)


def plain_message(body: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.get("sender", "Jan Jansen <jan.jansen@example.nl>")
    message["To"] = "info@gemeente.example"
    message["Subject"] = headers.get("subject", "Afvalcontainer niet geleegd")
    message["Date"] = headers.get("date", "Mon, 01 Dec 2025 09:30:00 +0100")
    message["Message-ID"] = headers.get("message_id", "<m1@example.nl>")
    message.set_content(body)
    return message


def test_a_plain_message_becomes_a_row_without_the_sender():
    row = message_row(plain_message("De container is al twee weken niet geleegd."))

    assert row == {
        "received_at": "2025-12-01T08:30:00+00:00",
        "subject": "Afvalcontainer niet geleegd",
        "text": "Afvalcontainer niet geleegd\n\nDe container is al twee weken niet geleegd.",
        "external_id": "m1@example.nl",
        "channel": "email",
    }
    assert list(row) == MAIL_HEADER
    assert "jan.jansen" not in row["text"]


def test_quoted_replies_and_signature_are_trimmed():
    body = (
        "Het formulier geeft nog steeds een fout.\n"
        "\n"
        "Op 28 nov. 2025 om 10:12 schreef Gemeente <info@gemeente.example>:\n"
        "> Probeert u het nog eens.\n"
    )
    assert trim_reply(body) == "Het formulier geeft nog steeds een fout."
    assert trim_reply("Dank!\n-- \nJan Jansen\nStraat 1") == "Dank!"
    assert trim_reply("Nieuw\n> oud\n>> ouder\nook nieuw") == "Nieuw\nook nieuw"
    assert trim_reply("Ja.\n\nOn Mon, Dec 1, 2025 at 9:00 AM Jan wrote:\nquote") == "Ja."
    assert trim_reply("Zie hieronder\n-----Oorspronkelijk bericht-----\nVan: x") == "Zie hieronder"
    outlook = "Graag snel\n\nVan: Gemeente\nVerzonden: maandag 1 december\nAan: jan"
    assert trim_reply(outlook) == "Graag snel"


def test_text_that_merely_mentions_writing_is_kept():
    body = "Zoals ik eerder schreef: de lamp is stuk.\nVan: de buren heb ik gehoord dat..."

    assert trim_reply(body) == body


def test_html_only_mail_is_stripped_of_its_tags():
    message = EmailMessage()
    message["Subject"] = "Parkeren"
    message["Date"] = "Mon, 01 Dec 2025 09:30:00 +0000"
    message.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>De parkeer&shy;automaat"
        " is <b>kapot</b>.</p><p>Groet</p><blockquote>oud bericht</blockquote>"
        "<script>alert(1)</script></body></html>",
        subtype="html",
    )

    assert text_of(message) == "Parkeren\n\nDe parkeer\xadautomaat is kapot.\n\nGroet"


def test_multipart_prefers_the_plain_part_and_ignores_attachments():
    message = plain_message("Platte tekst.")
    message.add_alternative("<p>HTML-tekst.</p>", subtype="html")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")

    assert text_of(message) == "Afvalcontainer niet geleegd\n\nPlatte tekst."


def test_encoded_subject_and_latin1_body_are_decoded():
    raw = (
        b"Subject: =?utf-8?q?Caf=C3=A9_vergunning?=\n"
        b"Date: Mon, 01 Dec 2025 09:30:00 +0100\n"
        b"Content-Type: text/plain; charset=iso-8859-1\n"
        b"Content-Transfer-Encoding: quoted-printable\n\n"
        b"Een terras bij het caf=E9.\n"
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)

    assert text_of(message) == "Café vergunning\n\nEen terras bij het café."


def test_bad_or_missing_dates_are_left_for_the_importer_to_reject():
    assert message_row(plain_message("x", date="gisteren"))["received_at"] == "gisteren"
    message = plain_message("x")
    del message["Date"]
    assert message_row(message)["received_at"] == ""
    naive = message_row(plain_message("x", date="Mon, 01 Dec 2025 09:30:00 -0000"))
    assert naive["received_at"] == "2025-12-01T09:30:00+00:00"


def test_a_very_long_message_id_is_replaced_by_its_hash():
    long_id = "<" + "x" * 150 + "@example.nl>"
    first = message_row(plain_message("x", message_id=long_id))["external_id"]

    assert first.startswith("sha-")
    assert len(first) <= 100
    assert message_row(plain_message("y", message_id=long_id))["external_id"] == first


def test_eml_file_is_one_row(tmp_path):
    path = tmp_path / "bericht.eml"
    path.write_bytes(plain_message("Lamp stuk in de Dorpsstraat.").as_bytes())

    with open_mail(path, "eml") as table:
        rows = list(table.rows)

    assert table.header == MAIL_HEADER
    assert rows == [
        (
            2,
            {
                "received_at": "2025-12-01T08:30:00+00:00",
                "subject": "Afvalcontainer niet geleegd",
                "text": "Afvalcontainer niet geleegd\n\nLamp stuk in de Dorpsstraat.",
                "external_id": "m1@example.nl",
                "channel": "email",
            },
        )
    ]


def test_mbox_written_by_the_standard_library_is_streamed_message_by_message(tmp_path):
    path = tmp_path / "postbus.mbox"
    box = mailbox.mbox(path)
    for number in range(3):
        box.add(
            plain_message(
                f"Bericht {number}.\nFrom the start of a line, escaped by mbox.",
                message_id=f"<m{number}@example.nl>",
            )
        )
    box.flush()
    box.close()

    with open_mail(path, "mbox") as table:
        rows = list(table.rows)
        position = table.position()

    assert [n for n, _ in rows] == [2, 3, 4]
    assert [r["external_id"] for _, r in rows] == [
        "m0@example.nl",
        "m1@example.nl",
        "m2@example.nl",
    ]
    assert rows[1][1]["text"].endswith("Bericht 1.\nFrom the start of a line, escaped by mbox.")
    assert position == path.stat().st_size


def test_a_file_that_is_not_an_mbox_is_refused(tmp_path):
    path = tmp_path / "nep.mbox"
    path.write_text("Dit is geen postbus")

    with pytest.raises(ParseError) as caught:
        open_mail(path, "mbox")

    assert caught.value.code == "unreadable_file"


def test_an_empty_mail_file_is_refused(tmp_path):
    path = tmp_path / "leeg.eml"
    path.write_bytes(b"")

    with pytest.raises(ParseError) as caught:
        open_mail(path, "eml")

    assert caught.value.code == "empty_file"


@given(st.binary(max_size=600))
def test_any_bytes_as_a_message_give_a_row_never_an_error(data):
    row = message_row(email.message_from_bytes(data, policy=email.policy.default))

    assert set(row) == set(MAIL_HEADER)


@given(st.text(max_size=400))
def test_html_to_text_never_raises(html):
    assert isinstance(html_to_text(html), str)
