from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Melihat")
    LIST = "list", _("Mencari/menampilkan daftar")
    CREATE = "create", _("Membuat")
    UPDATE = "update", _("Mengubah")
    EVENT = "event", _("Mencatat peristiwa")
    EXPORT = "export", _("Mengekspor")
    PRINT = "print", _("Mencetak")
    IMPORT = "import", _("Mengimpor")


class ActorKind(models.TextChoices):
    USER = "user", _("Pengguna (staf)")
    RESIDENT = "resident", _("Warga")
    SYSTEM = "system", _("Sistem")


class AuditEntry(models.Model):
    """One access to or change of personal data.

    Holds who (kind + id, never a name), what was done, to which object, and the *names*
    of the fields involved. Never the values: the log must not become a second copy of
    the personal data it guards (UU 27/2022 on personal data protection).
    """

    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    # accounts.User id (public schema) for staff, residents.Resident id for residents.
    actor_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True, default="")
    fields = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["object_type", "object_id", "created_at"], name="audit_object_idx"
            ),
            models.Index(fields=["actor_kind", "actor_id", "created_at"], name="audit_actor_idx"),
            models.Index(fields=["created_at"], name="audit_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"
