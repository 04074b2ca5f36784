"""The API's description at the top of its OpenAPI schema (SPECTACULAR_SETTINGS' DESCRIPTION),
in the caller's language: each paragraph its own message, joined when the schema is built
(decision 0068). Imported by the settings: nothing here may import a model."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

PARAGRAPHS = (
    _(
        "API của MotCua cho các hệ thống tích hợp (cổng dịch vụ công, hệ thống một cửa khác, "
        "phần mềm chuyên ngành): đọc danh mục thủ tục, lịch ngày làm việc và số liệu thống kê "
        "của cơ quan; nộp và theo dõi hồ sơ; xử lý hồ sơ; nhận thông báo qua webhook."
    ),
    _("### Mã truy cập"),
    _(
        "Quản trị viên của cơ quan đăng ký hệ thống gọi và cấp cho nó một số phạm vi. Hệ thống "
        "gọi lấy mã truy cập theo luồng OAuth2 client credentials: `POST /api/oauth/token/` với "
        "`grant_type=client_credentials`, `client_id` và `client_secret` (HTTP Basic), và "
        "`scope` là các phạm vi cần, cách nhau bởi dấu cách (bỏ trống: mọi phạm vi được cấp). "
        "Mỗi yêu cầu gửi tiêu đề `Authorization: Bearer <mã>`."
    ),
    _(
        "Phạm vi: `procedures:read`, `calendar:read`, `dossiers:read`, `dossiers:write`, "
        "`actions:write`, `results:read`, `statistics:read`, `webhooks:manage`, "
        "`handovers:write`. Hệ thống gọi chỉ thấy dữ liệu của cơ quan mình và các cơ quan trực "
        "thuộc: đối tượng của cơ quan khác trả về 404."
    ),
    _("### Khóa Idempotency-Key"),
    _(
        "Mọi yêu cầu POST phải có tiêu đề `Idempotency-Key` (tối đa 255 ký tự, ví dụ một "
        "UUID mới cho mỗi yêu cầu). Gửi lại cùng khóa với cùng yêu cầu thì nhận lại câu trả "
        "lời lần đầu, kèm tiêu đề `Idempotent-Replayed: true`, và không có gì được làm lần "
        "hai; cùng khóa với yêu cầu khác: 409."
    ),
    _("### Lỗi"),
    _(
        "Mọi lỗi trả về dạng problem details (RFC 9457, `application/problem+json`) với "
        "`type`, `title`, `status`, `detail` và, với dữ liệu sai, `errors` (trường → các thông "
        "báo), bằng ngôn ngữ của tiêu đề Accept-Language (vi hoặc en). 429: quá số yêu cầu một "
        "phút của hệ thống gọi, thử lại sau Retry-After giây."
    ),
    _("### Webhook"),
    _(
        "Mỗi lần gửi webhook được ký theo Standard Webhooks: tiêu đề `webhook-id`, "
        "`webhook-timestamp` và `webhook-signature` (`v1,` + HMAC-SHA256 base64 của "
        "`id.timestamp.body` với khóa bí mật của đăng ký). Bên nhận kiểm tra chữ ký, bỏ qua "
        "lần gửi trùng `webhook-id`, và trả lời 2xx; nếu không, lần gửi được thử lại sau 1 "
        "phút, gấp đôi mỗi lần đến 1 giờ, trong 72 giờ. Khi đổi khóa, tiêu đề chữ ký mang "
        "chữ ký của cả khóa cũ và khóa mới, cách nhau bởi dấu cách."
    ),
    _("Lược đồ này có bằng tiếng Việt và tiếng Anh: `/api/schema/?lang=vi` hoặc `?lang=en`."),
)

DESCRIPTION = format_lazy("\n\n".join("{}" for _p in PARAGRAPHS), *PARAGRAPHS)
