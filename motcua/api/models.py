"""Integrators: API clients registered per agency, idempotency records, webhooks."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.crypto import fernet


class ApiClient(models.Model):
    """A system allowed to call the API for one agency (and its sub-agencies), with the OAuth2
    client-credentials application it authenticates as (django-oauth-toolkit)."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="api_client",
    )
    agency = models.ForeignKey(
        "catalogue.Agency",
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("cơ quan"),
    )
    name = models.CharField(_("tên hệ thống"), max_length=200)
    scopes = models.JSONField(_("phạm vi được cấp"), default=list)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("số yêu cầu tối đa mỗi phút"), default=600
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("hệ thống kết nối (API)")
        verbose_name_plural = _("hệ thống kết nối (API)")

    def __str__(self):
        return self.name

    @property
    def client_id(self) -> str:
        return self.application.client_id


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, given again for the same key and
    body; the same key with another body is a 409 (motcua.api.idempotency)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)  # sha256 of the request's content
    status_code = models.PositiveSmallIntegerField(null=True)  # null: still being answered
    body = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_age")]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"


class WebhookSubscription(models.Model):
    """An endpoint of the integrator told of events of its agency's dossiers."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("địa chỉ nhận"), max_length=500)
    # Event type names (motcua.core.events), or ["*"] for every dossier event.
    event_types = models.JSONField(_("loại sự kiện"), default=list)
    # Only the events of this dossier (a liên thông hand-over's progress), when set.
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    description = models.CharField(_("mô tả"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("đăng ký webhook")
        verbose_name_plural = _("đăng ký webhook")

    def __str__(self):
        return self.url

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


SECRET_PURPOSE = "motcua.api.webhook-secret"  # noqa: S105 (a key-derivation label)


def seal_secret(plain: str) -> str:
    return fernet(SECRET_PURPOSE).encrypt(plain.encode()).decode()


def new_sealed_secret() -> str:
    return seal_secret(new_webhook_secret())


class WebhookSecret(models.Model):
    """A signing key of a subscription. Rotation adds a new one; the old one keeps signing
    beside it until `expires_at`, so the receiver can switch without losing a delivery.

    Stored encrypted (Fernet keyed from SECRET_KEY, core.crypto): `secret` opens it, only to
    sign a delivery and to show it once to the integrator who made it."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="secrets"
    )
    sealed = models.CharField(max_length=300, default=new_sealed_secret)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.subscription_id}: {self.created_at:%Y-%m-%d}"

    @property
    def secret(self) -> str:
        """The plain secret (raises cryptography's InvalidToken if SECRET_KEY changed)."""
        return fernet(SECRET_PURPOSE).decrypt(self.sealed.encode()).decode()


class WebhookDelivery(models.Model):
    """One event for one subscription, tried until the endpoint answers 2xx or the retries
    run out (then it waits to be replayed)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ gửi")
        DELIVERED = "delivered", _("Đã gửi")
        FAILED = "failed", _("Gửi không thành công")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.BigIntegerField()  # the outbox row's id: the event's id outside too
    event_type = models.CharField(max_length=80)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Tried until then (WEBHOOK_GIVE_UP_HOURS after the event, or after a replay), then failed.
    give_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="api_webhook_event_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="api_webhook_due",
            ),
            models.Index(fields=["subscription", "created_at"], name="api_webhook_sub_age"),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscription_id} ({self.state})"


class WebhookAttempt(models.Model):
    """What one try of a delivery got back: kept for the integrator and the operator."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.delivery_id}: {self.status_code or self.error}"


