from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.validators import (
    normalise_phone,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)


@pytest.mark.parametrize(
    "raw", ["0912345678", "+84912345678", "+84 912 345 678", "84912345678", "091.234.5678"]
)
def test_it_normalises_phone_numbers(raw):
    assert normalise_phone(raw) == "0912345678"
    validate_phone(raw)


@pytest.mark.parametrize("raw", ["", "12345", "0212345678", "09123456789", "abc"])
def test_it_refuses_bad_phone_numbers(raw):
    with pytest.raises(ValidationError):
        validate_phone(raw)


def test_it_accepts_a_citizen_id_matching_the_birth_year():
    validate_citizen_id("001090012345", date(1990, 8, 25))
    validate_citizen_id("079200012345", date(2000, 1, 1))  # digit 4 = 2: born 2000-2099


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12345", "gồm đúng 12 chữ số"),
        ("00109001234X", "gồm đúng 12 chữ số"),
        ("003090012345", "mã tỉnh"),
    ],
)
def test_it_refuses_a_bad_citizen_id_in_vietnamese(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_citizen_id(value)
    assert message in exc.value.messages[0]


def test_it_refuses_a_citizen_id_of_another_birth_year():
    with pytest.raises(ValidationError, match="năm sinh 1991"):
        validate_citizen_id("001090012345", date(1991, 1, 1))


@pytest.mark.parametrize("value", ["0100109106", "0100109106-001", "0101243150"])
def test_it_accepts_valid_tax_codes(value):
    validate_tax_code(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0301234567", "sai chữ số kiểm tra"),
        ("12345", "Mã số thuế gồm 10 chữ số"),
        ("0100109106-01", "Mã số thuế gồm 10 chữ số"),
    ],
)
def test_it_refuses_bad_tax_codes_in_vietnamese(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(value)
    assert message in exc.value.messages[0]
