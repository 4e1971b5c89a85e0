"""/api/v1/notifications/: the signed-in officer's own notifications, the unread count, and marking them read."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.errors import NotPermitted

from . import selectors, services
from .models import Notification


class NotificationOut(serializers.ModelSerializer):
    csid = serializers.CharField(source="customer.csid", default=None, read_only=True, allow_null=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "csid", "step_ids", "created_at", "read_at", "is_read"]


class ListQuery(serializers.Serializer):
    unread = serializers.BooleanField(default=False)


def _user(request):
    if not request.user.has_perm("notifications.view_notification"):
        raise NotPermitted("Only officers have notifications.")
    return request.user


class NotificationListView(APIView):
    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread ones.")],
                   responses=inline_serializer("NotificationList", {
                       "unread": serializers.IntegerField(), "results": NotificationOut(many=True)}))
    def get(self, request):
        user = _user(request)
        q = ListQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        rows = selectors.notifications_for(user=user, unread_only=q.validated_data["unread"])
        return Response({"unread": selectors.unread_count(user=user),
                         "results": NotificationOut(rows, many=True).data})


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationOut)
    def post(self, request, pk: int):
        user = _user(request)
        row = services.notification_mark_read(actor=user, notification=selectors.notification_get(user=user, pk=pk))
        return Response(NotificationOut(row).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses=inline_serializer("NotificationsRead", {"marked": serializers.IntegerField()}))
    def post(self, request):
        user = _user(request)
        return Response({"marked": services.notification_mark_all_read(actor=user)})
