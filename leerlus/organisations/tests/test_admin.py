# SPDX-License-Identifier: EUPL-1.2
import pytest

from leerlus.organisations.models import AuditEntry, Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_of_org(client, administrator, settings):
    settings.LEERLUS_REQUIRE_SECOND_FACTOR = False
    client.force_login(administrator)
    return client


def test_organisation_administrator_sees_only_own_departments(
    admin_client_of_org, other_organisation
):
    page = admin_client_of_org.get("/admin/organisations/department/").content.decode()

    assert "Publiekszaken" in page
    assert "Geheime Afdeling" not in page


def test_foreign_department_is_not_found_in_admin(admin_client_of_org, other_organisation):
    foreign = Department.objects.get(organisation=other_organisation)

    response = admin_client_of_org.get(f"/admin/organisations/department/{foreign.pk}/change/")

    assert response.status_code == 302  # Django admin: "does not exist", back to the list
    assert "/admin/" in response["Location"]


def test_administrator_cannot_add_a_department_to_another_organisation(
    admin_client_of_org, other_organisation
):
    response = admin_client_of_org.post(
        "/admin/organisations/department/add/",
        {"organisation": other_organisation.pk, "name": "Stiekem", "slug": "stiekem"},
    )

    assert response.status_code == 200  # the form comes back with an error
    assert not Department.objects.filter(slug="stiekem").exists()


def test_department_added_in_admin_is_audited(admin_client_of_org, administrator):
    response = admin_client_of_org.post(
        "/admin/organisations/department/add/",
        {"organisation": administrator.organisation_id, "name": "Wijken", "slug": "wijken"},
    )

    assert response.status_code == 302
    department = Department.objects.get(slug="wijken")
    assert department.organisation_id == administrator.organisation_id
    assert AuditEntry.objects.filter(
        action="department.create", actor=administrator, object_id=str(department.pk)
    ).exists()


def test_organisations_are_managed_by_platform_superusers_only(admin_client_of_org):
    assert admin_client_of_org.get("/admin/organisations/organisation/").status_code == 403


def test_organisation_administrator_cannot_make_superusers(admin_client_of_org, analyst):
    page = admin_client_of_org.get(f"/admin/organisations/user/{analyst.pk}/change/")

    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
