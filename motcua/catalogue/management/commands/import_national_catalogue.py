"""manage.py import_national_catalogue <file> [--effective-date dd/mm/yyyy] [--dry-run]"""

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.catalogue.models import Agency
from motcua.catalogue.national_import import (
    ImportError_,
    import_national_catalogue,
    read_records,
)


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục từ tệp xuất của Cơ sở dữ liệu quốc gia về thủ tục hành chính: "
        "thủ tục có dữ liệu quốc gia thay đổi được tạo phiên bản mới có hiệu lực từ ngày chỉ "
        "định, giữ tờ khai, thành phần, quy trình của phiên bản trước; nhập lại không đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Tệp JSON xuất từ CSDL quốc gia.")
        parser.add_argument(
            "--effective-date",
            help="Ngày phiên bản mới có hiệu lực, dd/mm/yyyy (mặc định: hôm nay).",
        )
        parser.add_argument(
            "--agency",
            help="Mã định danh cơ quan nhận các thủ tục chưa có (mặc định: chọn theo cấp, lĩnh vực).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ báo cáo, không ghi vào cơ sở dữ liệu."
        )

    def handle(self, *args, **options):
        effective = timezone.localdate()
        if options["effective_date"]:
            try:
                effective = datetime.strptime(options["effective_date"], "%d/%m/%Y").date()
            except ValueError as exc:
                raise CommandError(
                    f"--effective-date phải có dạng dd/mm/yyyy, không phải "
                    f"{options['effective_date']!r}."
                ) from exc
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(identifier=options["agency"]).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mã {options['agency']}.")
        try:
            records = read_records(options["file"])
        except ImportError_ as exc:
            raise CommandError(str(exc)) from exc
        report = import_national_catalogue(
            records=records, effective_from=effective, dry_run=options["dry_run"], agency=agency
        )
        for line in report.lines():
            self.stdout.write(line)