class ClientDossier(models.Model):
    """A dossier an API client created on an applicant's behalf (decision 0069): while it is
    a draft, only that client may see it, add files to it and submit it."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="dossiers")
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="api_origin"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ tạo qua API")
        verbose_name_plural = _("hồ sơ tạo qua API")

    def __str__(self):
        return f"{self.client_id} → {self.dossier_id}"


# --- Liên thông between MotCua installations (decision 0071) --------------------------------


class Peer(models.Model):
    """Another MotCua installation this one hands dossiers to and receives them from.

    Secrets never sit in the database: `client_secret_env` and `signing_key_env` name the
    environment variables that hold this installation's OAuth2 client secret there and the
    key both installations share to sign envelopes and callbacks."""

    name = models.CharField(_("tên hệ thống"), max_length=200)
    base_url = models.URLField(_("địa chỉ gốc"), max_length=300)
    # Only to call the peer (hand dossiers to it): empty when it only hands dossiers here.
    client_id = models.CharField(
        _("mã ứng dụng (client id) tại hệ thống kia"), max_length=100, blank=True
    )
    client_secret_env = models.CharField(
        _("biến môi trường chứa client secret"), max_length=100, blank=True
    )
    signing_key_env = models.CharField(_("biến môi trường chứa khóa ký chung"), max_length=100)
    # The client this installation registered for the peer: its calls come in as this client.
    inbound_client = models.OneToOneField(
        ApiClient,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="peer",
        verbose_name=_("hệ thống kết nối của bên kia tại đây"),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("hệ thống MotCua liên thông")
        verbose_name_plural = _("hệ thống MotCua liên thông")

    def __str__(self):
        return self.name


class RemoteAgency(models.Model):
    """A local Agency whose work is done on a peer installation: transfers to its units are
    sent there. Its service account answers the tasks when the peer's result comes back."""

    agency = models.OneToOneField(
        "catalogue.Agency",
        on_delete=models.CASCADE,
        related_name="remote",
        verbose_name=_("cơ quan"),
    )
    peer = models.ForeignKey(
        Peer, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("hệ thống")
    )
    remote_identifier = models.CharField(_("mã định danh cơ quan tại hệ thống kia"), max_length=40)
    service_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("cơ quan ở hệ thống khác")
        verbose_name_plural = _("cơ quan ở hệ thống khác")

    def __str__(self):
        return f"{self.agency} → {self.peer}"


class Handover(models.Model):
    """Origin side: one transfer task sent to a peer installation, and what came back."""

    class State(models.TextChoices):
        PENDING = "pending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        REFUSED = "refused", _("Bị từ chối")
        DONE = "done", _("Đã có kết quả")
        # The lead dossier ended (stopped, withdrawn) before the answer: the peer was told.
        CANCELLED = "cancelled", _("Đã báo dừng")

    key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    task = models.OneToOneField("workflow.Task", on_delete=models.CASCADE, related_name="handover")
    remote_agency = models.ForeignKey(RemoteAgency, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    remote_uuid = models.UUIDField(null=True, blank=True)
    remote_code = models.CharField(max_length=48, blank=True)
    refusal = models.TextField(blank=True)
    result_file = models.FileField(upload_to="handovers/%Y/%m/", max_length=200, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.task_id} → {self.remote_code or self.state}"


class HandoverProgress(models.Model):
    """Origin side: a callback received for a handover, once per webhook id."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="progress")
    webhook_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=80)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["handover", "webhook_id"], name="api_handover_progress_once"
            )
        ]

    def __str__(self):
        return f"{self.handover_id}: {self.event_type}"


class ReceivedHandover(models.Model):
    """Peer side: a dossier made here from an origin installation's envelope."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="received")
    key = models.UUIDField()  # the origin's Handover.key
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="received_handover"
    )
    origin_code = models.CharField(max_length=48)
    origin_uuid = models.UUIDField()
    origin_agency = models.CharField(max_length=300)
    origin_due_at = models.DateTimeField(null=True, blank=True)
    callback_url = models.URLField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the origin said its lead dossier ended (stopped, withdrawn): once.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer", "key"], name="api_received_handover_once")
        ]

    def __str__(self):
        return f"{self.origin_code} → {self.dossier_id}"
