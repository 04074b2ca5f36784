"""A company's staff on a phone: its administrator adds a member, the member starts a dossier
for the company, and a second member follows it from "Hồ sơ của tôi"."""

import pytest
from playwright.sync_api import expect

from motcua.accounts.tests.representation_helpers import (
    ADMIN_ID,
    APPLICANT_ID,
    FOLLOWER_ID,
    company,
    person,
)
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.helpers import VALID_FORM, pdf
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser

PASSWORD = "Mat-khau-an-toan-2026"  # motcua.factories.UserFactory's
PHONE = {"width": 390, "height": 844}


def sign_in(page, base, email):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail hoặc số điện thoại").fill(email)
    page.locator('[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_an_administrator_adds_a_member_who_applies_for_the_company_and_another_follows(
    page, live_server, procedure, settings
):
    from motcua.accounts import members

    settings.SITE_URL = live_server.url
    base = live_server.url
    page.set_viewport_size(PHONE)
    org = company(email="lienhe@huonggiang.example.vn")
    admin = person("Trần Văn Bình", ADMIN_ID, email="binh@huonggiang.example.vn")
    khoa = person("Nguyễn Minh Khoa", APPLICANT_ID, email="khoa@huonggiang.example.vn")
    lan = person("Phạm Thị Lan", FOLLOWER_ID, email="lan@huonggiang.example.vn")
    for who, role in ((admin, "administrator"), (lan, "follower")):
        members.member_add(
            organisation=org,
            citizen_id=who.citizen_id,
            full_name=who.full_name,
            role=role,
            actor=org,
        )

    # The administrator adds Nguyễn Minh Khoa, who applies.
    sign_in(page, base, admin.email)
    page.goto(f"{base}/accounts/authorisations/")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("link", name="Quản lý thành viên").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thành viên tổ chức")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_label("Số định danh cá nhân").fill(APPLICANT_ID)
    page.get_by_label("Họ và tên").fill("Nguyễn Minh Khoa")
    page.get_by_role("radio", name="Nộp hồ sơ").check()
    page.get_by_role("button", name="Thêm thành viên").click()
    expect(page.get_by_text("Đã thêm thành viên Nguyễn Minh Khoa.")).to_be_visible()
    expect(page.get_by_role("heading", name="Nguyễn Minh Khoa")).to_be_visible()
    assert_accessible(page)

    # The member starts a dossier for the company.
    sign_in(page, base, khoa.email)
    page.goto(f"{base}/procedures/{procedure.code}/")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_role("heading", name="Quý vị nộp hồ sơ cho ai?")).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("radio", name="Cho Công ty TNHH Vận tải Hương Giang").check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#acting-for")).to_contain_text("Công ty TNHH Vận tải Hương Giang")
    assert_accessible(page)

    dossier = Dossier.objects.get()
    assert dossier.applicant == org and dossier.started_by == khoa
    services.dossier_save_form(dossier=dossier, applicant=khoa, data=VALID_FORM)
    for component in procedure.components.filter(requirement="required"):
        services.attachment_add(dossier=dossier, component=component, upload=pdf(), applicant=khoa)
    services.dossier_save_delivery(
        dossier=dossier, applicant=khoa, method="online", postal_address=""
    )
    page.goto(f"{base}/dossiers/{dossier.uuid}/review/")
    page.locator("#declaration").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    dossier.refresh_from_db()
    assert dossier.code and dossier.submitted_by == khoa

    # A second member, who follows, sees it in "Hồ sơ của tôi" under the company's name.
    sign_in(page, base, lan.email)
    page.goto(f"{base}/dossiers/")
    expect(page.get_by_role("link", name=dossier.code)).to_be_visible()
    expect(
        page.get_by_role("cell", name="Đứng tên Công ty TNHH Vận tải Hương Giang")
    ).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("link", name=dossier.code).click()
    expect(page.locator("#acting-for")).to_contain_text("chỉ theo dõi")
    expect(page.get_by_role("link", name="Rút hồ sơ")).to_have_count(0)
    assert_accessible(page)
    assert_fits_the_screen(page)
