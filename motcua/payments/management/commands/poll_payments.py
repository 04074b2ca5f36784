from django.core.management.base import BaseCommand

from motcua.payments.settlement import poll_pending_payments


class Command(BaseCommand):
    help = (
        "Hỏi cổng thanh toán (querydr) về các giao dịch trực tuyến chưa có kết quả và ghi nhận "
        "kết quả; chạy định kỳ bởi celery beat (poll-payments)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age", type=int, default=None, help="Chỉ hỏi giao dịch tạo trước N giây."
        )

    def handle(self, *args, **options):
        counts = poll_pending_payments(min_age_seconds=options["min_age"])
        summary = ", ".join(f"{verdict}: {n}" for verdict, n in sorted(counts.items()))
        self.stdout.write(f"Đã truy vấn {sum(counts.values())} giao dịch. {summary}".strip())
