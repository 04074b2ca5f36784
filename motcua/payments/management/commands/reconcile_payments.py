from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.payments.reconciliation import reconcile
from motcua.payments.registry import GatewayError


class Command(BaseCommand):
    help = (
        "Đối soát giao dịch của một ngày (mặc định hôm qua) giữa cổng thanh toán và hệ thống; "
        "mọi sai lệch được lưu và hiện ở /officer/payments/issues/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày đối soát, dạng dd/mm/yyyy.")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                day = datetime.strptime(options["date"], "%d/%m/%Y").date()
            except ValueError as exc:
                raise CommandError("Ngày phải có dạng dd/mm/yyyy, ví dụ 07/04/2026.") from exc
        else:
            day = timezone.localdate() - timedelta(days=1)
        try:
            outcomes = reconcile(day)
        except GatewayError as exc:
            raise CommandError(f"Không lấy được danh sách giao dịch từ cổng: {exc}") from exc
        for outcome in outcomes:
            run = outcome.run
            self.stdout.write(
                f"{run.gateway} {day:%d/%m/%Y}: cổng {run.gateway_count} giao dịch, "
                f"hệ thống {run.our_count}, sai lệch {run.mismatches}."
            )
            for issue in outcome.issues:
                self.stdout.write(
                    f"  - {issue.get_kind_display()}: {issue.reference} {issue.details}"
                )
