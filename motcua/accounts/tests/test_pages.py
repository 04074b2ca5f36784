import pytest
from django.urls import reverse

PUBLIC = ["register", "login", "password_reset", "password_reset_done", "password_reset_complete"]
PRIVATE = ["profile", "password_change"]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_page_renders_in_vietnamese(client, db, name):
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.parametrize("name", PRIVATE)
def test_private_page_renders_for_its_owner(client, citizen, name):
    client.force_login(citizen)
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 200
    html = response.content.decode()
    for label_for in ('for="id_', "<label"):
        assert label_for in html


@pytest.mark.parametrize("name", PRIVATE)
def test_private_page_sends_a_visitor_to_login(client, db, name):
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
