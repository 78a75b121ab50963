# SPDX-License-Identifier: EUPL-1.2
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import SECOND_FACTOR_CAPABILITIES, Capability, Role, capabilities_of


class Organisation(models.Model):
    """A tenant: one municipality or other public body. Nobody sees another's data."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    feedback_retention_days = models.PositiveIntegerField(
        _("feedback retention (days)"),
        default=5 * 365,
        help_text=_("Municipal selection list: feedback content is kept five years."),
    )
    contact_retention_days = models.PositiveIntegerField(
        _("contact details retention (days)"),
        default=365,
        help_text=_("Contact details are removed one year after a signal is closed."),
    )
    keep_original_text = models.BooleanField(
        _("keep original texts"),
        default=False,
        help_text=_(
            "Keep the unredacted text apart, readable only by administrators, for a short time."
        ),
    )
    original_retention_days = models.PositiveIntegerField(
        _("original texts retention (days)"), default=30
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="department_slug_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service or product the organisation delivers (passport, environmental permit...)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="service_slug_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.department is not None and self.department.organisation_id != self.organisation_id:
            raise ValidationError(
                {"department": _("The department belongs to another organisation.")}
            )


class User(AbstractUser):
    """A staff member. Personal accounts only; citizens never have one."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organisation"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("department"),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def clean(self) -> None:
        super().clean()
        if self.department is not None and self.department.organisation_id != self.organisation_id:
            raise ValidationError(
                {"department": _("The department belongs to another organisation.")}
            )

    @cached_property
    def role_names(self) -> list[str]:
        if not self.organisation_id:
            return []
        return sorted(self.role_assignments.values_list("role", flat=True))

    @cached_property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_of(self.role_names)

    # Set for one request where a second factor was checked outside Leerlus's own TOTP:
    # "identity provider" (an OIDC login whose amr/acr claims say MFA, by
    # leerlus.accounts.middleware) or "api token" (where LEERLUS_API_TOKENS_COUNT_AS_SECOND_FACTOR
    # lets a token count, by leerlus.core.api.authentication). A user loaded anywhere else (a
    # job, a command) has no second factor.
    second_factor_elsewhere: str = ""

    def holds(self, capability: Capability) -> bool:
        """Whether this person's roles grant ``capability``: what the navigation offers."""
        return self.is_active and capability in self.capabilities

    def can(self, capability: Capability) -> bool:
        """Whether this person may use ``capability`` now: their roles grant it and, for the
        capabilities in SECOND_FACTOR_CAPABILITIES, this login passed a second factor."""
        return self.holds(capability) and not self.needs_second_factor_for(capability)

    def needs_second_factor_for(self, capability: Capability) -> bool:
        """Their roles grant ``capability``, but only after a second factor in this login."""
        return (
            capability in SECOND_FACTOR_CAPABILITIES
            and settings.LEERLUS_REQUIRE_SECOND_FACTOR
            and not self.second_factor_verified()
        )

    def second_factor_verified(self) -> bool:
        """This login passed a second factor: a TOTP code (django-otp's middleware and its
        ``login`` give the request's user its ``otp_device``) or one checked elsewhere."""
        return getattr(self, "otp_device", None) is not None or bool(self.second_factor_elsewhere)


class RoleAssignment(models.Model):
    """One role of one person; a person may hold several (an analyst who also facilitates)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assigned_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class AuditEntry(models.Model):
    """Who did what to which object, from where, with what result. Append-only (BIO2).

    Never holds passwords, tokens, session ids or personal data: the object is named by type
    and id, and ``details`` only lists changed field names or counts.
    """

    class Result(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")
        DENIED = "denied", _("denied")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    origin = models.GenericIPAddressField(_("origin address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValidationError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError("Audit entries are append-only.")
