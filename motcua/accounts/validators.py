"""Validators for Vietnamese identifiers (số định danh cá nhân, mã số thuế, số điện thoại)."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Province codes of the 12-digit personal identification number (Circular 59/2021/TT-BCA).
PROVINCE_CODES = {
    1,
    2,
    4,
    6,
    8,
    10,
    11,
    12,
    14,
    15,
    17,
    19,
    20,
    22,
    24,
    25,
    26,
    27,
    30,
    31,
    33,
    34,
    35,
    36,
    37,
    38,
    40,
    42,
    44,
    45,
    46,
    48,
    49,
    51,
    52,
    54,
    56,
    58,
    60,
    62,
    64,
    66,
    67,
    68,
    70,
    72,
    74,
    75,
    77,
    79,
    80,
    82,
    83,
    84,
    86,
    87,
    89,
    91,
    92,
    93,
    94,
    95,
    96,
}
_PHONE = re.compile(r"^(?:\+?84|0)(3|5|7|8|9)\d{8}$")


def normalise_phone(value: str) -> str:
    """'+84 912 345 678' -> '0912345678'; unknown shapes are returned stripped."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def validate_phone(value: str) -> None:
    if not _PHONE.match(normalise_phone(value)):
        raise ValidationError(
            _("Nhập số điện thoại di động Việt Nam gồm 10 chữ số, ví dụ 0912345678."),
            code="phone",
        )


def validate_citizen_id(value: str, birth_date: date | None = None) -> None:
    """Check a 12-digit personal identification number (số định danh cá nhân / CCCD).

    Digits 1-3: province of birth registration; 4: century and sex; 5-6: year of birth.
    """
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(_("Số định danh cá nhân gồm đúng 12 chữ số."), code="citizen_id")
    if int(value[:3]) not in PROVINCE_CODES:
        raise ValidationError(
            _("Ba chữ số đầu của số định danh không phải mã tỉnh hợp lệ."), code="citizen_id"
        )
    # Digit 4 is the century and sex: 0/1 = 1900s, 2/3 = 2000s, and so on every century.
    century = 1900 + 100 * (int(value[3]) // 2)
    if birth_date is not None:
        year = century + int(value[4:6])
        if year != birth_date.year:
            raise ValidationError(
                _("Số định danh không khớp với năm sinh %(year)s.") % {"year": birth_date.year},
                code="citizen_id_birth",
            )


_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def validate_tax_code(value: str) -> None:
    """Check a Vietnamese tax code (mã số thuế): 10 digits, or 10 digits, '-', 3 digits for a branch."""
    if not re.fullmatch(r"\d{10}(-\d{3})?", value or ""):
        raise ValidationError(
            _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số (chi nhánh)."),
            code="tax_code",
        )
    digits = [int(d) for d in value[:10]]
    check = 10 - sum(d * w for d, w in zip(digits[:9], _TAX_WEIGHTS, strict=True)) % 11
    if check != digits[9]:
        raise ValidationError(_("Mã số thuế không đúng (sai chữ số kiểm tra)."), code="tax_code")
