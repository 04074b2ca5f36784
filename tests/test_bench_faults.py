"""bench/faults.py's counting: receipts read back from the file mail backend, code gaps."""

import sys
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.test import override_settings

from motcua.notifications.rendering import render

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import faults  # noqa: E402


def _mail(kind: str, code: str) -> None:
    """The notification of `kind` as the e-mail channel sends it (its shipped wording)."""
    rendered = render(
        kind, "vi", {"code": code, "name": "Nguyễn Văn Thử", "procedure": "Cấp phù hiệu"}
    )
    message = EmailMultiAlternatives(
        rendered.subject, rendered.text, to=["a@bench.motcua.invalid"], connection=get_connection()
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()


@pytest.mark.django_db
def test_receipts_are_counted_per_code_from_the_mail_files(tmp_path):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
    ):
        for code in ("000.00.18.H56-261207-0001", "000.00.18.H56-261207-0002") * 2 + (
            "000.00.18.H56-261207-0003",
        ):
            _mail("submitted", code)
        _mail("accepted", "000.00.18.H56-261207-0004")  # not a receipt
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
