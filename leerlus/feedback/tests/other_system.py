# SPDX-License-Identifier: EUPL-1.2
"""An export from another municipal reporting system, as it comes: its own column names
(``id, categoryName, teamName, isAnonymous, source, created, regionName, description``),
dates in ISO 8601 and as ``dd-mm-yyyy HH:MM``, a category on every row."""

import csv
import io
from pathlib import Path

from leerlus.organisations.models import Organisation
from leerlus.organisations.tests.factories import DepartmentFactory, ServiceFactory

HEADER = [
    "id",
    "categoryName",
    "teamName",
    "isAnonymous",
    "source",
    "created",
    "regionName",
    "description",
]

# (category, team, channel, text); the rows cycle through them with their own ids and dates.
REPORTS = [
    (
        "Afval",
        "Stadsbeheer",
        "web",
        "De ondergrondse container aan het Marktplein zit vol en er staan zakken naast.",
    ),
    (
        "Openbare verlichting",
        "Stadsbeheer",
        "telefoon",
        "De lantaarnpaal voor huisnummer 12 brandt al een week niet meer, erg donker 's avonds.",
    ),
    (
        "Wegen en verkeer",
        "Verkeer",
        "web",
        "Er zit een diep gat in het fietspad langs de Singel, ik ben er bijna gevallen.",
    ),
    (
        "Groen",
        "Stadsbeheer",
        "e-mail",
        "De bomen in het plantsoen worden niet gesnoeid, takken hangen over de stoep.",
    ),
    (
        "Afval",
        "Stadsbeheer",
        "telefoon",
        "Het grofvuil is niet opgehaald terwijl de afspraak vanochtend was.",
    ),
    (
        "Wegen en verkeer",
        "Verkeer",
        "web",
        "Het verkeerslicht bij de kruising met de Dorpsstraat staat de hele dag op rood.",
    ),
    (
        "Openbare verlichting",
        "Stadsbeheer",
        "web",
        "Drie lampen in het park zijn kapot, daardoor voelt het 's nachts onveilig.",
    ),
    (
        "Groen",
        "Stadsbeheer",
        "balie",
        "Het gras op het speelveld is al weken niet gemaaid, kinderen kunnen er niet spelen.",
    ),
    (
        "Afval",
        "Stadsbeheer",
        "web",
        "Naast de glasbak ligt overal glas, iemand heeft er flessen kapot gegooid.",
    ),
    (
        "Wegen en verkeer",
        "Verkeer",
        "e-mail",
        "Auto's rijden veel te hard door onze straat, kan er een drempel komen?",
    ),
]
CATEGORIES = sorted({report[0] for report in REPORTS})
TEAMS = sorted({report[1] for report in REPORTS})
REGIONS = ["Centrum", "Noord", "Oost", "West"]
ROW_COUNT = 30


def rows(count: int = ROW_COUNT) -> list[list[str]]:
    """The export's rows: ISO dates on even rows, Dutch ``dd-mm-yyyy HH:MM`` on odd ones."""
    made = []
    for index in range(count):
        category, team, channel, text = REPORTS[index % len(REPORTS)]
        day, hour = 1 + index % 28, 8 + index % 10
        created = (
            f"2025-03-{day:02d}T{hour:02d}:15:00+01:00"
            if index % 2 == 0
            else f"{day:02d}-03-2025 {hour:02d}:15"
        )
        made.append(
            [
                f"MOR-{2025000 + index}",
                category,
                team,
                "true" if index % 3 == 0 else "false",
                channel,
                created,
                REGIONS[index % len(REGIONS)],
                f"{text} (melding {index + 1})",
            ]
        )
    return made


def export_bytes(count: int = ROW_COUNT, header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows(count))
    return buffer.getvalue().encode("utf-8")


def write_export(folder: Path, name: str = "meldingen-export.csv", **options: object) -> Path:
    path = folder / name
    path.write_bytes(export_bytes(**options))  # type: ignore[arg-type]
    return path


def with_services_and_teams(organisation: Organisation, *, missing: tuple[str, ...] = ()) -> None:
    """The organisation's services for the export's categories (but ``missing``) and its
    departments for the export's teams."""
    departments = {
        team: DepartmentFactory(organisation=organisation, name=team, slug=team.lower())
        for team in TEAMS
    }
    for category in CATEGORIES:
        if category in missing:
            continue
        team = next(report[1] for report in REPORTS if report[0] == category)
        ServiceFactory(
            organisation=organisation,
            department=departments[team],
            name=category,
            slug=category.lower().replace(" ", "-"),
        )
