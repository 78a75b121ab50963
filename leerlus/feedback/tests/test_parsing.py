# SPDX-License-Identifier: EUPL-1.2
"""The importer's file vocabulary: accepted formats and the mapping of columns to fields."""

import ast
from pathlib import Path

import pytest

from leerlus.engine.tables import ParseError
from leerlus.feedback import parsing
from leerlus.feedback.parsing import ColumnMapping, auto_mapping, load_mapping, resolve_mapping

# --- formats -------------------------------------------------------------------------------


def test_unknown_extension_is_refused():
    with pytest.raises(ParseError, match="not a CSV, XLSX, JSONL, EML or MBOX") as caught:
        parsing.format_of("verslag.docx")

    assert caught.value.code == "unsupported_format"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.CSV", "csv"),
        ("a.tsv", "csv"),
        ("a.xlsx", "xlsx"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.eml", "eml"),
        ("a.mbox", "mbox"),
    ],
)
def test_formats_by_extension(name, expected):
    assert parsing.format_of(name) == expected


# --- column mapping ------------------------------------------------------------------------


def test_auto_mapping_recognises_dutch_and_english_names_case_insensitively():
    header = [
        "Omschrijving",
        "DATUM",
        "Kanaal",
        "Dienst",
        "Afdeling",
        "Melder",
        "Waardering",
        "Locatie",
        "Zaak",
        "Taal",
        "ID",
        "Iets anders",
    ]

    mapping = auto_mapping(header)

    assert mapping.columns == {
        "text": "Omschrijving",
        "received_at": "DATUM",
        "channel": "Kanaal",
        "service": "Dienst",
        "department": "Afdeling",
        "reporter_kind": "Melder",
        "rating": "Waardering",
        "location": "Locatie",
        "case_url": "Zaak",
        "language": "Taal",
        "external_id": "ID",
    }


def test_auto_mapping_with_english_names_and_spaces():
    mapping = auto_mapping(["Received at", "Text", "External ID", "score"])

    assert mapping.columns == {
        "text": "Text",
        "received_at": "Received at",
        "rating": "score",
        "external_id": "External ID",
    }


def test_mapping_json_with_defaults_and_date_format():
    mapping = load_mapping(
        {
            "text": "Omschrijving",
            "received_at": "Datum",
            "service": "",
            "defaults": {"channel": "phone"},
            "date_format": "%d-%m-%Y",
        }
    )

    assert mapping == ColumnMapping(
        columns={"text": "Omschrijving", "received_at": "Datum"},
        defaults={"channel": "phone"},
        date_format="%d-%m-%Y",
    )
    assert load_mapping(mapping.as_json()) == mapping


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "must be a JSON object"),
        ({"tekst": "A"}, "tekst is not a field"),
        ({"text": 3}, "must be a text"),
        ({"defaults": {"text": "x"}}, "default for text is not possible"),
        ({"defaults": "phone"}, '"defaults" must be a JSON object'),
    ],
)
def test_bad_mapping_says_what_is_wrong(data, problem):
    with pytest.raises(ParseError, match=problem):
        load_mapping(data)


def test_no_text_column_lists_the_columns_seen_and_the_accepted_names():
    with pytest.raises(ParseError) as caught:
        resolve_mapping(["Datum", "Kanaal"], None)

    assert caught.value.code == "no_text_column"
    message = str(caught.value)
    assert "Datum, Kanaal" in message
    assert "text, tekst, omschrijving" in message


def test_a_mapping_naming_a_missing_column_is_refused():
    with pytest.raises(ParseError) as caught:
        resolve_mapping(["Datum", "Tekst"], ColumnMapping(columns={"text": "Omschrijving"}))

    assert caught.value.code == "unknown_column"
    assert "Omschrijving" in str(caught.value)


def test_a_date_default_stands_in_for_a_date_column():
    mapping = ColumnMapping(columns={"text": "Tekst"}, defaults={"received_at": "2025-01-01"})

    assert resolve_mapping(["Tekst"], mapping) is mapping
    with pytest.raises(ParseError, match="No date column"):
        resolve_mapping(["Tekst"], ColumnMapping(columns={"text": "Tekst"}))


@pytest.mark.parametrize("module", ["parsing.py", "mail.py"])
def test_the_readers_import_no_django_and_of_leerlus_only_the_engine(module):
    source = Path(__file__).resolve().parents[1] / module
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module)
    assert not {
        name
        for name in imported
        if name.split(".")[0] == "django"
        or (name.split(".")[0] == "leerlus" and name.split(".")[:2] != ["leerlus", "engine"])
    }
