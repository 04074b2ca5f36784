"""FOR DEMONSTRATION ONLY: the proactive services in the demo (decision 0086)."""

from django.core.management.base import BaseCommand, CommandError

from motcua.reports.demo_proactive import load_proactive_demo


class Command(BaseCommand):
    help = (
        "Dịch vụ công chủ động trình diễn (chỉ dùng thử): quy tắc nhắc cấp lại phù hiệu, một "
        "phù hiệu của doanh nghiệp trình diễn sắp hết hạn, rồi chạy việc nhắc hằng ngày. Chạy "
        "lại không tạo thêm."
    )

    def handle(self, *args, **options):
        try:
            outcome = load_proactive_demo()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        badge = outcome.dossier
        until = badge.form_data["vehicles"][0]["contract_to"]
        self.stdout.write(
            f"Quy tắc nhắc: {outcome.rule.name} (trước {', '.join(map(str, outcome.rule.offsets))} "
            "ngày làm việc)."
        )
        what = "Đã tạo" if outcome.created else "Đã có"
        self.stdout.write(
            f"{what} phù hiệu trình diễn của {badge.applicant_name} (hồ sơ {badge.code}), xe thuê "
            f"hết hợp đồng ngày {until[8:10]}/{until[5:7]}/{until[:4]}."
        )
        self.stdout.write(
            f"Có {outcome.indexed} hạn cần nhắc trong chỉ mục; việc nhắc hôm nay gửi "
            f"{outcome.job['reminders']} lời nhắc. Đăng nhập doanhnghiep@demo.motcua.vn để xem "
            "/proactive/."
        )
