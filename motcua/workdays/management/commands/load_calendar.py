"""Load the working-day calendar file into CalendarDay, by date, any number of times.

Rows of the file overwrite the rows of the same date; dates the administrator added that are
not in the file are kept.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from motcua.workdays.calendar_file import DATA_FILE, read_calendar_file, upsert_calendar_days
from motcua.workdays.models import CalendarDay


class Command(BaseCommand):
    help = "Nạp lịch nghỉ lễ, nghỉ bù, làm bù từ tệp JSON (mặc định motcua/workdays/data/holidays.json)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE, help="Tệp JSON cần nạp.")
        parser.add_argument(
            "--year", type=int, action="append", help="Chỉ nạp năm này (có thể lặp lại)."
        )

    def handle(self, *args, file: Path, year: list[int] | None, **options):
        try:
            rows = read_calendar_file(file)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if year:
            rows = [row for row in rows if row.date.year in year]
        with transaction.atomic():
            created, updated = upsert_calendar_days(CalendarDay, rows)
        unverified = sum(not row.is_verified for row in rows)
        self.stdout.write(
            f"Lịch làm việc: {created} mới, {updated} cập nhật, {unverified} chưa đối chiếu văn bản."
        )
