"""The kinds of notification, the variables their templates may use, and the wording shipped
with MotCua (loaded as version 1 of each template: load_notification_templates).

Every dossier notification carries what Decree 224/2026 art.15(1)(g) asks of a status notice
(DOMAIN.md section 13): the agency, the person receiving, the unit and person handling, and
the times of reception, processing and return.
"""

from dataclasses import dataclass

# What every notification about a dossier may use.
DOSSIER_VARIABLES = frozenset(
    {
        "name",  # the applicant
        "code",
        "procedure",
        "agency",
        "status",
        "receiving_officer",
        "handling_unit",
        "handling_officer",
        "received_at",  # dd/mm/yyyy HH:MM, or "—"
        "processed_at",  # the time of this change
        "due_date",  # appointment to return the result
        "returned_at",
        "link",  # absolute address of the dossier page
        "slip_link",  # the slip the change issued (receipt, refusal...), else the dossier page
        "site_url",
    }
)


@dataclass(frozen=True)
class Kind:
    id: str
    label: str  # Vietnamese, for the admin
    variables: frozenset
    dossier: bool = True
    rate: bool = False  # the dossier ended: invite the applicant to rate it
    security: bool = False  # always by e-mail/its own channel, cannot be switched off


def _k(id, label, extra=(), **kw):
    base = DOSSIER_VARIABLES if kw.get("dossier", True) else frozenset({"link", "site_url"})
    return Kind(id, label, base | frozenset(extra), **kw)


KINDS: dict[str, Kind] = {
    k.id: k
    for k in [
        _k("submitted", "Đã nộp hồ sơ"),
        _k("accepted", "Đã tiếp nhận, hẹn trả"),
        _k("supplement_requested", "Yêu cầu bổ sung hồ sơ"),
        _k("payment_requested", "Yêu cầu nộp phí, lệ phí", ["amount"]),
        _k("payment_settled", "Đã nộp phí, lệ phí", ["amount"]),
        _k("payment_refunded", "Đã hoàn trả phí, lệ phí", ["amount"]),
        _k("extended", "Xin lỗi và hẹn lại ngày trả", ["new_due_date"]),
        _k("refused", "Từ chối tiếp nhận", rate=True),
        _k("stopped", "Dừng xử lý hồ sơ", rate=True),
        _k("status_changed", "Hồ sơ chuyển bước xử lý"),
        _k("result_issued", "Đã có kết quả"),
        _k("sent_by_post", "Đã gửi kết quả qua bưu chính", ["tracking_number"]),
        _k("returned", "Đã trả kết quả", rate=True),
        _k("withdrawal_confirmed", "Đã rút hồ sơ", rate=True),
        _k("message_to_applicant", "Tin nhắn mới của cơ quan"),
        _k("message_to_unit", "Tin nhắn mới của người nộp"),
        _k("draft_expiring", "Hồ sơ nháp sắp bị xóa", ["expires_at", "expiry_days"]),
        _k(
            "question_answered",
            "Câu hỏi đã được trả lời",
            ["procedure_code"],
            dossier=False,
        ),
        _k(
            "petition_changed",
            "Phản ánh, kiến nghị có tiến triển",
            ["petition_code", "petition_status", "due_date"],
            dossier=False,
        ),
        _k(
            "petition_late",
            "Phản ánh, kiến nghị quá hạn",
            ["petition_code", "stage", "due_date"],
            dossier=False,
        ),
        _k(
            "proactive_reminder",
            "Nhắc thực hiện thủ tục khi đến hạn (dịch vụ chủ động)",
            ["name", "procedure", "items", "due_date", "prepared"],
            dossier=False,
        ),
        _k(
            "contact_code",
            "Mã xác nhận địa chỉ liên hệ",
            ["contact_code", "minutes"],
            dossier=False,
            security=True,
        ),
    ]
}

