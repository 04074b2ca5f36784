"""The profile's date of birth is a date a person can have been born on (decision 0029)."""

import pytest
from django.urls import reverse

from motcua.accounts.tests.test_profile import form

URL = reverse("accounts:profile")


@pytest.mark.parametrize("typed", ["31/12/9999", "01/01/1000", "01/01/2100"])
def test_a_birth_date_out_of_range_is_refused_beside_the_field(client, citizen, typed):
    client.force_login(citizen)
    before = citizen.date_of_birth
    response = client.post(URL, form(date_of_birth=typed, citizen_id=""))
    assert response.status_code in (200, 400)
    assert "Ngày sinh phải từ 01/01/1900 đến hôm nay." in response.content.decode()
    assert "date_of_birth" in response.context["form"].errors
    citizen.refresh_from_db()
    assert citizen.date_of_birth == before


def test_an_ordinary_birth_date_still_passes(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, form(date_of_birth="25/08/1990"))
    assert response.status_code == 302
