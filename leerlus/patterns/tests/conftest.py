# SPDX-License-Identifier: EUPL-1.2
"""Fixtures shared by the patterns app's tests."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leerlus.api.tests.test_api import api_for  # noqa: F401  (a fixture, shared with the API's tests)
from leerlus.organisations.models import Organisation
from leerlus.patterns.models import Theme
from leerlus.patterns.tests.factories import ThemeFactory, daily_counts, signals_in, steady
from leerlus.patterns.tests.report_data import per_day
from leerlus.patterns.tests.signals import discover, make_signals


@pytest.fixture
def discovered(organisation: Organisation) -> Organisation:
    """The organisation with the three topics' signals and their themes discovered."""
    make_signals(organisation)
    discover(organisation)
    return organisation


# ---- The theme pages: two themes of the organisation, one of another ----------------------


@pytest.fixture
def upload(organisation) -> Theme:
    theme = ThemeFactory.create(
        organisation=organisation,
        label="upload pasfoto",
        key_terms=["upload", "pasfoto", "portaal"],
        first_seen=timezone.localdate() - timedelta(days=200),
    )
    daily_counts(theme, steady(28, 3))
    daily_counts(theme, steady(4 * 28, 1, start=28))
    return theme


@pytest.fixture
def waste(organisation) -> Theme:
    theme = ThemeFactory.create(
        organisation=organisation,
        label="container geleegd",
        key_terms=["container", "afval"],
        first_seen=timezone.localdate() - timedelta(days=2),
    )
    daily_counts(theme, {0: 2, 1: 1}, channel="counter")
    return theme


@pytest.fixture
def foreign(other_organisation) -> Theme:
    theme = ThemeFactory.create(organisation=other_organisation, label="geheim thema")
    daily_counts(theme, {0: 50})
    return theme


@pytest.fixture
def analyst_client(client_for, analyst) -> Client:
    return client_for(analyst)


# ---- The monthly report: a month and the three before it -----------------------------------


@pytest.fixture
def month_themes(organisation):
    """Rising, steady (with a theme merged into it), falling, new and hidden themes."""
    upload = ThemeFactory(organisation=organisation, name="Upload mislukt")
    parking = ThemeFactory(organisation=organisation, name="Parkeervergunning")
    parking_old: Theme = ThemeFactory(organisation=organisation, name="Parkeren oud")
    parking_old.merged_into = parking
    parking_old.save()
    waste = ThemeFactory(organisation=organisation, name="Afvalinzameling")
    new = ThemeFactory(organisation=organisation, name="Nieuwe paspoortregels")
    hidden: Theme = ThemeFactory(organisation=organisation, name="Verborgen ruis")
    hidden.hidden = True
    hidden.save()
    per_day(organisation, upload, "phone", 2, 10)
    per_day(organisation, parking, "web_form", 4, 4)
    per_day(organisation, parking_old, "web_form", 1, 1)
    per_day(organisation, waste, "counter", 6, 1)
    per_day(organisation, new, "email", 0, 3)
    per_day(organisation, hidden, "phone", 20, 20)
    per_day(organisation, None, "chat", 1, 1)  # signals without a theme count in totals
    return {
        "upload": upload,
        "parking": parking,
        "waste": waste,
        "new": new,
        "hidden": hidden,
    }


# ---- The API: two themes (one with another merged into it), one elsewhere, 10 days -------


@pytest.fixture
def themes(organisation, other_organisation) -> tuple[Theme, Theme, Theme, Theme]:
    """Two themes of the organisation (one with another merged into it), one elsewhere."""
    upload = ThemeFactory.create(
        organisation=organisation, label="upload, bijlage", name="Uploaden"
    )
    bijlage = ThemeFactory.create(organisation=organisation, label="bijlage", merged_into=upload)
    passport = ThemeFactory.create(organisation=organisation, label="paspoort, afspraak")
    foreign = ThemeFactory.create(organisation=other_organisation, label="geheim")
    daily_counts(upload, steady(10, 2), channel="web_form")
    daily_counts(bijlage, steady(10, 1), channel="phone")
    daily_counts(passport, steady(10, 1), channel="counter")
    daily_counts(foreign, steady(10, 9), channel="phone")
    examples = signals_in(upload, ["Uploaden lukt niet."], channel="web_form")
    Theme.objects.filter(pk=upload.pk).update(example_ids=[examples[0].pk])
    upload.refresh_from_db()
    return upload, bijlage, passport, foreign