SAMPLE = {
    "name": "Nguyễn Văn An",
    "code": "000.00.01.H01-261207-0001",
    "procedure": "Cấp bản sao trích lục hộ tịch",
    "agency": "UBND phường Bến Nghé",
    "status": "Đang giải quyết",
    "receiving_officer": "Trần Thị Bình",
    "handling_unit": "Phòng Tư pháp",
    "handling_officer": "Lê Văn Cường",
    "received_at": "07/12/2026 08:30",
    "processed_at": "07/12/2026 09:15",
    "due_date": "10/12/2026 16:30",
    "returned_at": "—",
    "link": "https://dichvucong.example.vn/dossiers/…",
    "slip_link": "https://dichvucong.example.vn/dossiers/…/documents/1.pdf",
    "site_url": "https://dichvucong.example.vn",
    "amount": "50.000 ₫",
    "new_due_date": "14/12/2026 16:30",
    "tracking_number": "VN123456789",
    "expires_at": "14/12/2026",
    "expiry_days": 30,
    "procedure_code": "1.000001",
    "petition_code": "PA-2026-0001",
    "petition_status": "Đã trả lời",
    "stage": "resolve",
    "contact_code": "123456",
    "items": "Phù hiệu số 12/2026/PH, xe 75B-012.34 — 20/01/2027",
    "prepared": True,
    "minutes": 15,
}

_STATUS_VI = """Cơ quan: {{ agency }}
Người tiếp nhận: {{ receiving_officer }}
Đơn vị, người xử lý: {{ handling_unit }} — {{ handling_officer }}
Thời điểm tiếp nhận: {{ received_at }}
Thời điểm xử lý: {{ processed_at }}
Hẹn trả kết quả: {{ due_date }}
Thời điểm trả kết quả: {{ returned_at }}
Trạng thái: {{ status }}

Xem hồ sơ: {{ link }}"""

_STATUS_EN = """Agency: {{ agency }}
Received by: {{ receiving_officer }}
Handled by: {{ handling_unit }} — {{ handling_officer }}
Received at: {{ received_at }}
Processed at: {{ processed_at }}
Result due: {{ due_date }}
Returned at: {{ returned_at }}
Status: {{ status }}

See the dossier: {{ link }}"""

_RATE_VI = "\n\nMời Quý vị đánh giá việc giải quyết hồ sơ: {{ link }}#rating"
_RATE_EN = "\n\nPlease rate how your dossier was handled: {{ link }}#rating"

