# SPDX-License-Identifier: EUPL-1.2
"""The message catalogues are complete, well-formed and compiled.

Dutch is the default UI language, so a string without a Dutch translation shows up in
English to most users. English is the source language: its catalogue stays empty except
for plural forms.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["nl", "en"]

# %(name)s, %s, %d, %%: Python formatting; {name}, {0}, {}: str.format.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}]*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
INFORMAL = re.compile(r"\b(?:je|jij|jou|jouw|jezelf)\b", re.IGNORECASE)
FORMAL = re.compile(r"\b(?:u|uw)\b", re.IGNORECASE)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m[1], m[0]), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the subset of the PO format that makemessages writes."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue  # obsolete entry: msgfmt ignores it
        elif line.startswith("#,"):
            if target is not None:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if target is not None:
                finish()
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without a keyword"
            keyword, index = target
            if keyword == "msgstr":
                entry.msgstr[index or 0] += _unquote(line)
            else:
                setattr(entry, keyword, (getattr(entry, keyword) or "") + _unquote(line))
        else:
            keyword, _, value = line.partition(" ")
            if keyword == "msgctxt" or (keyword == "msgid" and target and target[0] != "msgctxt"):
                finish()
            match = re.fullmatch(r"(msgctxt|msgid|msgid_plural|msgstr)(?:\[(\d+)\])?", keyword)
            assert match, f"{path}:{number}: unexpected line {raw!r}"
            name, index = match[1], match[2]
            if name == "msgstr":
                entry.msgstr[int(index or 0)] = _unquote(value)
            else:
                setattr(entry, name, _unquote(value))
            if not entry.line:
                entry.line = number
            target = (name, int(index) if index is not None else None)
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def messages(language: str) -> list[Entry]:
    return [entry for entry in parse_po(po_path(language)) if not entry.is_header]


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def test_the_parser_reads_every_entry():
    for language in LANGUAGES:
        text = po_path(language).read_text(encoding="utf-8")
        active = [line for line in text.splitlines() if line.startswith("msgid ")]

        assert len(parse_po(po_path(language))) == len(active)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_fuzzy_entries(language):
    fuzzy = [entry.label for entry in parse_po(po_path(language)) if "fuzzy" in entry.flags]

    assert fuzzy == []


def test_every_dutch_message_is_translated():
    entries = messages("nl")
    empty = [entry.label for entry in entries if not all(entry.msgstr.values())]
    missing_plural = [
        entry.label
        for entry in entries
        if entry.msgid_plural is not None and set(entry.msgstr) != {0, 1}
    ]

    assert entries
    assert empty == []
    assert missing_plural == []


def test_dutch_header_names_the_language_and_plural_rule():
    header = next(entry for entry in parse_po(po_path("nl")) if entry.is_header).msgstr[0]

    assert "Language: nl\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert "charset=UTF-8" in header


def test_english_falls_back_to_the_source_text():
    for entry in messages("en"):
        if entry.msgid_plural is None:
            assert entry.msgstr == {0: ""}, entry.label
        else:
            assert entry.msgstr == {0: entry.msgid, 1: entry.msgid_plural}, entry.label


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_html_survive_translation(language):
    wrong = []
    for entry in messages(language):
        for index, text in entry.msgstr.items():
            if not text:
                continue
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            if placeholders(text) != placeholders(source):
                wrong.append(f"{entry.label}: placeholders {sorted(placeholders(text))}")
            if sorted(HTML_TAG.findall(text)) != sorted(HTML_TAG.findall(source)):
                wrong.append(f"{entry.label}: HTML tags differ")

    assert wrong == []


def test_dutch_messages_do_not_mix_u_and_je():
    mixed = [
        entry.label
        for entry in messages("nl")
        for text in entry.msgstr.values()
        if INFORMAL.search(text) and FORMAL.search(text)
    ]

    assert mixed == []


def _assert_catalogue_matches(mo: Path, entries: list[Entry]) -> None:
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        if entry.msgid_plural is None:
            expected = entry.msgstr[0] or entry.msgid
            if entry.msgctxt is None:
                actual = compiled.gettext(entry.msgid)
            else:
                actual = compiled.pgettext(entry.msgctxt, entry.msgid)
            if actual != expected:
                stale.append(entry.label)
            continue
        for n, index in ((1, 0), (2, 1)):
            expected = entry.msgstr.get(index) or (entry.msgid, entry.msgid_plural)[index]
            if entry.msgctxt is None:
                actual = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            else:
                actual = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if actual != expected:
                stale.append(f"{entry.label} [{index}]")

    assert stale == [], f"{mo} is out of date: run `leerlus compilemessages`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_file_matches_the_po_file(language):
    mo = po_path(language).with_suffix(".mo")

    assert mo.exists(), f"{mo} is missing: run `leerlus compilemessages`"
    _assert_catalogue_matches(mo, messages(language))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext msgfmt is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_po_file_compiles_cleanly_with_msgfmt(language, tmp_path):
    out = tmp_path / "django.mo"
    result = subprocess.run(  # noqa: S603
        [str(shutil.which("msgfmt")), "--check", "-o", str(out), str(po_path(language))],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    _assert_catalogue_matches(out, messages(language))


# Aliases, so that makemessages does not collect these test strings into the catalogues.
look_up = translation.gettext
look_up_plural = translation.ngettext


def test_dutch_is_used_at_runtime():
    with translation.override("nl"):
        assert look_up("Log in") == "Inloggen"
        assert look_up("Skip to main content") == "Naar de hoofdinhoud"
        assert look_up_plural("%(days)s day", "%(days)s days", 3) % {"days": 3} == "3 dagen"
        rendered = Template(
            "{% load i18n %}{% blocktranslate with name=who %}Welcome, {{ name }}"
            "{% endblocktranslate %}"
        ).render(Context({"who": "Anna"}))

    assert rendered == "Welkom, Anna"


def test_english_is_used_at_runtime():
    with translation.override("en"):
        assert look_up("Log in") == "Log in"
        assert look_up_plural("%(days)s day", "%(days)s days", 1) == "%(days)s day"
