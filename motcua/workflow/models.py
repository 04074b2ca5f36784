from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.fields import OrderedJSONField
from motcua.core.models import AppendOnlyModel


class Workflow(models.Model):
    """One version of a procedure's handling workflow (quy trình nội bộ).

    Versions are never edited: a change saves a new version, and a dossier keeps the
    version it was submitted under. The definition's shape is checked by
    `motcua.workflow.definition.definition_problems`.
    """

    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.CASCADE, related_name="workflows"
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    definition = OrderedJSONField(_("định nghĩa quy trình"))
    note = models.CharField(_("ghi chú thay đổi"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["procedure_id", "-version"]
        verbose_name = _("quy trình xử lý")
        verbose_name_plural = _("quy trình xử lý")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="workflow_version_unique")
        ]

    def __str__(self):
        return f"{self.procedure.code} v{self.version}"

    @property
    def steps(self) -> list[dict]:
        return self.definition.get("steps", [])

    def step(self, key: str) -> dict | None:
        return next((s for s in self.steps if s["key"] == key), None)

    def step_index(self, key: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s["key"] == key)

    def next_step(self, key: str) -> dict | None:
        i = self.step_index(key)
        return self.steps[i + 1] if i + 1 < len(self.steps) else None

    def previous_step(self, key: str) -> dict | None:
        i = self.step_index(key)
        return self.steps[i - 1] if i > 0 else None


class Task(models.Model):
    """Work asked of another agency or unit while the lead keeps the dossier.

    A hand-over for joint handling (liên thông, D61 art.19(6)) or a consultation
    (xin ý kiến, art.19(5)), each with its own deadline; late ones are escalated to the
    head of the receiving desk.
    """

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Liên thông")
        CONSULT = "consult", _("Xin ý kiến")

    class State(models.TextChoices):
        OPEN = "open", _("Đang chờ")
        ANSWERED = "answered", _("Đã trả lời")
        # The dossier ended (stopped, withdrawn, refused) before the answer came.
        CLOSED = "closed", _("Đã đóng, không cần trả lời")

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="tasks", verbose_name=_("đơn vị")
    )
    request = models.TextField(_("nội dung đề nghị"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("nhiệm vụ liên thông, xin ý kiến")
        verbose_name_plural = _("nhiệm vụ liên thông, xin ý kiến")
        indexes = [
            models.Index(fields=["unit", "state", "due_at"], name="task_unit_queue"),
            models.Index(fields=["state", "due_at"], name="task_state_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.dossier_id} → {self.unit_id}"


class Comment(AppendOnlyModel):
    """An internal note on a dossier (ý kiến nội bộ), never shown to the applicant."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("nội dung"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self):
        return f"{self.dossier_id} {self.at:%d/%m/%Y %H:%M}"
