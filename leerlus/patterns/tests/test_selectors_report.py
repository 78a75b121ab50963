# SPDX-License-Identifier: EUPL-1.2
"""The monthly pattern report's figures on constructed daily counts."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.patterns.models import Alert, ThemeAssignment
from leerlus.patterns.selectors.report import add_months, monthly_report, months_with_data

from .factories import AlertFactory, ThemeFactory, add_counts
from .report_data import HISTORY, HISTORY_DAYS, MONTH, MONTH_DAYS, NEXT

pytestmark = pytest.mark.django_db


def test_top_themes_count_merged_themes_with_their_target_and_leave_hidden_ones_out(
    organisation, month_themes, analyst
):
    monthly = monthly_report(organisation=organisation, viewer=analyst, month=MONTH)

    top = [(line.theme.title, line.count) for line in monthly.top_themes]
    assert top == [
        ("Upload mislukt", 10 * MONTH_DAYS),
        ("Parkeervergunning", 5 * MONTH_DAYS),
        ("Nieuwe paspoortregels", 3 * MONTH_DAYS),
        ("Afvalinzameling", 1 * MONTH_DAYS),
    ]
    assert monthly.total == (10 + 5 + 3 + 1 + 20 + 1) * MONTH_DAYS
    assert monthly.top_themes[0].share == pytest.approx(10 / 40)


def test_rising_and_falling_themes_against_the_previous_months(organisation, month_themes, analyst):
    monthly = monthly_report(organisation=organisation, viewer=analyst, month=MONTH)

    rising = {line.theme.title: line for line in monthly.rising}
    falling = {line.theme.title: line for line in monthly.falling}
    assert set(rising) == {"Upload mislukt", "Nieuwe paspoortregels"}
    assert set(falling) == {"Afvalinzameling"}
    assert rising["Upload mislukt"].ratio == pytest.approx(5.0)
    assert rising["Upload mislukt"].expected == pytest.approx(2 * MONTH_DAYS)
    assert rising["Nieuwe paspoortregels"].is_new
    assert falling["Afvalinzameling"].change_percent == pytest.approx(-100 * 5 / 6)
    assert monthly.compared_from == HISTORY


def test_a_small_wobble_is_not_called_rising(organisation, analyst):
    wobble = ThemeFactory(organisation=organisation, name="Kleine schommeling")
    # Two a day, and one day of the month a little higher.
    add_counts(organisation, wobble, "phone", HISTORY, [2] * HISTORY_DAYS + [3] + [2] * 27)

    monthly = monthly_report(organisation=organisation, viewer=analyst, month=MONTH)

    assert monthly.rising == []
    assert monthly.falling == []


def test_without_four_weeks_of_history_nothing_is_called_rising(organisation, analyst):
    upload = ThemeFactory(organisation=organisation, name="Upload mislukt")
    add_counts(organisation, upload, "phone", MONTH - timedelta(days=10), [1] * 10 + [9] * 20)

    monthly = monthly_report(organisation=organisation, viewer=analyst, month=MONTH)

    assert monthly.compared_from is None
    assert monthly.rising == []
    assert monthly.falling == []
    assert [line.theme.title for line in monthly.top_themes] == ["Upload mislukt"]


def test_channel_shares_against_the_previous_month(organisation, analyst):
    theme = ThemeFactory(organisation=organisation, name="Upload mislukt")
    previous = add_months(MONTH, -1)
    add_counts(organisation, theme, "phone", previous, [3])
    add_counts(organisation, theme, "web_form", previous, [1])
    add_counts(organisation, theme, "phone", MONTH, [1])
    add_counts(organisation, theme, "web_form", MONTH, [3])

    monthly = monthly_report(organisation=organisation, viewer=analyst, month=MONTH)

    shares = {c.channel: (c.count, c.share, c.previous_share) for c in monthly.channels}
    assert shares == {"phone": (1, 0.25, 0.75), "web_form": (3, 0.75, 0.25)}
    shift = monthly.biggest_channel_shift
    assert shift is not None
    assert abs(shift.change_points) == pytest.approx(50)


def test_alerts_of_the_month_leave_dismissed_ones_out(organisation, month_themes, analyst):
    AlertFactory(theme=month_themes["upload"], start=MONTH + timedelta(days=3))
    AlertFactory(
        theme=month_themes["waste"],
        start=MONTH + timedelta(days=5),
        status=Alert.Status.DISMISSED,
        dismiss_reason="ruis",
    )
    AlertFactory(theme=month_themes["upload"], start=NEXT + timedelta(days=1))

    monthly = monthly_report(organisation=organisation, viewer=analyst, month=MONTH)

    assert [a.start for a in monthly.alerts] == [MONTH + timedelta(days=3)]
    assert (monthly.alert_count, monthly.dismissed_count) == (1, 1)


def test_examples_are_the_most_typical_redacted_signals_of_the_month(
    organisation, month_themes, analyst
):
    def signal(text: str, day: date, similarity: float, **fields):
        feedback = feedback_create(
            organisation=organisation,
            item=SignalInput(
                text=text,
                channel="phone",
                received_at=timezone.make_aware(datetime.combine(day, time(10))),
            ),
        )
        for name, value in fields.items():
            setattr(feedback, name, value)
        feedback.save()
        ThemeAssignment.objects.create(
            feedback=feedback,
            organisation=organisation,
            theme=month_themes["upload"],
            similarity=similarity,
        )

    signal("Upload faalt steeds, bel 06-12345678", MONTH + timedelta(days=2), 0.9)
    signal("Foto uploaden lukt niet", MONTH + timedelta(days=4), 0.8)
    signal("Minder typisch", MONTH + timedelta(days=4), 0.1)
    signal("Vertrouwelijk", MONTH + timedelta(days=4), 0.99, confidential=True)
    signal("Van de maand ervoor", MONTH - timedelta(days=1), 0.95)

    monthly = monthly_report(organisation=organisation, viewer=analyst, month=MONTH)

    examples = dict(monthly.examples)
    texts = [s.text for s in examples[month_themes["upload"]]]
    assert len(texts) == 2
    assert texts[1] == "Foto uploaden lukt niet"
    assert texts[0].startswith("Upload faalt steeds")
    assert "12345678" not in texts[0]


def test_months_to_choose_from_start_at_the_first_counted_day(organisation, month_themes):
    months = months_with_data(organisation=organisation)

    assert months[0] == timezone.localdate().replace(day=1)
    assert months[-1] == HISTORY
