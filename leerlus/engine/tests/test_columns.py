# SPDX-License-Identifier: EUPL-1.2
"""The column detector: by name, by name and content, by content; unsure where it is."""

from collections.abc import Iterator
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from leerlus.engine.columns import SAMPLE_ROWS, Detection, FieldSpec, detect_columns, name_key
from leerlus.engine.tables import ROW_ERROR

FIELDS = (
    FieldSpec("text", "text", names=("text", "omschrijving"), hints=("description",)),
    FieldSpec("received_at", "date", names=("datum",), hints=("created", "date")),
    FieldSpec("channel", "vocabulary", names=("kanaal",), hints=("source",)),
    FieldSpec("service", "category", names=("dienst",), hints=("category",)),
    FieldSpec("department", "reference", names=("afdeling",), hints=("team",)),
    FieldSpec("rating", "rating", names=("score",), hints=("tevredenheid",)),
    FieldSpec("location", "label", names=("locatie",), hints=("region",)),
    FieldSpec("case_url", "url", names=("zaak_url",)),
    FieldSpec("external_id", "identifier", names=("id",), hints=("nummer",)),
    FieldSpec("anonymous", "flag", names=("is_anonymous",), hints=("anoniem",), stored=False),
)
CHECKS = {
    "channel": lambda value: value.lower() in {"web", "telefoon", "e-mail"},
    "service": lambda value: value in {"Afval", "Groen"},
    "department": lambda value: value == "Stadsbeheer",
}
TEXTS = [
    "De container aan het plein zit al dagen vol",
    "Lantaarnpaal voor mijn huis brandt niet meer sinds vorige week",
    "Gat in het fietspad langs de singel, gevaarlijk in het donker",
]


def export(rows: int = 24) -> list[dict[str, str]]:
    return [
        {
            "id": f"MOR-{n}",
            "categoryName": ["Afval", "Groen", "Wegen"][n % 3],
            "teamName": "Stadsbeheer",
            "isAnonymous": "true" if n % 2 else "false",
            "source": ["web", "telefoon", "e-mail"][n % 3],
            "created": f"{1 + n % 28:02d}-03-2025 10:{n % 60:02d}",
            "regionName": ["Noord", "Zuid"][n % 2],
            "description": f"{TEXTS[n % 3]} (melding {n})",
        }
        for n in range(rows)
    ]


def test_names_are_compared_without_case_separators_or_camel_case():
    assert name_key("receivedAt") == "received_at"
    assert name_key(" Zaak-URL ") == "zaak_url"
    assert name_key("isAnonymous") == "is_anonymous"
    assert name_key("DATUM") == "datum"


def test_an_export_of_another_system_by_name_and_content():
    rows = export()
    header = list(rows[0])

    detection = detect_columns(header, rows, FIELDS, checks=CHECKS)

    fields_by_column = {column: name for name, column in detection.columns.items()}
    assert [fields_by_column.get(column, "-") for column in header] == [
        "external_id", "service", "department", "-", "channel", "received_at", "location",
        "text",
    ]  # fmt: skip
    created = detection.choice("received_at")
    assert created is not None
    assert (created.how, created.code, created.unsure) == ("name_content", "dates", False)
    assert created.explain() == "by name and content (98%): 24 of 24 values are dates"
    assert detection.choice("external_id").how == "name"  # type: ignore[union-attr]
    assert detection.choice("anonymous").column == "isAnonymous"  # type: ignore[union-attr]
    assert [u.column for u in detection.unused] == ["isAnonymous"]  # recognised, not stored
    assert not detection.unsure
    assert detection.rows == 24


def test_meaningless_names_are_read_by_their_values():
    rows = [{f"kolom{i}": value for i, value in enumerate(row.values())} for row in export()]

    detection = detect_columns(list(rows[0]), rows, FIELDS, checks=CHECKS)

    assert detection.columns["received_at"] == "kolom5"
    assert detection.columns["text"] == "kolom7"
    assert detection.columns["external_id"] == "kolom0"
    assert detection.columns["channel"] == "kolom4"
    assert detection.choice("received_at").how == "content"  # type: ignore[union-attr]
    # Yes/no values and repeated values that are no known service are not guessed at.
    unused = {u.column: u.code for u in detection.unused}
    assert unused["kolom3"] == "yes_no"
    assert unused["kolom6"] == "repeated_unknown"


def test_two_columns_of_dates_without_names_are_unsure():
    rows = [
        {"a": f"0{1 + n % 9}-04-2025", "b": f"1{n % 9}-04-2025", "c": TEXTS[n % 3]}
        for n in range(10)
    ]

    detection = detect_columns(["a", "b", "c"], rows, FIELDS)

    date = detection.choice("received_at")
    assert date is not None
    assert (date.column, date.unsure, date.alternatives) == ("a", True, ("b",))
    assert detection.unsure == (date,)
    assert "could also be b" in date.explain()


def test_a_name_hint_settles_what_the_values_leave_open():
    rows = [{"created": "01-04-2025", "closed": "03-04-2025", "c": TEXTS[0]} for _ in range(5)]

    detection = detect_columns(["created", "closed", "c"], rows, FIELDS)

    assert detection.columns["received_at"] == "created"
    assert not detection.unsure


def test_only_the_sample_is_read():
    drawn = count()

    def endless() -> Iterator[dict[str, str]]:
        while True:
            yield {"datum": "01-01-2025", "tekst": f"melding {next(drawn)}"}

    detection = detect_columns(["datum", "tekst"], endless(), FIELDS)

    assert detection.rows == SAMPLE_ROWS
    assert next(drawn) == SAMPLE_ROWS


def test_rows_that_are_no_row_are_skipped():
    rows = [{ROW_ERROR: "invalid_json", "_line": "{"}, {"datum": "01-01-2025"}]

    assert detect_columns(["datum"], rows, FIELDS).columns == {"received_at": "datum"}


def test_a_detection_kept_as_json_reads_back():
    detection = detect_columns(list(export()[0]), export(), FIELDS, checks=CHECKS)

    assert Detection.from_json(detection.as_json(), FIELDS) == detection
    assert Detection.from_json({"choices": [{"field": 1}]}, FIELDS) is None
    assert Detection.from_json("nothing", FIELDS) is None


names = st.text(min_size=0, max_size=12)
cells = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["01-01-2025", "2025-12-31T10:00:00Z", "ja", "nee", "web", "Afval", "3"]),
)


@settings(max_examples=150, deadline=None)
@given(
    header=st.lists(names, max_size=8),
    data=st.data(),
)
def test_any_table_of_strings_never_raises_and_uses_each_column_once(header, data):
    rows = data.draw(
        st.lists(st.dictionaries(st.sampled_from(header) if header else names, cells), max_size=30)
    )

    detection = detect_columns(header, rows, FIELDS, checks=CHECKS)

    columns = [choice.column for choice in detection.choices]
    assert len(columns) == len(set(columns))
    fields = [choice.field for choice in detection.choices]
    assert len(fields) == len(set(fields))
    assert set(columns) <= set(header)
    assert all(0 <= choice.confidence <= 1 for choice in detection.choices)
    assert all(a not in columns for choice in detection.choices for a in choice.alternatives)
    assert {u.column for u in detection.unused if u.code != "not_stored"}.isdisjoint(columns)
    assert Detection.from_json(detection.as_json(), FIELDS) == detection
