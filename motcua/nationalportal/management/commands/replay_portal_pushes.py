from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from motcua.catalogue.models import Agency
from motcua.core.dates import VIETNAM
from motcua.nationalportal.services import deliver_due, replay_since

FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y")


def parse_since(text: str) -> datetime:
    for pattern in FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=VIETNAM)
        except ValueError:
            continue
    raise CommandError(
        f"--since phải có dạng dd/mm/yyyy hoặc dd/mm/yyyy HH:MM, không phải {text!r}."
    )


class Command(BaseCommand):
    help = (
        "Gửi lại lên Cổng Dịch vụ công quốc gia mọi cập nhật trạng thái hồ sơ từ một thời điểm "
        "(giờ Việt Nam), theo thứ tự của từng hồ sơ; Cổng trả lời các tin đã nhận bằng câu trả "
        "lời đầu tiên của nó."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="dd/mm/yyyy [HH:MM], giờ Việt Nam.")
        parser.add_argument(
            "--agency", action="append", default=[], help="Mã định danh cơ quan (lặp lại được)."
        )
        parser.add_argument(
            "--no-send", action="store_true", help="Chỉ xếp lại hàng chờ, để beat gửi đi."
        )

    def handle(self, *args, **options):
        since = parse_since(options["since"])
        agency_ids = None
        if options["agency"]:
            found = dict(
                Agency.objects.filter(identifier__in=options["agency"]).values_list(
                    "identifier", "pk"
                )
            )
            missing = sorted(set(options["agency"]) - set(found))
            if missing:
                raise CommandError(f"Không có cơ quan mã {', '.join(missing)}.")
            agency_ids = set(found.values())
        count = replay_since(since=since, agency_ids=agency_ids)
        sent = 0 if options["no_send"] else deliver_due(limit=100_000)
        self.stdout.write(f"{count} queued again, {sent} sent")
