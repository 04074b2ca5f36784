from django.core.management.base import BaseCommand

from motcua.payments.settlement import expire_abandoned_payments


class Command(BaseCommand):
    help = (
        "Đánh dấu “không hoàn tất” các giao dịch trực tuyến đã quá hạn thanh toán mà cổng chưa "
        "báo kết quả (quyết định 0049), không hỏi cổng; poll_payments cũng làm việc này sau khi "
        "hỏi cổng."
    )

    def handle(self, *args, **options):
        count = expire_abandoned_payments()
        self.stdout.write(f"Đã đánh dấu hết hạn {count} giao dịch.")
