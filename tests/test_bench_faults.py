"""bench/faults.py's counting: receipts read back from the file mail backend, code gaps."""

import sys
from pathlib import Path

from django.test import override_settings

from motcua.notifications.subscribers import send_templated_mail

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import faults  # noqa: E402


class _Dossier:
    def __init__(self, code):
        self.code = code
        self.applicant_name = "Nguyễn Văn Thử"
        self.receiving_agency = type("Agency", (), {"name": "Sở Xây dựng thành phố Huế"})
        self.procedure = type("Procedure", (), {"name": "Cấp phù hiệu"})
        self.submitted_at = None


def test_receipts_are_counted_per_code_from_the_mail_files(tmp_path):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
    ):
        for code in ("000.00.18.H56-261207-0001", "000.00.18.H56-261207-0002") * 2 + (
            "000.00.18.H56-261207-0003",
        ):
            send_templated_mail(
                to="a@bench.motcua.invalid",
                template="submission_receipt",
                context={"dossier": _Dossier(code)},
            )
        send_templated_mail(  # not a receipt
            to="a@bench.motcua.invalid",
            template="verification_code",
            context={"user": _Dossier(""), "code": "123456", "minutes": 15},
        )
    assert faults.read_receipts(tmp_path) == {
        "000.00.18.H56-261207-0001": 2,
        "000.00.18.H56-261207-0002": 2,
        "000.00.18.H56-261207-0003": 1,
    }


def test_code_gaps_per_agency_and_day():
    codes = ["A-261207-0001", "A-261207-0002", "A-261207-0004", "B-261207-0001"]
    counters = {"A-261207": 5, "B-261207": 1, "C-261207": 1}
    # A misses 3 and 5, C gave out its 1 to nobody; B is whole.
    assert faults.count_codes(codes, counters) == {
        "prefixes": 2,
        "gaps": 3,
        "beyond_counter": 0,
    }
    assert faults.count_codes(["A-261207-0002"], {"A-261207": 1})["beyond_counter"] == 1
