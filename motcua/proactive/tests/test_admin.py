"""Administering the rules (decision 0086): a bad rule is refused with a message in the
admin form; reminders, due items and opt-outs are read-only records."""

import json
from datetime import date

import pytest

from motcua.accounts.testing import login_officer
from motcua.catalogue.models import Procedure
from motcua.core.models import AuditEntry
from motcua.factories import ProcedureFactory, UserFactory
from motcua.notifications.channels import Channel, channels
from motcua.proactive import items
from motcua.proactive.admin import installed_channels
from motcua.proactive.models import OptOut, ReminderRule
from motcua.proactive.tests.conftest import make_badge_result

pytestmark = pytest.mark.django_db

ADD = "/admin/proactive/reminderrule/add/"


@pytest.fixture
def admin_client(client, make_officer):
    admin = make_officer(email="quantri@example.vn", is_staff=True, is_superuser=True)
    login_officer(client, admin)
    return client


@pytest.fixture
def badge(db):
    return ProcedureFactory(code="2.002288")


def post(**changes):
    data = {
        "name": "Nhắc cấp lại phù hiệu sắp hết hạn",
        "procedure_code": "2.002288",
        "due": "valid_until",
        "date_field": "",
        "offsets": "[30, 10]",
        "channels": '["email", "sms"]',
        "offer_code": "2.002288",
        "prepare": "on",
        "recommend": "on",
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response) -> str:
    assert response.status_code == 200
    return json.dumps(response.context["adminform"].form.errors, ensure_ascii=False)


def test_a_good_rule_is_saved_and_audited(admin_client, badge):
    response = admin_client.post(ADD, post())
    assert response.status_code == 302
    rule = ReminderRule.objects.get()
    assert (rule.offsets, rule.channels, rule.prepare) == ([30, 10], ["email", "sms"], True)
    assert AuditEntry.objects.filter(action="proactive.rule_added", target=str(rule.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"procedure_code": "9.999999"}, "procedure_code", "Không có thủ tục mã 9.999999"),
        ({"offer_code": "9.999999"}, "offer_code", "đang có hiệu lực"),
        ({"channels": '["email", "fax"]'}, "channels", "Kênh fax chưa được cài đặt"),
        ({"channels": '"email"'}, "channels", "Nhập danh sách kênh"),
        ({"offsets": "[30, 30]"}, "offsets", "khác nhau, từ 1 đến 250"),
        ({"offsets": "[0]"}, "offsets", "khác nhau, từ 1 đến 250"),
        ({"date_field": "operator.licence_date"}, "date_field", "Chỉ nhập trường ngày"),
        ({"due": "form_date", "date_field": "x y"}, "date_field", "Nhập trường ngày"),
    ],
)
def test_a_bad_rule_is_refused_with_its_message(admin_client, badge, changes, field, message):
    response = admin_client.post(ADD, post(**changes))
    form = response.context["adminform"].form
    assert field in form.errors, errors_of(response)
    assert message in " ".join(form.errors[field])
    assert message in response.content.decode()  # shown on the page, next to the field
    assert not ReminderRule.objects.exists()


def test_the_offered_procedure_must_take_online_dossiers(admin_client, badge):
    ProcedureFactory(code="1.000703", service_level=Procedure.ServiceLevel.NONE, form_schema={})
    response = admin_client.post(ADD, post(offer_code="1.000703"))
    assert "chưa nhận hồ sơ trực tuyến" in " ".join(
        response.context["adminform"].form.errors["offer_code"]
    )
    ProcedureFactory(code="1.000704", effective_to=date(2025, 12, 1))
    response = admin_client.post(ADD, post(offer_code="1.000704"))
    assert "đang có hiệu lực" in errors_of(response)


def test_the_channels_are_the_ids_the_plugins_registered(admin_client, badge):
    assert installed_channels() == ["email", "sms", "portal"]
    # A plugin's id is what it registers, whatever its module is called.
    channels.register("zalo_oa")(type("ZaloChannel", (Channel,), {}))
    try:
        assert installed_channels() == ["email", "sms", "portal", "zalo_oa"]
        assert admin_client.post(ADD, post(channels='["zalo_oa"]')).status_code == 302
    finally:
        channels._plugins.pop("zalo_oa")
    response = admin_client.post(ADD, post(name="Zalo", channels='["zalo_oa"]'))
    assert "Kênh zalo_oa chưa được cài đặt" in errors_of(response)


