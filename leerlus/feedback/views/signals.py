# SPDX-License-Identifier: EUPL-1.2
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from leerlus.core.ratelimit import allow
from leerlus.organisations import audit
from leerlus.organisations.audit import origin_of
from leerlus.organisations.models import Organisation
from leerlus.organisations.permissions import (
    capability_required,
    member_of,
    second_factor_url,
)
from leerlus.organisations.roles import Capability

from .. import exports, selectors, services
from ..filters import SignalFilterSet
from ..forms.signals import PublicFeedbackForm, QuickEntryForm
from ..models import Channel

PUBLIC_FORM_LIMIT = 10  # submissions per address per hour
_LAST_REFERENCE = "leerlus_feedback_reference"
_QUICK_DEFAULTS = "leerlus_quick_entry_defaults"
SORTS = {"newest": "-received_at", "oldest": "received_at", "channel": "channel"}


@never_cache
def public_form_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    form = PublicFeedbackForm(request.POST or None, organisation=organisation)
    status = 200
    if request.method == "POST":
        if not allow(
            f"feedback:{origin_of(request)}", limit=PUBLIC_FORM_LIMIT, window_seconds=3600
        ):
            form.add_error(
                None,
                _("You have sent a lot of feedback in a short time. Please try again in an hour."),
            )
            status = 429
        elif not form.is_valid():
            status = 400
        elif form.looks_automated:
            # Answer a bot like a person, so it learns nothing; store nothing.
            request.session[_LAST_REFERENCE] = "LL-00000-00000"
            return redirect("public:thanks", slug=slug)
        elif form.spend_stamp():
            feedback = services.feedback_create(organisation=organisation, item=form.to_signal())
            request.session[_LAST_REFERENCE] = feedback.reference
            return redirect("public:thanks", slug=slug)
        else:
            form.add_error(
                None,
                _(
                    "This form has already been sent, so it was not stored again. To send "
                    "another message, check the text and send it once more."
                ),
            )
            status = 409
    return render(
        request,
        "feedback/public_form.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


@never_cache
def thanks_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    reference = request.session.pop(_LAST_REFERENCE, None)
    if reference is None:
        return redirect("public:form", slug=slug)
    return render(
        request,
        "feedback/thanks.html",
        {"organisation": organisation, "reference": reference},
    )


def we_did_view(request: HttpRequest, slug: str) -> HttpResponse:
    """ "You said, we did": what the organisation learnt from feedback, for everyone."""
    organisation = get_object_or_404(Organisation, slug=slug)
    return render(
        request,
        "feedback/we_did.html",
        {"organisation": organisation, "published_themes": []},
    )


@capability_required(Capability.LOG_CONTACT)
def quick_entry_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    user = member.person
    defaults = request.session.get(_QUICK_DEFAULTS, {"channel": Channel.PHONE})
    form = QuickEntryForm(request.POST or None, organisation=member.organisation, initial=defaults)
    if request.method == "POST" and form.is_valid():
        feedback = services.feedback_create(
            organisation=member.organisation, item=form.to_signal(), created_by=user
        )
        service = form.cleaned_data.get("service")
        request.session[_QUICK_DEFAULTS] = {
            "channel": form.cleaned_data["channel"],
            "service": service.pk if service else None,
            "reporter_kind": form.cleaned_data["reporter_kind"],
        }
        messages.success(
            request, _("Logged as %(reference)s. Next contact:") % {"reference": feedback.reference}
        )
        return redirect("feedback:quick_entry")
    recent = selectors.feedback_of(organisation=member.organisation, viewer=user).filter(
        created_by=user
    )[:5]
    return render(request, "feedback/quick_entry.html", {"form": form, "recent": recent})


def _filtered(request: HttpRequest) -> tuple[forms.Form, selectors.FeedbackFilter]:
    filterset = SignalFilterSet(request.GET or None, organisation=member_of(request).organisation)
    return filterset.form, filterset.feedback_filter()


@capability_required(Capability.VIEW_FEEDBACK)
def feedback_list_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    user = member.person
    form, filters = _filtered(request)
    sort = request.GET.get("sort", "newest")
    signals = selectors.feedback_of(
        organisation=member.organisation, viewer=user, filters=filters
    ).order_by(SORTS.get(sort, "-received_at"), "-id")
    page = Paginator(signals, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "sorts": SORTS,
            "can_export": user.holds(Capability.EXPORT_FEEDBACK),
            "can_import": user.holds(Capability.IMPORT_FEEDBACK),
        },
    )


@capability_required(Capability.VIEW_FEEDBACK)
def feedback_detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    member = member_of(request)
    user = member.person
    feedback = selectors.feedback_get(
        organisation=member.organisation, viewer=user, reference=reference
    )
    contact = None
    if user.can(Capability.VIEW_CONTACT_DETAILS) and hasattr(feedback, "contact"):
        contact = feedback.contact
        audit.record(action="contact_details.view", actor=user, obj=feedback, request=request)
    original = None
    kept = hasattr(feedback, "original") and feedback.original.expires_at > timezone.now()
    if user.can(Capability.VIEW_ORIGINAL_TEXT) and kept:
        original = feedback.original
        audit.record(action="original_text.view", actor=user, obj=feedback, request=request)
    # Shown once this login passed a second factor: say so, with the way there.
    held_back = (
        user.needs_second_factor_for(Capability.VIEW_CONTACT_DETAILS)
        and hasattr(feedback, "contact")
    ) or (user.needs_second_factor_for(Capability.VIEW_ORIGINAL_TEXT) and kept)
    return render(
        request,
        "feedback/detail.html",
        {
            "feedback": feedback,
            "contact": contact,
            "original": original,
            "second_factor_url": second_factor_url(request) if held_back else "",
        },
    )


@capability_required(Capability.EXPORT_FEEDBACK)
def feedback_export_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    user = member.person
    file_format = request.GET.get("format", "csv")
    if file_format not in exports.FORMATS:
        raise Http404
    _, filters = _filtered(request)
    signals = selectors.feedback_of(
        organisation=member.organisation, viewer=user, filters=filters
    ).order_by("received_at", "id")
    audit.record(
        action="feedback.export",
        actor=user,
        request=request,
        details={
            "format": file_format,
            "filters": {k: str(v) for k, v in vars(filters).items() if v},
        },
    )
    stem = f"signals-{timezone.localdate().isoformat()}"
    return exports.export_response(signals, file_format, stem)
