# SPDX-License-Identifier: EUPL-1.2
import secrets
from datetime import datetime
from typing import Any

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leerlus.core.forms import AccessibleFormMixin
from leerlus.core.ratelimit import first_use
from leerlus.organisations.models import Organisation, Service

from ..models import Channel, ReporterKind
from ..services import ContactInput, SignalInput

_FORM_SALT = "leerlus.feedback.public-form"
# A person needs more than this to read the form and type; scripts usually do not wait.
MINIMUM_SECONDS = 2
# A form's stamp is good for one sending within this time (a form left open overnight too).
STAMP_LIFETIME_SECONDS = 24 * 3600


def public_form_stamp(*, issued_at: float | None = None) -> str:
    """The signed stamp a public form carries: when it was issued and a nonce, so that it can
    be spent once (``PublicFeedbackForm.spend_stamp``)."""
    issued_at = timezone.now().timestamp() if issued_at is None else issued_at
    return signing.dumps({"at": issued_at, "nonce": secrets.token_urlsafe(16)}, salt=_FORM_SALT)


class ServiceChoiceField(forms.ModelChoiceField[Service]):
    def label_from_instance(self, obj: Service) -> str:
        return obj.name


class _OrganisationServicesMixin:
    fields: dict[str, forms.Field]

    def _limit_services(self, organisation: Organisation) -> None:
        field = self.fields["service"]
        assert isinstance(field, ServiceChoiceField)
        field.queryset = Service.objects.filter(organisation=organisation)


class PublicFeedbackForm(_OrganisationServicesMixin, AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your feedback"),
        help_text=_(
            "What went well or what went wrong? Please do not include your citizen service "
            "number (BSN) or other personal details here."
        ),
        min_length=5,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    service = ServiceChoiceField(
        label=_("What is it about?"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("Something else / I don't know"),
    )
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[("", _("No answer"))] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 is very dissatisfied, 5 is very satisfied."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    consent = forms.BooleanField(
        label=_("You may contact me about this feedback"),
        required=False,
    )
    # Honeypot: hidden from people (and assistive technology); bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    issued = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self._limit_services(organisation)
        if not self.is_bound:
            self.initial["issued"] = public_form_stamp()

    def _stamp(self) -> dict[str, Any] | None:
        """The stamp's contents; None for a forged or missing one."""
        try:
            stamp = signing.loads(self.data.get("issued", ""), salt=_FORM_SALT)
        except signing.BadSignature:
            return None
        # A stamp of the earlier form was only a time: it has no nonce to spend, so it is old.
        return stamp if isinstance(stamp, dict) else {"at": 0.0, "nonce": ""}

    def _age(self) -> float | None:
        stamp = self._stamp()
        return None if stamp is None else timezone.now().timestamp() - float(stamp["at"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age = self._age()
        if age is not None and age > STAMP_LIFETIME_SECONDS:
            self.add_error(
                None,
                _(
                    "This form was open for more than a day. Your text is still here: "
                    "please check it and send it again."
                ),
            )
            self.renew_stamp()
        contact = any(data.get(k) for k in ("name", "email", "phone"))
        if contact and not data.get("consent"):
            self.add_error(
                "consent",
                _("Tick this box if we may contact you, or leave your contact details empty."),
            )
        if data.get("consent") and not (data.get("email") or data.get("phone")):
            self.add_error("email", _("Give an e-mail address or phone number to be contacted."))
        return data

    @property
    def looks_automated(self) -> bool:
        """Filled honeypot, a tampered or missing stamp, or a form sent back too fast."""
        if self.cleaned_data.get("website"):
            return True
        age = self._age()
        return age is None or age < MINIMUM_SECONDS

    def spend_stamp(self) -> bool:
        """Uses up the form's stamp; False when it was used before (the same form sent twice,
        or replayed), which then gets a fresh stamp to be sent again on purpose."""
        stamp = self._stamp()
        assert stamp is not None  # looks_automated refused forms without one
        if first_use(f"feedback-stamp:{stamp['nonce']}", timeout_seconds=STAMP_LIFETIME_SECONDS):
            return True
        self.renew_stamp()
        return False

    def renew_stamp(self) -> None:
        """The form is shown again with a new stamp (its other input as it was sent)."""
        self.data = {**self.data, "issued": public_form_stamp()}

    def to_signal(self) -> SignalInput:
        data = self.cleaned_data
        return SignalInput(
            text=data["text"],
            channel=Channel.WEB_FORM,
            received_at=timezone.now(),
            service=data.get("service"),
            rating=data.get("rating"),
            contact=ContactInput(
                name=data.get("name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                consent=bool(data.get("consent")),
            ),
        )


class QuickEntryForm(_OrganisationServicesMixin, AccessibleFormMixin, forms.Form):
    """Front office: a phone or counter contact in a few seconds."""

    text = forms.CharField(
        label=_("What is it about?"),
        min_length=3,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (c, label)
            for c, label in Channel.choices
            if c in {"phone", "counter", "email", "chat", "social_media", "web_form"}
        ],
        widget=forms.RadioSelect,
    )
    service = ServiceChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("Not specific"),
    )
    reporter_kind = forms.ChoiceField(
        label=_("Who"), choices=ReporterKind.choices, initial=ReporterKind.CITIZEN
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_services(organisation)

    def to_signal(self, *, received_at: datetime | None = None) -> SignalInput:
        data = self.cleaned_data
        return SignalInput(
            text=data["text"],
            channel=data["channel"],
            received_at=received_at or timezone.now(),
            service=data.get("service"),
            reporter_kind=data["reporter_kind"],
        )
