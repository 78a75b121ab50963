# SPDX-License-Identifier: EUPL-1.2
"""Signals: one shape for feedback from every channel, redacted before it is stored.

Field names map onto a Klantcontact of the Klantinteracties API (channel → kanaal, subject →
onderwerp via the service, text → inhoud, received_at → plaatsgevondenOp, language → taal,
confidential → vertrouwelijk), so an adapter can export to Open Klant without translation.
Contact details and original texts live in their own tables, readable by fewer roles, and
expire.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leerlus.organisations.models import Department, Organisation, Service, User


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Counter")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    SOCIAL_MEDIA = "social_media", _("Social media")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    SESSION = "session", _("Session")


class ReporterKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    BUSINESS = "business", _("Business")
    STAFF = "staff", _("Staff")
    PARTNER = "partner", _("Partner")


class ImportBatch(models.Model):
    """One uploaded or command-line import; its counters drive the progress bar."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=100)
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    file_format = models.CharField(_("format"), max_length=10)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_bytes = models.BigIntegerField(_("size"), default=0)
    processed_bytes = models.BigIntegerField(_("processed"), default=0)
    rows_seen = models.PositiveIntegerField(_("rows read"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Rows whose bytes were not the file's encoding and were read as Windows-1252 instead:
    # how many, and the first row numbers, shown with the import's result.
    recoded = models.PositiveIntegerField(_("rows read as Windows-1252"), default=0)
    recoded_rows = models.JSONField(_("row numbers read as Windows-1252"), default=list)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Written by the process that imports, every few seconds: a running import without a
    # recent heartbeat was interrupted (its process died) and can be resumed.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source}: {self.filename}"

    @property
    def interrupted(self) -> bool:
        """Running, but its process has given no sign of life for
        ``LEERLUS_IMPORT_STALE_SECONDS``: it died (killed, out of memory, a restart)."""
        if self.status != self.Status.RUNNING:
            return False
        last = self.heartbeat_at or self.created_at
        stale = timedelta(seconds=settings.LEERLUS_IMPORT_STALE_SECONDS)
        return last is None or last < timezone.now() - stale

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.processed_bytes / self.total_bytes))


class Feedback(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("service")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("department"),
    )
    text = models.TextField(_("text"), help_text=_("Personal data has been removed."))
    language = models.CharField(_("language"), max_length=8, blank=True)
    received_at = models.DateTimeField(_("received at"))
    reporter_kind = models.CharField(
        _("reporter"), max_length=10, choices=ReporterKind.choices, default=ReporterKind.CITIZEN
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=32,
        help_text=_(
            "Hash of the source and external id (or time and text): the same row imported "
            "twice is one signal."
        ),
    )
    case_url = models.URLField(_("case (zaak) URL"), blank=True)
    redactions = models.JSONField(_("removed personal data"), default=dict, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-received_at"], name="feedback_org_time"),
            models.Index(
                fields=["organisation", "channel", "received_at"], name="feedback_org_channel"
            ),
            models.Index(
                fields=["organisation", "service", "received_at"], name="feedback_org_service"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fingerprint"], name="feedback_fingerprint_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ContactDetails(models.Model):
    """How to reach the reporter, given with consent; removed after the retention period."""

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    consent = models.BooleanField(_("consent to be contacted"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self) -> str:
        return f"contact of {self.feedback_id}"


class OriginalText(models.Model):
    """The unredacted text, only where the organisation chose to keep it; it expires."""

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="original")
    text = models.TextField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("original text")
        verbose_name_plural = _("original texts")

    def __str__(self) -> str:
        return f"original of {self.feedback_id}"


class RejectedRow(models.Model):
    """A row an import could not accept, kept with its reasons for correction."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejected_rows")
    row_number = models.PositiveIntegerField(_("row"))
    values = models.JSONField(_("values"))
    reasons = models.JSONField(_("reasons"))
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["row_number"]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"


class ImportMapping(models.Model):
    """The column mapping last used for a source, offered again on its next upload."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=100)
    mapping = models.JSONField(_("column mapping"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "source"], name="mapping_per_source")
        ]

    def __str__(self) -> str:
        return self.source


class IdempotencyRecord(models.Model):
    """The answer to a POST with an Idempotency-Key, replayed when the same key returns."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key