# kind: (vi subject, vi lead, en subject, en lead)
_DOSSIER_WORDING = {
    "submitted": (
        "Đã nhận hồ sơ {{ code }}",
        "Kính gửi {{ name }}, hồ sơ {{ code }} ({{ procedure }}) đã được nộp và đang chờ tiếp nhận.",
        "Dossier {{ code }} received",
        "Dear {{ name }}, your dossier {{ code }} ({{ procedure }}) was submitted and awaits reception.",
    ),
    "accepted": (
        "Hồ sơ {{ code }} đã được tiếp nhận, hẹn trả {{ due_date }}",
        "Kính gửi {{ name }}, hồ sơ {{ code }} đã được tiếp nhận. Hẹn trả kết quả: {{ due_date }}. Giấy tiếp nhận và hẹn trả kết quả: {{ slip_link }}",
        "Dossier {{ code }} accepted, result due {{ due_date }}",
        "Dear {{ name }}, your dossier {{ code }} was accepted. Result due: {{ due_date }}. The receipt and appointment slip: {{ slip_link }}",
    ),
    "supplement_requested": (
        "Hồ sơ {{ code }} cần bổ sung",
        "Kính gửi {{ name }}, hồ sơ {{ code }} cần bổ sung, hoàn thiện. Phiếu yêu cầu bổ sung: {{ slip_link }}",
        "Dossier {{ code }} needs more documents",
        "Dear {{ name }}, your dossier {{ code }} must be completed. The request slip: {{ slip_link }}",
    ),
    "payment_requested": (
        "Hồ sơ {{ code }}: cần nộp {{ amount }}",
        "Kính gửi {{ name }}, hồ sơ {{ code }} cần nộp phí, lệ phí {{ amount }} để tiếp tục giải quyết.",
        "Dossier {{ code }}: {{ amount }} to pay",
        "Dear {{ name }}, a fee of {{ amount }} is due on your dossier {{ code }} before it can proceed.",
    ),
    "payment_settled": (
        "Hồ sơ {{ code }}: đã nhận {{ amount }}",
        "Kính gửi {{ name }}, đã nhận khoản nộp {{ amount }} cho hồ sơ {{ code }}. Biên lai có trên trang hồ sơ.",
        "Dossier {{ code }}: {{ amount }} received",
        "Dear {{ name }}, the payment of {{ amount }} for your dossier {{ code }} was received. The receipt is on the dossier page.",
    ),
    "payment_refunded": (
        "Hồ sơ {{ code }}: đã hoàn trả {{ amount }}",
        "Kính gửi {{ name }}, khoản {{ amount }} đã nộp cho hồ sơ {{ code }} đã được hoàn trả.",
        "Dossier {{ code }}: {{ amount }} refunded",
        "Dear {{ name }}, the {{ amount }} paid for your dossier {{ code }} was refunded.",
    ),
    "extended": (
        "Xin lỗi: hồ sơ {{ code }} hẹn lại ngày {{ new_due_date }}",
        "Kính gửi {{ name }}, cơ quan xin lỗi vì chưa trả kết quả hồ sơ {{ code }} đúng hẹn. Ngày hẹn trả mới: {{ new_due_date }}. Phiếu xin lỗi và hẹn lại: {{ slip_link }}",
        "Apologies: dossier {{ code }} now due {{ new_due_date }}",
        "Dear {{ name }}, we apologise that the result of your dossier {{ code }} is late. New date: {{ new_due_date }}. The apology slip: {{ slip_link }}",
    ),
    "refused": (
        "Hồ sơ {{ code }} không được tiếp nhận",
        "Kính gửi {{ name }}, hồ sơ {{ code }} không được tiếp nhận. Lý do ghi trong phiếu từ chối: {{ slip_link }}",
        "Dossier {{ code }} refused",
        "Dear {{ name }}, your dossier {{ code }} was not accepted. The reasons are in the refusal slip: {{ slip_link }}",
    ),
    "stopped": (
        "Hồ sơ {{ code }} đã dừng xử lý",
        "Kính gửi {{ name }}, hồ sơ {{ code }} đã dừng xử lý. Lý do ghi trong thông báo dừng xử lý: {{ slip_link }}",
        "Dossier {{ code }} stopped",
        "Dear {{ name }}, the handling of your dossier {{ code }} was stopped. The reasons are in the notice: {{ slip_link }}",
    ),
    "status_changed": (
        "Hồ sơ {{ code }}: {{ status }}",
        "Kính gửi {{ name }}, hồ sơ {{ code }} vừa chuyển bước xử lý.",
        "Dossier {{ code }}: {{ status }}",
        "Dear {{ name }}, your dossier {{ code }} moved to another step.",
    ),
    "result_issued": (
        "Hồ sơ {{ code }} đã có kết quả",
        "Kính gửi {{ name }}, hồ sơ {{ code }} đã có kết quả.",
        "Dossier {{ code }}: the result is ready",
        "Dear {{ name }}, the result of your dossier {{ code }} is ready.",
    ),
    "sent_by_post": (
        "Hồ sơ {{ code }}: kết quả đã gửi qua bưu chính ({{ tracking_number }})",
        "Kính gửi {{ name }}, kết quả hồ sơ {{ code }} đã được gửi qua bưu chính, số hiệu bưu gửi {{ tracking_number }}.",
        "Dossier {{ code }}: result sent by post ({{ tracking_number }})",
        "Dear {{ name }}, the result of your dossier {{ code }} was sent by post, tracking number {{ tracking_number }}.",
    ),
    "returned": (
        "Hồ sơ {{ code }} đã trả kết quả",
        "Kính gửi {{ name }}, kết quả hồ sơ {{ code }} đã được trả cho Quý vị.",
        "Dossier {{ code }}: result delivered",
        "Dear {{ name }}, the result of your dossier {{ code }} was handed to you.",
    ),
    "withdrawal_confirmed": (
        "Hồ sơ {{ code }} đã được rút",
        "Kính gửi {{ name }}, yêu cầu rút hồ sơ {{ code }} đã được chấp nhận.",
        "Dossier {{ code }} withdrawn",
        "Dear {{ name }}, your request to withdraw dossier {{ code }} was confirmed.",
    ),
    "message_to_applicant": (
        "Hồ sơ {{ code }}: tin nhắn mới của cơ quan",
        "Kính gửi {{ name }}, {{ handling_unit }} vừa gửi tin nhắn về hồ sơ {{ code }}. Mời Quý vị đọc và trả lời trên trang hồ sơ.",
        "Dossier {{ code }}: new message from the agency",
        "Dear {{ name }}, {{ handling_unit }} sent you a message about dossier {{ code }}. Read and answer it on the dossier page.",
    ),
    "message_to_unit": (
        "Hồ sơ {{ code }}: người nộp gửi tin nhắn",
        "{{ name }} vừa gửi tin nhắn về hồ sơ {{ code }} ({{ procedure }}).",
        "Dossier {{ code }}: message from the applicant",
        "{{ name }} sent a message about dossier {{ code }} ({{ procedure }}).",
    ),
    "draft_expiring": (
        "Hồ sơ nháp sẽ bị xóa ngày {{ expires_at }}",
        "Kính gửi {{ name }}, hồ sơ nháp ({{ procedure }}) chưa được nộp và không thay đổi đã lâu; hồ sơ sẽ bị xóa ngày {{ expires_at }} nếu Quý vị không tiếp tục.",
        "Your draft will be deleted on {{ expires_at }}",
        "Dear {{ name }}, your draft ({{ procedure }}) has not been submitted or changed for a long time; it will be deleted on {{ expires_at }} unless you continue it.",
    ),
}

