"""The monthly pattern report: its figures on constructed daily counts, the page and the PDF."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.patterns import report
from leerlus.patterns.models import Alert, Theme, ThemeAssignment

from .factories import AlertFactory, ThemeFactory
from .test_views_insights import add_counts

pytestmark = pytest.mark.django_db

# Two months ago is a whole month in the past, whatever day the tests run.
MONTH = report.add_months(timezone.localdate().replace(day=1), -2)
HISTORY = report.add_months(MONTH, -3)
NEXT = report.add_months(MONTH, 1)
HISTORY_DAYS = (MONTH - HISTORY).days
MONTH_DAYS = (NEXT - MONTH).days


def _per_day(organisation, theme, channel, before: int, during: int) -> None:
    add_counts(
        organisation, theme, channel, HISTORY, [before] * HISTORY_DAYS + [during] * MONTH_DAYS
    )


@pytest.fixture
def themes(organisation):
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
    _per_day(organisation, upload, "phone", 2, 10)
    _per_day(organisation, parking, "web_form", 4, 4)
    _per_day(organisation, parking_old, "web_form", 1, 1)
    _per_day(organisation, waste, "counter", 6, 1)
    _per_day(organisation, new, "email", 0, 3)
    _per_day(organisation, hidden, "phone", 20, 20)
    _per_day(organisation, None, "chat", 1, 1)  # signals without a theme count in totals
    return {
        "upload": upload,
        "parking": parking,
        "waste": waste,
        "new": new,
        "hidden": hidden,
    }


def test_top_themes_count_merged_themes_with_their_target_and_leave_hidden_ones_out(
    organisation, themes
):
    monthly = report.monthly_report(organisation=organisation, month=MONTH)

    top = [(line.theme.title, line.count) for line in monthly.top_themes]
    assert top == [
        ("Upload mislukt", 10 * MONTH_DAYS),
        ("Parkeervergunning", 5 * MONTH_DAYS),
        ("Nieuwe paspoortregels", 3 * MONTH_DAYS),
        ("Afvalinzameling", 1 * MONTH_DAYS),
    ]
    assert monthly.total == (10 + 5 + 3 + 1 + 20 + 1) * MONTH_DAYS
    assert monthly.top_themes[0].share == pytest.approx(10 / 40)


def test_rising_and_falling_themes_against_the_previous_months(organisation, themes):
    monthly = report.monthly_report(organisation=organisation, month=MONTH)

    rising = {line.theme.title: line for line in monthly.rising}
    falling = {line.theme.title: line for line in monthly.falling}
    assert set(rising) == {"Upload mislukt", "Nieuwe paspoortregels"}
    assert set(falling) == {"Afvalinzameling"}
    assert rising["Upload mislukt"].ratio == pytest.approx(5.0)
    assert rising["Upload mislukt"].expected == pytest.approx(2 * MONTH_DAYS)
    assert rising["Nieuwe paspoortregels"].is_new
    assert falling["Afvalinzameling"].change_percent == pytest.approx(-100 * 5 / 6)
    assert monthly.compared_from == HISTORY


def test_a_small_wobble_is_not_called_rising(organisation):
    wobble = ThemeFactory(organisation=organisation, name="Kleine schommeling")
    # Two a day, and one day of the month a little higher.
    add_counts(organisation, wobble, "phone", HISTORY, [2] * HISTORY_DAYS + [3] + [2] * 27)

    monthly = report.monthly_report(organisation=organisation, month=MONTH)

    assert monthly.rising == []
    assert monthly.falling == []


def test_without_four_weeks_of_history_nothing_is_called_rising(organisation):
    upload = ThemeFactory(organisation=organisation, name="Upload mislukt")
    add_counts(organisation, upload, "phone", MONTH - timedelta(days=10), [1] * 10 + [9] * 20)

    monthly = report.monthly_report(organisation=organisation, month=MONTH)

    assert monthly.compared_from is None
    assert monthly.rising == []
    assert monthly.falling == []
    assert [line.theme.title for line in monthly.top_themes] == ["Upload mislukt"]


def test_channel_shares_against_the_previous_month(organisation):
    theme = ThemeFactory(organisation=organisation, name="Upload mislukt")
    previous = report.add_months(MONTH, -1)
    add_counts(organisation, theme, "phone", previous, [3])
    add_counts(organisation, theme, "web_form", previous, [1])
    add_counts(organisation, theme, "phone", MONTH, [1])
    add_counts(organisation, theme, "web_form", MONTH, [3])

    monthly = report.monthly_report(organisation=organisation, month=MONTH)

    shares = {c.channel: (c.count, c.share, c.previous_share) for c in monthly.channels}
    assert shares == {"phone": (1, 0.25, 0.75), "web_form": (3, 0.75, 0.25)}
    shift = monthly.biggest_channel_shift
    assert shift is not None
    assert abs(shift.change_points) == pytest.approx(50)


def test_alerts_of_the_month_leave_dismissed_ones_out(organisation, themes):
    AlertFactory(theme=themes["upload"], start=MONTH + timedelta(days=3))
    AlertFactory(
        theme=themes["waste"],
        start=MONTH + timedelta(days=5),
        status=Alert.Status.DISMISSED,
        dismiss_reason="ruis",
    )
    AlertFactory(theme=themes["upload"], start=NEXT + timedelta(days=1))

    monthly = report.monthly_report(organisation=organisation, month=MONTH)

    assert [a.start for a in monthly.alerts] == [MONTH + timedelta(days=3)]
    assert (monthly.alert_count, monthly.dismissed_count) == (1, 1)


def test_examples_are_the_most_typical_redacted_signals_of_the_month(organisation, themes):
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
            theme=themes["upload"],
            similarity=similarity,
        )

    signal("Upload faalt steeds, bel 06-12345678", MONTH + timedelta(days=2), 0.9)
    signal("Foto uploaden lukt niet", MONTH + timedelta(days=4), 0.8)
    signal("Minder typisch", MONTH + timedelta(days=4), 0.1)
    signal("Vertrouwelijk", MONTH + timedelta(days=4), 0.99, confidential=True)
    signal("Van de maand ervoor", MONTH - timedelta(days=1), 0.95)

    monthly = report.monthly_report(organisation=organisation, month=MONTH)

    examples = dict(monthly.examples)
    texts = [s.text for s in examples[themes["upload"]]]
    assert len(texts) == 2
    assert texts[1] == "Foto uploaden lukt niet"
    assert texts[0].startswith("Upload faalt steeds")
    assert "12345678" not in texts[0]


def test_months_to_choose_from_start_at_the_first_counted_day(organisation, themes):
    months = report.months_with_data(organisation)

    assert months[0] == timezone.localdate().replace(day=1)
    assert months[-1] == HISTORY


# ---- Page and PDF ---------------------------------------------------------------------------


def test_report_page_shows_the_month_and_another_organisations_data_stays_out(
    client_for, make_user, organisation, other_organisation, themes
):
    secret = ThemeFactory(organisation=other_organisation, name="Geheim thema")
    _per_day(other_organisation, secret, "phone", 50, 50)
    client = client_for(make_user(Role.CIO))

    response = client.get("/patterns/report/", {"month": MONTH.strftime("%Y-%m")})

    assert response.status_code == 200
    assert "Upload mislukt" in response.text
    assert "Geheim thema" not in response.text
    assert response.context["report"].month == MONTH
    assert f"/patterns/report/pdf?month={MONTH:%Y-%m}" in response.text


def test_report_page_defaults_to_the_last_complete_month(client_for, analyst, themes):
    response = client_for(analyst).get("/patterns/report/")

    assert response.context["report"].month == report.default_month()


@pytest.mark.parametrize("month", ["2026-13", "maart", "1999-01"])
def test_a_bad_month_is_answered_with_an_error_at_the_month_field(client_for, analyst, month):
    response = client_for(analyst).get("/patterns/report/", {"month": month})

    assert response.status_code == 400
    assert 'href="#id_month"' in response.text
    assert response.context["report"] is None


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_pdf_download_holds_the_top_themes_in_the_active_language(
    client_for, analyst, themes, language
):
    response = client_for(analyst).get(
        "/patterns/report/pdf", {"month": MONTH.strftime("%Y-%m")}, HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'-{MONTH:%Y-%m}.pdf"')
    text = _pdf_text(response.content)
    for name in ("Upload mislukt", "Parkeervergunning", "Nieuwe paspoortregels"):
        assert name in text
    assert "Verborgen ruis" not in text
    with translation.override(language):
        assert formats.date_format(MONTH, "YEAR_MONTH_FORMAT") in text
    assert AuditEntry.objects.filter(action="pattern_report.download", actor=analyst).exists()


def test_pdf_of_a_bad_month_is_refused(client_for, analyst):
    response = client_for(analyst).get("/patterns/report/pdf", {"month": "2026-00"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
