"""Officer actions over the API: what a call sends and gets back (decision 0072).

The input of an action is checked here only for its shape (types, lengths); which fields an
action needs and what they must say is the officer's form's rule (workflow.forms.action_form),
applied by the view to the same values, so that the API and the page refuse alike.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from motcua.workflow import machine

OFFICER_ACTIONS = [name for name, act in machine.ACTIONS.items() if act.actor == machine.OFFICER]


class SupplementItemSerializer(serializers.Serializer):
    component = serializers.CharField(
        max_length=20,
        help_text=_("Mã (id) thành phần hồ sơ của thủ tục, hoặc “other” cho giấy tờ khác."),
    )
    reason = serializers.CharField(max_length=1000, help_text=_("Lý do cần bổ sung giấy tờ này."))


class ActionInputSerializer(serializers.Serializer):
    """Every field an action may take; each action takes the ones `fields` lists for it."""

    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    request = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    items = SupplementItemSerializer(many=True, required=False, max_length=50)
    other_name = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text=_("Tên giấy tờ khác (khi một mục có component “other”)."),
    )
    new_due_date = serializers.DateField(required=False, help_text=_("Ngày hẹn trả mới."))
    amount = serializers.IntegerField(
        required=False, min_value=1, max_value=10**12, help_text=_("Số tiền phải nộp (đồng).")
    )
    unit_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=100,
        help_text=_("Các đơn vị, cơ quan nhận (liên thông, xin ý kiến)."),
    )
    days = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        coerce_to_string=False,
        required=False,
        help_text=_("Thời hạn trả lời, số ngày làm việc (ví dụ 2 hoặc 0.5)."),
    )


class ActionRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=OFFICER_ACTIONS, help_text=_("Tên thao tác."))
    officer = serializers.EmailField(
        max_length=254,
        help_text=_("Thư điện tử của cán bộ thực hiện, thuộc cơ quan của hệ thống kết nối."),
    )
    expected_version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text=_(
            "Phiên bản hồ sơ mà hệ thống đã đọc; hồ sơ đã thay đổi từ đó thì thao tác bị từ chối (409)."
        ),
    )
    input = ActionInputSerializer(required=False, help_text=_("Thông tin kèm thao tác."))


class AvailableActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    fields = serializers.ListField(
        child=serializers.CharField(), help_text=_("Các trường của `input` mà thao tác nhận.")
    )
    required = serializers.ListField(
        child=serializers.CharField(), help_text=_("Các trường bắt buộc.")
    )
    issues = serializers.CharField(
        allow_null=True, help_text=_("Văn bản thao tác ban hành (nếu có).")
    )
    signs_result = serializers.BooleanField(help_text=_("Thao tác ký số kết quả giải quyết."))


class ActionsListSerializer(serializers.Serializer):
    dossier = serializers.UUIDField()
    version = serializers.IntegerField()
    officer = serializers.EmailField()
    actions = AvailableActionSerializer(many=True)


class ActionDoneSerializer(serializers.Serializer):
    dossier = serializers.UUIDField()
    code = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    status = serializers.IntegerField(help_text=_("Mã trạng thái mới (DOMAIN.md mục 4)."))
    status_label = serializers.CharField()
    version = serializers.IntegerField()


class TaskAnswerRequestSerializer(serializers.Serializer):
    officer = serializers.EmailField(max_length=254)
    answer = serializers.CharField(max_length=5000)


class TaskAnsweredSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    dossier = serializers.UUIDField()
    state = serializers.CharField()
    answered_at = serializers.DateTimeField()
    dossier_version = serializers.IntegerField()
