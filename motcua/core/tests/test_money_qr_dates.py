import base64
import re
from datetime import UTC, date, datetime

from motcua.core.dates import in_vietnam, vietnam_year
from motcua.core.money import format_vnd
from motcua.core.qr import qr_data_uri


def test_amounts_are_written_with_dots_between_thousands():
    assert format_vnd(0) == "0"
    assert format_vnd(999) == "999"
    assert format_vnd(190_000) == "190.000"
    assert format_vnd(1_250_000) == "1.250.000"
    assert format_vnd("35000") == "35.000"


def test_a_qr_code_is_an_svg_data_uri_sized_as_asked():
    screen = qr_data_uri("https://motcua.example.vn/tra-cuu/")
    margin = qr_data_uri("https://motcua.example.vn/tra-cuu/", box_size=3, border=1)
    widths = []
    for uri in (screen, margin):
        assert uri.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(uri.split(",", 1)[1]).decode()
        widths.append(re.search(r'<svg[^>]* width="([^"]+)"', svg).group(1))
    assert widths == ["33mm", "9.3mm"]  # the screen's code, and the small one in a margin


def test_documents_are_dated_in_vietnam():
    new_year_eve = datetime(2025, 12, 31, 18, 0, tzinfo=UTC)  # 01:00 on 1 January in Hà Nội
    assert vietnam_year(new_year_eve) == 2026
    assert in_vietnam(new_year_eve).hour == 1
    assert in_vietnam(date(2026, 3, 5)) == date(2026, 3, 5)