# kind: (vi subject, vi text, en subject, en text)
_OTHER_WORDING = {
    "question_answered": (
        "Câu hỏi của Quý vị đã được trả lời",
        "Câu hỏi về thủ tục {{ procedure_code }} đã được trả lời. Xem câu trả lời: {{ link }}",
        "Your question was answered",
        "Your question on procedure {{ procedure_code }} was answered. Read the answer: {{ link }}",
    ),
    "petition_changed": (
        "Phản ánh, kiến nghị {{ petition_code }}: {{ petition_status }}",
        "Phản ánh, kiến nghị {{ petition_code }} có tiến triển: {{ petition_status }}.{% if due_date %} Hạn xử lý: {{ due_date }}.{% endif %}\n\nTheo dõi: {{ link }}",
        "Feedback {{ petition_code }}: {{ petition_status }}",
        "Your feedback {{ petition_code }} moved on: {{ petition_status }}.{% if due_date %} Due: {{ due_date }}.{% endif %}\n\nFollow it: {{ link }}",
    ),
    "petition_late": (
        "Phản ánh, kiến nghị {{ petition_code }} quá hạn",
        "Phản ánh, kiến nghị {{ petition_code }} đã quá hạn ở bước {{ stage }} (hạn {{ due_date }}) mà chưa được xử lý.\n\n{{ link }}",
        "Feedback {{ petition_code }} is late",
        "Feedback {{ petition_code }} passed the deadline of its {{ stage }} stage ({{ due_date }}) unanswered.\n\n{{ link }}",
    ),
    "proactive_reminder": (
        "Sắp đến hạn ngày {{ due_date }}: mời thực hiện {{ procedure }}",
        "Kính gửi {{ name }}, theo dữ liệu của cơ quan, các giấy tờ sau của Quý vị sắp hết hạn:\n{{ items }}\n\nĐể tiếp tục sử dụng, mời Quý vị thực hiện thủ tục {{ procedure }} trước ngày {{ due_date }}.{% if prepared %} Hồ sơ đã được chuẩn bị sẵn, Quý vị chỉ cần kiểm tra và xác nhận.{% endif %}\n\n{% if prepared %}Mở hồ sơ đã chuẩn bị{% else %}Thực hiện thủ tục{% endif %}: {{ link }}\n\nNếu không muốn nhận lời nhắc như thế này, Quý vị có thể từ chối dịch vụ công chủ động tại {{ site_url }}/proactive/",
        "Due on {{ due_date }}: please apply for {{ procedure }}",
        "Dear {{ name }}, according to the agency's records the following of yours expire soon:\n{{ items }}\n\nTo keep using them, please apply for {{ procedure }} before {{ due_date }}.{% if prepared %} The dossier has been prepared for you: you only need to check and confirm it.{% endif %}\n\n{% if prepared %}Open the prepared dossier{% else %}Apply{% endif %}: {{ link }}\n\nIf you do not want reminders like this one, you can turn proactive services off at {{ site_url }}/proactive/",
    ),
    "contact_code": (
        "Mã xác nhận: {{ contact_code }}",
        "Mã xác nhận của Quý vị là {{ contact_code }}, có hiệu lực {{ minutes }} phút. Không chia sẻ mã này với ai.",
        "Confirmation code: {{ contact_code }}",
        "Your confirmation code is {{ contact_code }}, valid for {{ minutes }} minutes. Do not share it.",
    ),
}


