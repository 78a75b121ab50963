# SPDX-License-Identifier: EUPL-1.2
import csv
import io

import pytest
from django.urls import reverse

from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role

pytestmark = pytest.mark.django_db


def test_organisation_page_lists_only_own_departments_and_services(
    client_for, analyst, other_organisation
):
    response = client_for(analyst).get(reverse("organisations:detail"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Gemeente Eendorp" in page
    assert "Publiekszaken" in page
    assert "Paspoort" in page
    assert "Geheime" not in page
    assert "Tweestad" not in page


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("organisations:detail"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_person_without_organisation_gets_403(client_for, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="x" * 12)

    assert client_for(loner).get(reverse("organisations:detail")).status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.FRONT_OFFICE, 403),
        (Role.ANALYST, 403),
        (Role.TEAM_MEMBER, 403),
        (Role.FACILITATOR, 403),
        (Role.CIO, 403),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_only_administrators_review_people_and_roles(client_for, make_user, role, status):
    response = client_for(make_user(role)).get(reverse("organisations:people"))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ANALYST, 403), (Role.FRONT_OFFICE, 403), (Role.CIO, 200), (Role.ADMINISTRATOR, 200)],
)
def test_audit_log_is_for_cio_and_administrator(client_for, make_user, role, status):
    assert client_for(make_user(role)).get(reverse("organisations:audit")).status_code == status


def test_access_review_shows_own_people_only_and_exports_csv(
    client_for, administrator, make_user, other_organisation
):
    make_user(Role.ANALYST, Role.FACILITATOR, username="dubbelrol")
    make_user(Role.ANALYST, username="vreemde", org=other_organisation)
    client = client_for(administrator)

    page = client.get(reverse("organisations:people")).content.decode()
    export = client.get(reverse("organisations:people"), {"format": "csv"})

    assert "dubbelrol" in page
    assert "vreemde" not in page
    assert export["Content-Type"].startswith("text/csv")
    rows = export.content.decode().splitlines()
    assert rows[0] == "username,name,department,roles,active,last_login"
    assert any(r.startswith("dubbelrol,") and "analyst facilitator" in r for r in rows)
    assert not any("vreemde" in r for r in rows)
    assert AuditEntry.objects.filter(action="access_review.export", actor=administrator).exists()


def test_access_review_csv_quotes_a_name_that_starts_like_a_formula(
    client_for, administrator, make_user
):
    make_user(Role.ANALYST, username="formule", first_name="=1+1", last_name="")
    client = client_for(administrator)

    export = client.get(reverse("organisations:people"), {"format": "csv"})

    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [r["name"] for r in rows if r["username"] == "formule"] == ["'=1+1"]


def test_audit_log_filters_and_hides_other_organisations(client_for, make_user, other_organisation):
    cio = make_user(Role.CIO, username="cio")
    stranger = make_user(Role.ANALYST, username="stranger", org=other_organisation)
    AuditEntry.objects.create(
        organisation=cio.organisation,
        actor=cio,
        actor_label="cio",
        action="thing.own",
        result="success",
    )
    AuditEntry.objects.create(
        organisation=other_organisation,
        actor=stranger,
        actor_label="stranger",
        action="thing.foreign",
        result="success",
    )
    client = client_for(cio)

    page = client.get(reverse("organisations:audit")).content.decode()
    filtered = client.get(
        reverse("organisations:audit"), {"action": "nothing.matches"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "thing.own" in page
    assert "thing.foreign" not in page
    assert "No entries match these filters" in filtered.content.decode()


def test_home_page_tells_each_role_what_to_do_next(client_for, make_user):
    analyst_home = client_for(make_user(Role.ANALYST)).get("/", HTTP_ACCEPT_LANGUAGE="en")
    admin_home = client_for(make_user(Role.ADMINISTRATOR)).get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert "curate the themes" in analyst_home.content.decode()
    assert "Review people and roles" not in analyst_home.content.decode()
    assert "Review people and roles" in admin_home.content.decode()


def test_navigation_offers_only_what_the_role_may_open(client_for, make_user):
    page = client_for(make_user(Role.FRONT_OFFICE)).get("/", HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert reverse("organisations:detail") in html
    assert reverse("organisations:audit") not in html
