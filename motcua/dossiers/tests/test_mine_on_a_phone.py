"""'Hồ sơ của tôi' names every cell, so that a row read as a card on a phone keeps its labels."""

import re

from django.urls import reverse

from motcua.factories import make_submitted_dossier


def test_each_cell_of_my_dossiers_carries_its_columns_name(client, procedure, citizen):
    dossier = make_submitted_dossier(procedure, citizen)
    client.force_login(citizen)

    html = client.get(reverse("dossiers:mine")).content.decode()

    headers = re.findall(r'<th scope="col" role="columnheader">([^<]+)</th>', html)
    labels = re.findall(r'<td role="cell" data-label="([^"]+)">', html)
    assert headers == ["Mã hồ sơ", "Thủ tục", "Trạng thái", "Ngày nộp", "Hẹn trả"]
    assert labels == headers
    assert f'<span class="token">{dossier.code}</span>' in html
