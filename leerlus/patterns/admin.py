# SPDX-License-Identifier: EUPL-1.2
"""Administration of the patterns app: read-only views for support, scoped per organisation.

Themes, curation, alerts and events change only through their screens and services, which
keep the engine's state, the daily counts and the audit trail consistent; the admin shows
them (e.g. to see why a discovery failed) but does not edit them. Digest subscriptions are
the exception: an administrator may subscribe or unsubscribe a colleague.
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import ModelChoiceField
from django.http import HttpRequest

from leerlus.organisations.admin import TenantScopedAdmin
from leerlus.organisations.models import User

from .models import (
    Alert,
    AlertSubscription,
    CurationAction,
    DiscoveryRun,
    Event,
    Theme,
    ThemeState,
)


class ReadOnlyTenantAdmin(TenantScopedAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ThemeState)
class ThemeStateAdmin(ReadOnlyTenantAdmin):
    list_display = [
        "organisation",
        "discovered_at",
        "assigned_up_to",
        "routing_trained_at",
        "retained_share",
        "unassigned_share",
    ]
    # The models are megabytes of base64: not for a page.
    exclude = ["model_json", "routing_json"]


@admin.register(DiscoveryRun)
class DiscoveryRunAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "organisation", "status", "percent", "items", "themes"]
    list_filter = ["status"]
    date_hierarchy = "created_at"


@admin.register(Theme)
class ThemeAdmin(ReadOnlyTenantAdmin):
    list_display = ["title", "engine_id", "size", "pinned", "hidden", "retired", "organisation"]
    list_filter = ["pinned", "hidden", "retired"]
    search_fields = ["name", "label"]


@admin.register(CurationAction)
class CurationActionAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "kind", "theme", "actor", "undone_at"]
    list_filter = ["kind"]
    date_hierarchy = "created_at"


@admin.register(Alert)
class AlertAdmin(ReadOnlyTenantAdmin):
    list_display = ["start", "kind", "theme", "channel", "observed", "expected", "status"]
    list_filter = ["kind", "status", "channel"]
    date_hierarchy = "start"


@admin.register(Event)
class EventAdmin(ReadOnlyTenantAdmin):
    list_display = ["date", "kind", "title", "organisation"]
    list_filter = ["kind"]
    search_fields = ["title"]
    date_hierarchy = "date"


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(TenantScopedAdmin):
    organisation_path = "user__organisation"
    list_display = ["user", "created_at"]

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        user = request.user
        if db_field.name == "user" and isinstance(user, User) and not user.is_superuser:
            kwargs["queryset"] = User.objects.filter(organisation=user.organisation)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
