from django.db import models


class SandboxStatusMessage(models.Model):
    """A status message as the sandbox portal received it (its own books, not MotCua's)."""

    client_id = models.CharField(max_length=100)
    message_id = models.CharField(max_length=64)
    dossier_code = models.CharField(max_length=64, db_index=True)
    procedure_code = models.CharField(max_length=40)
    agency_code = models.CharField(max_length=40)
    status = models.PositiveSmallIntegerField()
    updated_at_text = models.CharField(max_length=14, help_text="ThoiGianCapNhat as sent.")
    body = models.JSONField()
    answer = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier_code", "updated_at_text", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_id", "message_id"], name="dvcqg_sandbox_message_unique"
            )
        ]

    def __str__(self):
        return f"{self.dossier_code} {self.status}"

    @property
    def reference(self) -> str:
        return f"DVCQG-{self.pk:08d}"
