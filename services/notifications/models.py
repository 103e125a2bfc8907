from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    INAPP = "inapp", _("Kotak masuk aplikasi")


class RecipientKind(models.TextChoices):
    RESIDENT = "resident", _("Warga")
    STAFF = "staff", _("Perangkat desa")
    SUPERVISOR = "supervisor", _("Pengawas")
    REPORTER = "reporter", _("Pelapor tanpa akun")


class MessageStatus(models.TextChoices):
    CREATED = "created", _("Dibuat")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim ke penyedia")
    DELIVERED = "delivered", _("Diterima")
    FAILED = "failed", _("Gagal")


FINAL_STATUSES = (MessageStatus.DELIVERED, MessageStatus.FAILED)
# Receipts move a message only forward along this order, never out of a final state.
STATUS_ORDER = {
    MessageStatus.CREATED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.FAILED: 3,
}


class Message(models.Model):
    """One attempt to tell one person one thing over one channel (an outbox row).

    When a channel fails for good, the next channel of ``fallback`` gets a new row, so
    each row keeps the reason its own channel failed.
    """

    event_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    recipient_id = models.CharField(max_length=40)
    # Where to send it: a phone number or an email address; empty for the in-app inbox.
    address = models.CharField(max_length=254, blank=True, default="")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    fallback = models.JSONField(default=list, blank=True)
    template_key = models.CharField(max_length=60)
    language = models.CharField(max_length=5, default="id")
    subject = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField()
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.CREATED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=60, blank=True, default="")
    provider_message_id = models.CharField(max_length=120, blank=True, default="", db_index=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The sweep's two questions: what is due, what is stuck.
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["status", "claimed_at"], name="message_claimed"),
            models.Index(fields=["recipient_kind", "recipient_id"], name="message_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} -> {self.recipient_kind}:{self.recipient_id} ({self.status})"


class NotificationTemplate(models.Model):
    """Wording per event and channel; villages edit it. ``{{ name }}`` placeholders only."""

    key = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True, default="")
    language = models.CharField(max_length=5, default="id")
    subject = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel", "language"], name="one_template_per_key_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}/{self.channel or '*'}/{self.language}"


class ProviderKind(models.TextChoices):
    WEBHOOK = "webhook", _("Gateway JSON (webhook)")
    EMAIL = "email", _("Email (SMTP)")


class ChannelConfig(models.Model):
    """A provider the village uses for a channel. Two rows for one channel: failover by
    ``priority`` (lower first) behind a circuit breaker."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    name = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=ProviderKind.choices)
    url = models.URLField(blank=True, default="")
    # The name of the environment variable holding the gateway token, never the token.
    credentials_ref = models.CharField(max_length=80, blank=True, default="")
    # The shared secret the gateway sends with its delivery receipts (X-Receipt-Token).
    receipt_secret = models.CharField(max_length=64, blank=True, default="")
    sender = models.CharField(max_length=120, blank=True, default="")
    priority = models.PositiveSmallIntegerField(default=1)
    rate_per_second = models.PositiveIntegerField(default=20)
    timeout_seconds = models.FloatField(default=10.0)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["channel", "priority", "id"]

    def __str__(self) -> str:
        return f"{self.channel}:{self.name}"


class Preference(models.Model):
    """What a person accepts. No row: every channel, announcements included, Indonesian."""

    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    recipient_id = models.CharField(max_length=40)
    channels = models.JSONField(default=list, blank=True)  # empty: all channels
    announcements = models.BooleanField(default=True)
    language = models.CharField(max_length=5, default="id")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_kind", "recipient_id"], name="one_preference_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_kind}:{self.recipient_id}"


class InboxItem(models.Model):
    """A message in a resident's or staff member's in-app inbox."""

    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    recipient_id = models.CharField(max_length=40)
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="inbox_item")
    subject = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient_kind", "recipient_id", "-id"], name="inbox")]

    def __str__(self) -> str:
        return self.subject or self.body[:40]
