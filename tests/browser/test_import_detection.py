# SPDX-License-Identifier: EUPL-1.2
"""The import wizard's mapping step with the detector's marks, in a real browser: axe-core
clean with the notices of an unsure column and of categories that are no service yet."""

from leerlus.feedback.tests import other_system
from leerlus.feedback.tests.test_import_detection import AMBIGUOUS
from leerlus.organisations.tests.factories import PASSWORD

from .conftest import check_accessibility, log_in


def upload(page, path, source: str) -> None:
    page.goto("/signals/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=source]", source)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_the_mapping_step_marks_an_unsure_column_accessibly(page, analyst, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    export = tmp_path / "twee-datums.csv"
    export.write_text(AMBIGUOUS, encoding="utf-8")
    log_in(page, "analist", PASSWORD)

    upload(page, export, "Oud systeem")

    assert page.locator("#mapping-unsure").is_visible()
    assert page.locator("#id_column_received_at").input_value() == "a"
    check_accessibility(page, "import-mapping-unsure")


def test_the_mapping_step_names_categories_without_a_service(
    page, analyst, organisation, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    other_system.with_services_and_teams(organisation, missing=("Groen",))
    log_in(page, "analist", PASSWORD)

    upload(page, other_system.write_export(tmp_path), "MOR")

    assert "Groen" in page.locator("#mapping-new-services").inner_text()
    assert page.locator("#id_column_service").input_value() == "categoryName"
    check_accessibility(page, "import-mapping-detected")