def test_the_form_lists_the_installed_channels(admin_client, badge):
    assert "Các kênh đã cài đặt: email, sms, portal." in admin_client.get(ADD).content.decode()


def test_the_portal_and_no_channel_are_accepted(admin_client, badge):
    assert admin_client.post(ADD, post(channels='["portal"]')).status_code == 302
    assert admin_client.post(ADD, post(name="Không kênh", channels="")).status_code == 302
    assert ReminderRule.objects.get(name="Không kênh").channels == []


def test_the_records_are_read_only_and_searchable(admin_client, badge, citizen):
    OptOut.objects.create(user=citizen)
    response = admin_client.get("/admin/proactive/optout/")
    assert response.status_code == 200 and citizen.full_name in response.content.decode()
    assert admin_client.get("/admin/proactive/optout/add/").status_code == 403
    assert admin_client.get("/admin/proactive/reminder/add/").status_code == 403


def test_the_due_items_are_found_by_plate(admin_client, org, badge_procedure, citizen):
    items.index_result(
        make_badge_result(
            badge_procedure, citizen, {"75B-012.34": "31/12/2027", "75B-567.89": "30/12/2027"}
        )
    )
    found = admin_client.get("/admin/proactive/dueitem/?q=75B-012.34").content.decode()
    assert "xe 75B-012.34" in found and "75B-567.89" not in found


def test_a_staff_member_without_permission_cannot_edit_rules(client, badge):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(ADD).status_code == 403


def test_the_catalogue_admin_shows_the_result_group(admin_client, badge):
    response = admin_client.get(f"/admin/catalogue/procedure/{badge.pk}/change/")
    assert 'name="result_group"' in response.content.decode()


def test_a_new_form_date_rule_reads_the_results_issued_before_it(
    admin_client, org, badge_procedure, citizen, django_capture_on_commit_callbacks
):
    from motcua.proactive.models import DueItem
    from motcua.proactive.tests.conftest import make_badge_result

    result = make_badge_result(
        badge_procedure,
        citizen,
        {"75B-012.34": "31/12/2030"},
        **{"75B-012.34": {"inspection_until": "2027-03-01"}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            ADD,
            post(
                name="Hạn kiểm định",
                due="form_date",
                date_field="vehicles.*.inspection_until",
                channels="",
            ),
            follow=True,
        )
    assert "Hệ thống đang đọc ngày đến hạn trong các kết quả đã cấp của thủ tục 2.002288" in (
        response.content.decode()
    )
    item = DueItem.objects.get(result=result, due="form_date")
    assert (item.subject, item.due_on) == ("75B-012.34", date(2027, 3, 1))
    # Switched off and on again: read again, nothing doubled.
    rule = ReminderRule.objects.get()
    change = f"/admin/proactive/reminderrule/{rule.pk}/change/"
    form = post(name="Hạn kiểm định", due="form_date", date_field="vehicles.*.inspection_until")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(change, {**form, "channels": "", "is_active": ""})
        admin_client.post(change, {**form, "channels": ""})
    assert DueItem.objects.filter(due="form_date").count() == 1


def test_an_installation_upgrading_adds_its_rule_and_its_earlier_results_fall_due(
    admin_client, org, badge_procedure, citizen, django_capture_on_commit_callbacks
):
    """Results issued before the upgrade have no due items; the rule added in the admin
    reads them, so nobody has to run a command for their badges to be reminded."""
    from motcua.proactive.models import DueItem
    from motcua.proactive.tests.conftest import make_badge_result

    result = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    assert not DueItem.objects.filter(result=result).exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ADD, post(channels=""))
    item = DueItem.objects.get(result=result, due="valid_until")
    assert (item.subject, item.due_on, item.holder) == ("75B-012.34", date(2027, 12, 31), citizen)
