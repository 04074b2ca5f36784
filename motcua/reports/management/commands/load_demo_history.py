"""FOR DEMONSTRATION ONLY: a year of dossiers on the demo procedures (decision 0065)."""

import time

from django.core.management.base import BaseCommand, CommandError

from motcua.reports.demo_history import load_history


class Command(BaseCommand):
    help = (
        "Tạo lịch sử hồ sơ trình diễn (chỉ dùng thử): hồ sơ của các thủ tục trình diễn trong "
        "các tháng qua, xử lý qua quy trình thật, để các trang thống kê có số liệu. Chạy lại "
        "không tạo thêm."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=300)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--real-documents",
            action="store_true",
            help="Dựng từng văn bản PDF thật (chậm: khoảng 1 giây mỗi hồ sơ).",
        )

    def handle(self, *args, dossiers, months, seed, real_documents, **options):
        if dossiers < 1 or not 1 <= months <= 60:
            raise CommandError("--dossiers phải từ 1 trở lên, --months từ 1 đến 60.")
        started = time.monotonic()
        try:
            outcome = load_history(
                dossiers=dossiers, months=months, seed=seed, real_documents=real_documents
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if outcome.existing:
            self.stdout.write(
                f"Lịch sử trình diễn đã có ({outcome.existing} hồ sơ); không tạo thêm."
            )
            return
        self.stdout.write(
            f"Đã tạo {outcome.created} hồ sơ lịch sử trình diễn trong {months} tháng qua "
            f"({time.monotonic() - started:.0f} giây):"
        )
        for status, count in sorted(outcome.statuses.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {count:>5}  {status}")
        if outcome.refusals:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(outcome.refusals)} bước bị quy trình từ chối (hồ sơ dừng ở đó), "
                    f"ví dụ {outcome.refusals[0]}"
                )
            )
