# SPDX-License-Identifier: EUPL-1.2
"""``leerlus import`` of another system's export without a mapping file: the columns are
recognised by name and content, the mapping is printed and saved, unsure columns are asked
(on a terminal) or named (elsewhere), and the categories become services that train routing."""

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from leerlus.feedback.listeners import intake_listeners, unregister_intake_listener
from leerlus.feedback.listeners import register_intake_listener as reregister
from leerlus.feedback.models import Feedback, ImportBatch, RejectedRow
from leerlus.organisations.models import AuditEntry, Organisation, Service
from leerlus.patterns.models import ThemeState

from . import other_system

EXPECTED_MAPPING = {
    "text": "description",
    "received_at": "created",
    "channel": "source",
    "service": "categoryName",
    "department": "teamName",
    "location": "regionName",
    "external_id": "id",
}


class Terminal(io.StringIO):
    """Answers typed on a terminal."""

    def isatty(self) -> bool:
        return True


def run_import(*args: str, stdin: io.StringIO | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    options = {"stdin": stdin} if stdin is not None else {}
    call_command("import", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def no_theme_assignment() -> Iterator[None]:
    """The theme assignment after intake is set aside (it is not what these tests are about);
    the listener to finished imports, which queues the routing's training, stays."""
    listeners = intake_listeners()
    for listener in listeners:
        unregister_intake_listener(listener)
    yield
    for listener in listeners:
        reregister(listener)


@pytest.fixture
def municipality(organisation: Organisation) -> Organisation:
    other_system.with_services_and_teams(organisation)
    return organisation


def test_the_other_systems_export_imports_without_a_mapping_file_and_trains_routing(
    tmp_path, municipality, no_theme_assignment, django_capture_on_commit_callbacks
):
    path = other_system.write_export(tmp_path)

    with django_capture_on_commit_callbacks(execute=True):
        out, err = run_import(str(path), "--org", "eendorp", "--source", "MOR", "--json")

    assert json.loads(out) == {"imported": 30, "rejected": 0, "duplicates": 0}
    assert "the first 30 rows read" in err
    assert "received_at <- created" in err
    assert "by name and content (98%): 30 of 30 values are dates" in err
    assert "service     <- categoryName" in err
    assert "not used: isAnonymous (recognised as anonymous, which is not imported)" in err
    signals = Feedback.objects.filter(organisation=municipality).order_by("external_id")
    first = signals[0]
    assert first.external_id == "MOR-2025000"
    assert first.service is not None
    assert first.service.name == "Afval"  # its confirmed category
    assert first.department is not None
    assert first.department.name == "Stadsbeheer"
    assert first.channel == "web_form"
    assert first.location == "Centrum"
    assert first.received_at.isoformat() == "2025-03-01T07:15:00+00:00"
    assert signals[1].received_at.isoformat() == "2025-03-02T08:15:00+00:00"  # dd-mm-yyyy
    assert {s.service.name for s in signals if s.service} == set(other_system.CATEGORIES)
    # The history trained the routing at once, not the next night.
    assert ThemeState.objects.get(organisation=municipality).routing_trained_at is not None


def test_the_printed_mapping_is_saved_and_can_be_passed_back(tmp_path, municipality):
    path = other_system.write_export(tmp_path)
    saved = tmp_path / "mapping.json"

    run_import(str(path), "--org", "eendorp", "--source", "MOR", "--save-mapping", str(saved))

    assert json.loads(saved.read_text(encoding="utf-8")) == EXPECTED_MAPPING
    out, err = run_import(
        str(path), "--org", "eendorp", "--source", "MOR kopie", "--mapping", str(saved), "--json"
    )
    assert json.loads(out) == {"imported": 30, "rejected": 0, "duplicates": 0}
    assert "<-" not in err  # a mapping given is used as it is
    assert Feedback.objects.filter(source="MOR kopie", service__isnull=False).count() == 30


def test_categories_without_a_service_are_kept_aside_with_their_reason(
    tmp_path, organisation, english
):
    other_system.with_services_and_teams(organisation, missing=("Groen",))
    path = other_system.write_export(tmp_path)

    out, err = run_import(str(path), "--org", "eendorp", "--source", "MOR", "--json")

    assert json.loads(out) == {"imported": 24, "rejected": 6, "duplicates": 0}
    assert "match none of the organisation's services: Groen" in err
    assert "--create-services" in err
    reasons = [row.reasons for row in RejectedRow.objects.all()]
    assert all(
        r == [{"code": "unknown_service", "field": "service", "params": {"value": "Groen"}}]
        for r in reasons
    )
    assert not Service.objects.filter(organisation=organisation, name="Groen").exists()


def test_create_services_creates_the_missing_categories(tmp_path, organisation):
    other_system.with_services_and_teams(organisation, missing=("Groen",))
    path = other_system.write_export(tmp_path)
    saved = tmp_path / "mapping.json"

    out, _err = run_import(
        str(path), "--org", "eendorp", "--source", "MOR", "--create-services", "--json",
        "--save-mapping", str(saved),
    )  # fmt: skip

    assert json.loads(out) == {"imported": 30, "rejected": 0, "duplicates": 0}
    groen = Service.objects.get(organisation=organisation, name="Groen")
    assert groen.slug == "groen"
    assert Feedback.objects.filter(service=groen).count() == 6
    assert AuditEntry.objects.filter(action="service.create", object_id=str(groen.pk)).exists()
    assert json.loads(saved.read_text())["create_services"] is True


def test_a_date_column_with_a_meaningless_name_is_found_by_its_values(tmp_path, municipality):
    header = ["id", "categoryName", "teamName", "isAnonymous", "source", "kolom6", "regionName",
              "description"]  # fmt: skip
    path = other_system.write_export(tmp_path, header=header)

    out, err = run_import(str(path), "--org", "eendorp", "--source", "MOR", "--json")

    assert json.loads(out) == {"imported": 30, "rejected": 0, "duplicates": 0}
    assert "received_at <- kolom6" in err
    assert "by content (90%): 30 of 30 values are dates" in err


AMBIGUOUS = "nummer;a;b;c\n" + "".join(
    f"{n};0{1 + n % 9}-04-2025 10:00;1{n % 9}-04-2025 16:30;"
    f"De stoeptegels voor nummer {n} liggen los en iemand is gestruikeld\n"
    for n in range(12)
)


def test_an_ambiguous_file_names_the_unsure_column_instead_of_guessing(tmp_path, organisation):
    path = tmp_path / "twee-datums.csv"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    proposal = tmp_path / "voorstel.json"

    with pytest.raises(CommandError) as refused:
        run_import(str(path), "--org", "eendorp", "--source", "X", "--save-mapping", str(proposal))

    message = str(refused.value)
    assert "Not sure which column holds received_at: column a or b" in message
    assert f"--mapping MAPPING.json: edit {proposal}" in message
    assert json.loads(proposal.read_text())["received_at"] == "a"  # the proposal, to edit
    assert not ImportBatch.objects.exists()
    assert not Feedback.objects.exists()


def test_on_a_terminal_the_unsure_column_is_asked(tmp_path, organisation):
    path = tmp_path / "twee-datums.csv"
    path.write_text(AMBIGUOUS, encoding="utf-8")

    out, err = run_import(
        str(path), "--org", "eendorp", "--source", "X", "--json", stdin=Terminal("2\n")
    )

    assert "Which column holds received_at? 1) a  2) b (Enter: 1): " in err
    assert json.loads(out)["imported"] == 12
    assert Feedback.objects.get(external_id="0").received_at.day == 10


def test_no_answer_on_a_terminal_imports_nothing(tmp_path, organisation):
    path = tmp_path / "twee-datums.csv"
    path.write_text(AMBIGUOUS, encoding="utf-8")

    with pytest.raises(CommandError, match="No answer"):
        run_import(str(path), "--org", "eendorp", "--source", "X", stdin=Terminal(""))

    assert not Feedback.objects.exists()


def test_a_saved_mapping_cannot_be_written_is_a_clear_error(tmp_path, municipality):
    path = other_system.write_export(tmp_path)
    target = Path(tmp_path) / "missing-folder" / "mapping.json"

    with pytest.raises(CommandError, match="cannot be written"):
        run_import(str(path), "--org", "eendorp", "--source", "MOR", "--save-mapping", str(target))
