# SPDX-License-Identifier: EUPL-1.2
"""The Django side of the engine: themes and their assignments, daily counts, alerts,
events and the analyst's curation.

The engine (:mod:`leerlus.engine`) knows nothing of the database. Its theme model (centres,
vocabulary, labels) is stored as JSON in :class:`ThemeState`; each engine theme has one
:class:`Theme` row (same ``engine_id`` on every re-run, so an analyst's name sticks).
Screens never count signals: they read :class:`DailyCount`, kept up to date by the jobs.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from leerlus.feedback.models import Channel, Feedback
from leerlus.organisations.models import Organisation, Service, User


class ThemeState(models.Model):
    """Per organisation: the engine's current theme model, its routing model and the
    watermark up to which signals have been assigned."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="theme_state"
    )
    model_json = models.TextField(blank=True)
    routing_json = models.TextField(blank=True)
    routing_trained_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When routing_json was written: the key of the per-process model cache.",
    )
    assigned_up_to = models.BigIntegerField(
        default=0, help_text="Highest signal id that has been given a theme."
    )
    discovered_at = models.DateTimeField(null=True, blank=True)
    retained_share = models.FloatField(null=True, blank=True)
    unassigned_share = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return f"themes of {self.organisation}"


class DiscoveryRun(models.Model):
    """One re-discovery of themes, scheduled or asked for; drives the progress display."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    themes = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"discovery {self.pk} ({self.status})"


class Theme(models.Model):
    """One theme of one organisation, identified by the engine's stable theme id."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    engine_id = models.IntegerField()
    label = models.CharField(_("generated label"), max_length=200)
    name = models.CharField(_("name"), max_length=200, blank=True)
    key_terms = models.JSONField(default=list, blank=True)
    size = models.PositiveIntegerField(default=0)
    example_ids = models.JSONField(
        default=list, blank=True, help_text="Ids of the most representative signals."
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown on the public 'you said, we did' page.")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    retired = models.BooleanField(
        default=False, help_text="No longer found by the engine; kept for history."
    )
    first_seen = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["engine_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "engine_id"], name="theme_engine_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.name or self.label


class ThemeAssignment(models.Model):
    """A signal's theme (none: it fits no theme yet) and, where the organisation routes,
    its suggested category."""

    feedback = models.OneToOneField(
        Feedback, on_delete=models.CASCADE, primary_key=True, related_name="assignment"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments"
    )
    similarity = models.FloatField(default=0.0)
    moved_by_hand = models.BooleanField(default=False)
    suggested_category = models.CharField(max_length=100, blank=True)
    category_confidence = models.FloatField(null=True, blank=True)
    category_unsure = models.BooleanField(default=False)
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "theme"], name="assignment_org_theme"),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} -> {self.theme_id}"


class DailyCount(models.Model):
    """Signals per day, theme, channel and service: what every chart and list reads."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, null=True, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "theme", "channel", "service"],
                name="daily_count_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "theme", "day"], name="daily_org_theme_day"),
            models.Index(fields=["organisation", "day"], name="daily_org_day"),
            # the screens filtered by channel, or by service (a department is its services)
            models.Index(fields=["organisation", "channel", "day"], name="daily_org_channel_day"),
            models.Index(fields=["organisation", "service", "day"], name="daily_org_service_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.theme_id} {self.channel}: {self.count}"


class ThemeDayCount(models.Model):
    """Signals per day and theme over every channel and service: the daily counts summed,
    kept beside them so that the screens without a channel or service filter read one row
    per theme and day instead of one per theme, day, channel and service (a seventh of
    the rows in the demo; docs/benchmarks.md, Patterns)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, null=True, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "theme"],
                name="theme_day_count_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "theme", "day"], name="themeday_org_theme_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.theme_id}: {self.count}"


class Event(models.Model):
    """Something that happened and may show in the signals: a release, a campaign..."""

    class Kind(models.TextChoices):
        RELEASE = "release", _("Release")
        CAMPAIGN = "campaign", _("Campaign")
        POLICY = "policy", _("Policy change")
        EXPERIMENT = "experiment", _("Experiment")
        INCIDENT = "incident", _("Incident")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    date = models.DateField(_("date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("service")
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organisation", "date"], name="event_org_date")]

    def __str__(self) -> str:
        return self.title


class Alert(models.Model):
    """A spike, level shift or new theme the trend job found, with its evidence."""

    class Kind(models.TextChoices):
        SPIKE = "spike", _("Spike")
        LEVEL_SHIFT = "level_shift", _("Level shift")
        NEW_THEME = "new_theme", _("New theme")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISMISSED = "dismissed", _("Dismissed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    observed = models.FloatField(default=0.0)
    expected = models.FloatField(default=0.0)
    score = models.FloatField(default=0.0)
    example_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    dismiss_reason = models.TextField(_("reason"), blank=True)
    assigned_to = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    handled_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "theme", "kind", "channel", "service", "start"],
                name="alert_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="alert_org_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.theme_id} {self.start}"

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else 0.0


class AlertSubscription(models.Model):
    """A person who wants the daily e-mail digest of new alerts."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="alert_subscription")
    created_at = models.DateTimeField(auto_now_add=True)
    # The language the person used when subscribing: the digest is written in it.
    language = models.CharField(max_length=8, blank=True)
    # Alerts created up to this moment have been in a digest (or predate the subscription).
    sent_up_to = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digest for {self.user_id}"


class CurationAction(models.Model):
    """One analyst decision (rename, merge, split, pin, hide, move), replayed into the
    engine's :class:`leerlus.engine.themes.Curation` on every run; undo marks it undone."""

    class Kind(models.TextChoices):
        RENAME = "rename", _("Rename")
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")
        PIN = "pin", _("Pin")
        UNPIN = "unpin", _("Unpin")
        HIDE = "hide", _("Hide")
        SHOW = "show", _("Show")
        MOVE = "move", _("Move example")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="curation")
    payload = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.theme_id}"