_PROACTIVE_SMS = (
    "Giấy tờ của Quý vị hết hạn ngày {{ due_date }}. {% if prepared %}Hồ sơ {{ procedure }} đã chuẩn bị sẵn, mời kiểm tra, xác nhận{% else %}Mời thực hiện {{ procedure }}{% endif %}: {{ link }}",
    "Your document expires on {{ due_date }}. {% if prepared %}Your {{ procedure }} dossier is prepared, please check and confirm{% else %}Please apply for {{ procedure }}{% endif %}: {{ link }}",
)


def default_templates() -> list[dict]:
    """The wording shipped with MotCua: one Vietnamese and one English per kind."""
    rows = []
    for kind_id, (vs, vt, es, et) in _DOSSIER_WORDING.items():
        kind = KINDS[kind_id]
        tail_vi = _STATUS_VI + (_RATE_VI if kind.rate else "")
        tail_en = _STATUS_EN + (_RATE_EN if kind.rate else "")
        if kind_id == "draft_expiring":
            tail_vi, tail_en = "Tiếp tục hồ sơ: {{ link }}", "Continue your draft: {{ link }}"
        rows.append(
            {
                "kind": kind_id,
                "language": "vi",
                "subject": vs,
                "text": f"{vt}\n\n{tail_vi}",
                "sms": f"{vs}. {{{{ link }}}}",
            }
        )
        rows.append(
            {
                "kind": kind_id,
                "language": "en",
                "subject": es,
                "text": f"{et}\n\n{tail_en}",
                "sms": f"{es}. {{{{ link }}}}",
            }
        )
    for kind_id, (vs, vt, es, et) in _OTHER_WORDING.items():
        sms_vi = vt if kind_id == "contact_code" else f"{vs}. {{{{ link }}}}"
        sms_en = et if kind_id == "contact_code" else f"{es}. {{{{ link }}}}"
        if kind_id == "proactive_reminder":
            sms_vi, sms_en = _PROACTIVE_SMS
        rows.append({"kind": kind_id, "language": "vi", "subject": vs, "text": vt, "sms": sms_vi})
        rows.append({"kind": kind_id, "language": "en", "subject": es, "text": et, "sms": sms_en})
    return rows
