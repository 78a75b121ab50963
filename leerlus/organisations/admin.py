# SPDX-License-Identifier: EUPL-1.2
"""Administration, scoped: an organisation's administrators see and change only their own
organisation; platform superusers see all. Every change is written to the audit log."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEntry, Department, Organisation, RoleAssignment, Service, User
from .roles import Capability


def _administered_organisation(request: HttpRequest) -> int | None:
    """The organisation whose administrator is asking, if they are one."""
    user = request.user
    if isinstance(user, User) and user.is_active and user.can(Capability.MANAGE_PEOPLE):
        return user.organisation_id
    return None


class TenantScopedAdmin(admin.ModelAdmin[Any]):
    """Limits rows and choices to the administrator's organisation."""

    organisation_path = "organisation"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        organisation_id = _administered_organisation(request)
        if organisation_id is None:
            return rows.none()
        return rows.filter(**{self.organisation_path: organisation_id})

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        organisation_id = _administered_organisation(request)
        if organisation_id is not None and not request.user.is_superuser:
            if db_field.related_model is Organisation:
                kwargs["queryset"] = Organisation.objects.filter(pk=organisation_id)
            elif db_field.related_model is Department:
                kwargs["queryset"] = Department.objects.filter(organisation_id=organisation_id)
            elif db_field.related_model is Service:
                kwargs["queryset"] = Service.objects.filter(organisation_id=organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or _administered_organisation(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        organisation_id = _administered_organisation(request)
        if organisation_id and not request.user.is_superuser and hasattr(obj, "organisation"):
            obj.organisation_id = organisation_id
        super().save_model(request, obj, form, change)
        audit.record(
            action=f"{obj._meta.model_name}.{'change' if change else 'create'}",
            actor=request.user if isinstance(request.user, User) else None,
            obj=obj,
            organisation=getattr(obj, "organisation", None),
            request=request,
            details={"fields": sorted(form.changed_data)} if change else {},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(
            action=f"{obj._meta.model_name}.delete",
            actor=request.user if isinstance(request.user, User) else None,
            obj=obj,
            organisation=getattr(obj, "organisation", None),
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class SuperuserOnlyAdmin(TenantScopedAdmin):
    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)


@admin.register(Organisation)
class OrganisationAdmin(SuperuserOnlyAdmin):
    organisation_path = "pk"
    list_display = ["name", "slug", "feedback_retention_days", "contact_retention_days"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Department)
class DepartmentAdmin(TenantScopedAdmin):
    list_display = ["name", "organisation"]
    search_fields = ["name"]
    list_filter = ["organisation"]


@admin.register(Service)
class ServiceAdmin(TenantScopedAdmin):
    list_display = ["name", "department", "organisation"]
    search_fields = ["name"]
    list_filter = ["organisation"]


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 1


@admin.register(User)
class PersonAdmin(TenantScopedAdmin, UserAdmin[User]):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["organisation", "is_active", "role_assignments__role"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ("organisation", "department")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # An organisation's administrator cannot hand out platform-wide powers.
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in _PLATFORM_FIELDS]})
            for name, opts in fieldsets
        ]


_PLATFORM_FIELDS = {"is_superuser", "groups", "user_permissions"}


@admin.register(AuditEntry)
class AuditEntryAdmin(TenantScopedAdmin):
    list_display = ["occurred_at", "actor_label", "action", "object_type", "result", "origin"]
    list_filter = ["action", "result"]
    search_fields = ["actor_label", "object_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
