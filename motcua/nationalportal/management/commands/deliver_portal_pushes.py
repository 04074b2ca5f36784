from django.core.management.base import BaseCommand

from motcua.nationalportal.services import deliver_due


class Command(BaseCommand):
    help = (
        "Gửi lên Cổng Dịch vụ công quốc gia các cập nhật trạng thái hồ sơ đã đến lượt thử lại "
        "(cron, khi không có Celery beat)."
    )

    def handle(self, *args, **options):
        sent = deliver_due(limit=10_000)
        self.stdout.write(f"{sent} sent")
