from django.db import models


class SandboxParcel(models.Model):
    """A parcel booked with the sandbox post office, as a carrier keeps it."""

    tracking_number = models.CharField(max_length=20, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    reference = models.CharField(max_length=60)
    order = models.JSONField()
    status = models.CharField(max_length=4, default="100")
    status_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.tracking_number
