# SPDX-License-Identifier: EUPL-1.2
"""Read API for the organisation, its departments, services and audit log (camelCase)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leerlus.core.api.fields import UtcDateTimeField
from leerlus.core.api.parameters import filter_parameters
from leerlus.core.filters import filters_checked

from . import selectors
from .filters import AuditEntryFilterSet
from .models import AuditEntry, Department, Organisation, Service, User
from .permissions import IsOrganisationMember, has_capability, member_of
from .roles import Capability


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    feedbackRetentionDays = serializers.IntegerField(source="feedback_retention_days")  # noqa: N815
    contactRetentionDays = serializers.IntegerField(source="contact_retention_days")  # noqa: N815

    class Meta:
        model = Organisation
        fields = ["name", "slug", "feedbackRetentionDays", "contactRetentionDays"]


class MeSerializer(serializers.Serializer[User]):
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    organisation = OrganisationSerializer()
    roles = serializers.ListField(child=serializers.CharField(), source="role_names")
    capabilities = serializers.SerializerMethodField()

    def get_capabilities(self, user: User) -> list[str]:
        return sorted(str(c) for c in user.capabilities)


class DepartmentSerializer(serializers.ModelSerializer[Department]):
    class Meta:
        model = Department
        fields = ["slug", "name"]


class ServiceSerializer(serializers.ModelSerializer[Service]):
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Service
        fields = ["slug", "name", "department"]


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.CharField(source="actor_label")
    objectType = serializers.CharField(source="object_type")  # noqa: N815
    objectId = serializers.CharField(source="object_id")  # noqa: N815
    occurredAt = UtcDateTimeField(source="occurred_at")  # noqa: N815

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "occurredAt",
            "actor",
            "action",
            "objectType",
            "objectId",
            "result",
            "origin",
            "details",
        ]


class MeView(APIView):
    permission_classes = [IsOrganisationMember]

    @extend_schema(responses=MeSerializer, summary="The authenticated person and their roles")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(member_of(request).person).data)


class OrganisationView(generics.RetrieveAPIView[Organisation]):
    """The organisation of the authenticated person."""

    permission_classes = [IsOrganisationMember]
    serializer_class = OrganisationSerializer

    def get_object(self) -> Organisation:
        return member_of(self.request).organisation


class DepartmentList(generics.ListAPIView[Department]):
    permission_classes = [IsOrganisationMember]
    serializer_class = DepartmentSerializer

    def get_queryset(self) -> QuerySet[Department]:
        return selectors.departments_of(organisation=member_of(self.request).organisation)


class DepartmentDetail(generics.RetrieveAPIView[Department]):
    permission_classes = [IsOrganisationMember]
    serializer_class = DepartmentSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Department]:
        return selectors.departments_of(organisation=member_of(self.request).organisation)


class ServiceList(generics.ListAPIView[Service]):
    permission_classes = [IsOrganisationMember]
    serializer_class = ServiceSerializer

    @extend_schema(parameters=[OpenApiParameter("department", str, description="Department slug")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Service]:
        services = selectors.services_of(organisation=member_of(self.request).organisation)
        department = self.request.query_params.get("department")
        if department:
            services = services.filter(department__slug=department)
        return services


class ServiceDetail(generics.RetrieveAPIView[Service]):
    permission_classes = [IsOrganisationMember]
    serializer_class = ServiceSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Service]:
        return selectors.services_of(organisation=member_of(self.request).organisation)


class AuditEntryList(generics.ListAPIView[AuditEntry]):
    permission_classes = [has_capability(Capability.VIEW_AUDIT_LOG)]
    serializer_class = AuditEntrySerializer

    @extend_schema(
        parameters=filter_parameters(
            AuditEntryFilterSet,
            action="An action, e.g. service.create",
            actor="Part of the actor's name",
        )
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEntry]:
        filterset = AuditEntryFilterSet(self.request.query_params)
        filters_checked(filterset)
        return selectors.audit_entries_of(
            organisation=member_of(self.request).organisation, **filterset.audit_filters()
        )
