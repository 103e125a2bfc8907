"""Notifications API on the village host: staff read the message log; residents (and
staff) read their inbox and set their preferences; gateways post delivery receipts."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from balai.accounts.permissions import IsVillageResident, IsVillageStaff, request_staff_role
from services.notifications import services
from services.notifications.models import (
    ChannelConfig,
    InboxItem,
    Message,
    Preference,
    RecipientKind,
)


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id", "event_id", "recipient_kind", "recipient_id", "channel", "template_key",
            "status", "attempts", "next_attempt_at", "provider", "provider_message_id",
            "last_error", "created_at", "sent_at", "finished_at",
        ]  # fmt: skip


class InboxItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxItem
        fields = ["id", "subject", "body", "created_at", "read_at"]


class PreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Preference
        fields = ["channels", "announcements", "language"]


class TemplateInputSerializer(serializers.Serializer):
    channel = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=["id", "en"], default="id")
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    body = serializers.CharField()


class IsVillageStaffOrResident(BasePermission):
    def has_permission(self, request, view) -> bool:
        return IsVillageResident().has_permission(request, view) or IsVillageStaff().has_permission(
            request, view
        )


def _me(request) -> tuple[str, str]:
    """Whose inbox and preferences: the signed-in resident, else the staff member."""
    if getattr(request.user, "is_resident", False):
        return RecipientKind.RESIDENT, str(request.user.resident_id)
    if request_staff_role(request):
        return RecipientKind.STAFF, str(request.user.pk)
    raise PermissionDenied


class MessageLogView(ListAPIView):
    """Every message of the village with its status and, when it failed, the reason."""

    permission_classes = [IsVillageStaff]
    serializer_class = MessageSerializer

    def get_queryset(self):
        messages = Message.objects.all()
        for name in ("status", "channel", "template_key", "recipient_kind", "recipient_id"):
            if value := self.request.query_params.get(name):
                messages = messages.filter(**{name: value})
        return messages


class InboxView(ListAPIView):
    permission_classes = [IsVillageStaffOrResident]
    serializer_class = InboxItemSerializer

    def get_queryset(self):
        kind, pk = _me(self.request)
        return InboxItem.objects.filter(recipient_kind=kind, recipient_id=pk)


class InboxReadView(APIView):
    permission_classes = [IsVillageStaffOrResident]

    def post(self, request, item_id: int):
        kind, pk = _me(request)
        # Scoped by the owner: another person's item id answers 404, not 403.
        item = InboxItem.objects.filter(pk=item_id, recipient_kind=kind, recipient_id=pk).first()
        if item is None:
            raise NotFound
        return Response(InboxItemSerializer(services.inbox_item_read(item=item)).data)


class PreferenceView(APIView):
    permission_classes = [IsVillageStaffOrResident]

    def get(self, request):
        kind, pk = _me(request)
        preference = Preference.objects.filter(recipient_kind=kind, recipient_id=pk).first()
        return Response(PreferenceSerializer(preference or Preference()).data)

    def put(self, request):
        kind, pk = _me(request)
        data = PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.preference_set(
            recipient_kind=kind,
            recipient_id=pk,
            channels=data.validated_data.get("channels", []),
            announcements=data.validated_data.get("announcements", True),
            language=data.validated_data.get("language", "id"),
        )
        return Response(PreferenceSerializer(preference).data)


class TemplateView(APIView):
    permission_classes = [IsVillageStaff]

    def put(self, request, key: str):
        data = TemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.template_set(key=key, **data.validated_data)
        return Response({"key": template.key, "channel": template.channel, "body": template.body})


class ReceiptView(APIView):
    """``POST {"id": <provider message id>, "status": "delivered"|"failed", "reason"}``
    with the provider's shared secret in ``X-Receipt-Token``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request, provider: str):
        config = ChannelConfig.objects.filter(name=provider).first()
        token = request.headers.get("X-Receipt-Token", "")
        if config is None or not services.receipt_token_valid(config=config, token=token):
            raise PermissionDenied
        moved = services.message_receipt(
            provider=provider,
            provider_message_id=str(request.data.get("id") or request.data.get("message_id") or ""),
            status=str(request.data.get("status", "")),
            reason=str(request.data.get("reason", "")),
        )
        return Response({"updated": moved})
