"""The paths of before decision 0019 lead to their English ones, permanently."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from motcua import old_paths

U = "5b1f0c3e-8a8e-4c6b-9a53-2f3f0c8e1d2a"

# One concrete request per entry of old_paths.MOVED, and where it must land.
EXAMPLES = [
    ("/can-bo/", "/officer/"),
    ("/can-bo/tiep-nhan/", "/officer/intake/"),
    ("/can-bo/quy-trinh/", "/officer/workflows/"),
    ("/can-bo/quy-trinh/7/", "/officer/workflows/7/"),
    (f"/can-bo/ho-so/{U}/", f"/officer/dossiers/{U}/"),
    (f"/can-bo/ho-so/{U}/y-kien/", f"/officer/dossiers/{U}/comments/"),
    (f"/can-bo/ho-so/{U}/nhiem-vu/3/", f"/officer/dossiers/{U}/tasks/3/"),
    (f"/can-bo/ho-so/{U}/tep/4/", f"/officer/dossiers/{U}/files/4/"),
    (f"/can-bo/ho-so/{U}/tep/4/noi-dung/", f"/officer/dossiers/{U}/files/4/content/"),
    (f"/can-bo/ho-so/{U}/phieu-kiem-soat.pdf", f"/officer/dossiers/{U}/control-sheet.pdf"),
    (f"/can-bo/ho-so/{U}/accept/", f"/officer/dossiers/{U}/accept/"),
    ("/can-bo/so-theo-doi/", "/officer/tracking-book/"),
    ("/can-bo/so-theo-doi/2/2026.xlsx", "/officer/tracking-book/2/2026.xlsx"),
    ("/can-bo/so-theo-doi/2/2026.pdf", "/officer/tracking-book/2/2026.pdf"),
    ("/can-bo/ket-qua/5/thu-hoi/", "/officer/results/5/revoke/"),
    ("/can-bo/thanh-toan/sai-lech/", "/officer/payments/issues/"),
    ("/xac-minh/", "/verify/"),
    ("/xac-minh/Ab-9_xYz/", "/verify/Ab-9_xYz/"),
    ("/ket-qua/5/tai-ve/", "/results/5/download/"),
    (f"/ho-so/{U}/thanh-toan/", f"/dossiers/{U}/payments/"),
    (f"/ho-so/{U}/bien-lai/6/", f"/dossiers/{U}/receipts/6/"),
    ("/thanh-toan/ket-qua/vnpay/", "/payments/return/vnpay/"),
    ("/sandbox/vnpay/paymentv2/xac-nhan/8/", "/sandbox/vnpay/paymentv2/confirm/8/"),
    ("/sandbox/buu-chinh/", "/sandbox/post/"),
    ("/sandbox/buu-chinh/api/order/createOrder", "/sandbox/post/api/order/createOrder"),
    ("/sandbox/buu-chinh/api/order/tracking", "/sandbox/post/api/order/tracking"),
    ("/sandbox/buu-chinh/buu-gui/SB123/", "/sandbox/post/parcels/SB123/"),
]

OLD_WORDS = (
    "can-bo", "ho-so", "xac-minh", "ket-qua", "thanh-toan", "so-theo-doi", "buu-chinh",
    "buu-gui", "tiep-nhan", "quy-trinh", "y-kien", "nhiem-vu", "tep/", "noi-dung",
    "phieu-kiem-soat", "bien-lai", "tai-ve", "thu-hoi", "sai-lech", "xac-nhan",
)  # fmt: skip


def test_every_moved_path_has_an_example_landing_on_its_new_page():
    landed = sorted(resolve(new).view_name for _old, new in EXAMPLES)
    assert landed == sorted(name for _old, name in old_paths.MOVED)


@pytest.mark.parametrize(("old", "new"), EXAMPLES)
def test_each_old_path_redirects_permanently_to_its_new_one(client, old, new):
    for response in (client.get(old), client.head(old)):
        assert response.status_code == 301
        assert response["Location"] == new


def test_the_query_string_goes_along(client):
    response = client.get("/can-bo/?tab=todo&q=G12")
    assert response["Location"] == "/officer/?tab=todo&q=G12"
    returned = client.get("/thanh-toan/ket-qua/vnpay/?vnp_TxnRef=MC1&vnp_SecureHash=ab")
    assert returned["Location"] == "/payments/return/vnpay/?vnp_TxnRef=MC1&vnp_SecureHash=ab"


def test_a_form_posted_to_an_old_path_is_sent_on_with_its_method_and_body(client):
    response = client.post(f"/can-bo/ho-so/{U}/accept/", {"note": "x"})
    assert response.status_code == 308
    assert response["Location"] == f"/officer/dossiers/{U}/accept/"


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.urlconf_module is not old_paths:
                yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and not (pattern.name or "").endswith("_old_path"):
            yield route


def test_every_served_path_is_english():
    routes = list(_routes(get_resolver().url_patterns))
    assert "officer/" in routes and "verify/<str:token>/" in routes
    assert [r for r in routes if any(word in r for word in OLD_WORDS)] == []
