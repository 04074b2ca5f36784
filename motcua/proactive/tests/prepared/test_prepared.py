"""Level 2 (issue 17, decision 0085): the renewal draft the agency prepares from the earlier
dossier and result, refreshed from the registers; nothing submitted without the person."""

import pytest
import requests
from django.urls import reverse

from motcua.core.events import ProactiveReminderDue
from motcua.dossiers import services
from motcua.dossiers.models import Attachment, Dossier, ObtainedComponent, Status
from motcua.proactive import preparing, subscribers
from motcua.proactive.models import DueItem
from motcua.proactive.tests.prepared.conftest import earlier_form, make_reminder
from motcua.results.services import revoke_result

pytestmark = pytest.mark.django_db

VEHICLE_REGISTER = "Cơ sở dữ liệu đăng ký xe"
REGISTRATION = "Chứng nhận đăng ký xe ô tô hoặc giấy hẹn nhận chứng nhận đăng ký xe"
EARLIER_BADGE = "Phù hiệu đã được cấp (khi đề nghị cấp lại)"


def test_the_draft_is_the_earlier_dossier_refreshed_from_the_registers(
    in_process_http, earlier, company
):
    reminder = make_reminder(earlier, company, plates=["75B-012.34"])
    dossier = preparing.prepare(reminder)
    assert (dossier.status, dossier.applicant, dossier.started_by) == (Status.DRAFT, company, None)
    assert dossier.proactive_level == 2 and dossier.prepared_from == earlier.dossier
    # The earlier answers...
    expected = earlier_form()
    del expected["operator"]["fax"]  # ...without what the offered form no longer has,
    expected["vehicles"] = expected["vehicles"][:1]  # only the vehicle whose badge falls due,
    expected["request"] = {  # a re-issue of its one badge,
        "kind": "reissue",
        "reissue_reason": "expired",
        "badge_type": "contract",
        "badges_requested": 1,
    }
    # ...and what the registers say now over them.
    expected["operator"] |= {
        "address": "25 Hùng Vương, phường Thuận Hóa, thành phố Huế",
        "business_registration_issuer": (
            "Phòng Đăng ký kinh doanh - Sở Kế hoạch và Đầu tư tỉnh Thừa Thiên Huế"
        ),
        "licence_issuer": "Sở Giao thông vận tải tỉnh Thừa Thiên Huế",
        "permitted_types": ["contract", "tourism"],
    }
    expected["vehicles"][0] |= {
        "chassis_no": "WF0XXXTTGXMK12345",
        "vehicle_class": "Ô tô khách",
        "colour": "Trắng",
        "service_life_year": 2041,
    }
    assert dossier.form_data == expected
    # Each refreshed value says where and when it came from.
    source = dossier.prefill_sources["vehicles.0.chassis_no"]
    assert (source["register"], source["label"], source["key"]) == (
        "vehicles",
        VEHICLE_REGISTER,
        "75B-012.34",
    )
    assert source["fetched_at"] and source["reference"]
    assert dossier.prefill_sources["operator.address"]["register"] == "business"
    assert dossier.proactive["refresh_problems"] == []
    assert dossier.proactive["fields_prefilled"] == 27


def test_components_the_agency_holds_are_not_asked_again(in_process_http, earlier, company):
    dossier = preparing.prepare(make_reminder(earlier, company))
    attached = Attachment.objects.get(dossier=dossier)
    assert attached.component.name == EARLIER_BADGE and attached.reused_result_id == earlier.pk
    assert attached.sha256 == earlier.sha256
    obtained = ObtainedComponent.objects.get(dossier=dossier)
    assert (obtained.component.name, obtained.key) == (REGISTRATION, "75B-012.34")
    assert dossier.proactive["components_held"] == 2
    missing = [c.name for c in services.dossier_readiness(dossier).missing_components]
    # Only the signed request form is left to give.
    assert missing == ["Giấy đề nghị cấp, cấp lại phù hiệu"]


def test_preparing_twice_gives_the_same_draft(in_process_http, earlier, company):
    reminder = make_reminder(earlier, company)
    first = preparing.prepare(reminder)
    assert preparing.prepare(reminder) == first
    assert Dossier.objects.filter(status=Status.DRAFT).count() == 1
    assert Attachment.objects.filter(dossier=first).count() == 1


def test_the_chain_prepares_and_submits_nothing(
    in_process_http, earlier, company, django_capture_on_commit_callbacks
):
    reminder = make_reminder(earlier, company)
    event = ProactiveReminderDue(reminder_id=reminder.pk, holder_id=company.pk, rule_id=1)
    with django_capture_on_commit_callbacks(execute=True):
        subscribers.prepare_and_tell(event)
        subscribers.prepare_and_tell(event)  # a rerun
    reminder.refresh_from_db()
    dossier = reminder.dossier
    assert dossier is not None and reminder.ready_at is not None
    assert dossier.status == Status.DRAFT and dossier.submitted_at is None and not dossier.code
    assert Dossier.objects.filter(status=Status.DRAFT).count() == 1


def test_registers_unavailable_keep_the_draft_with_the_earlier_answers(
    in_process_http, client, earlier, company
):
    in_process_http.fail("/sandbox/registers/", requests.Timeout("read timed out"))
    dossier = preparing.prepare(make_reminder(earlier, company))
    assert dossier is not None and dossier.is_draft
    assert dossier.form_data["vehicles"][0]["chassis_no"] == "OLD-CHASSIS-0001"
    assert dossier.prefill_sources == {}
    assert dossier.proactive["refresh_problems"]
    # The earlier result is ours: still attached.
    assert dossier.proactive["held"] == [EARLIER_BADGE]
    client.force_login(company)
    page = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert "Chưa cập nhật được một phần thông tin" in page
    assert "Chưa kết nối được với" in page


def test_a_revoked_result_prepares_nothing(in_process_http, earlier, company, org):
    reminder = make_reminder(earlier, company)
    revoke_result(result=earlier, actor=org.leader, reason="Cấp nhầm xe")
    assert preparing.prepare(reminder) is None
    assert not Dossier.objects.filter(status=Status.DRAFT).exists()


def test_a_renewed_badge_prepares_nothing(in_process_http, earlier, company):
    reminder = make_reminder(earlier, company)
    DueItem.objects.update(state=DueItem.State.RENEWED)
    assert preparing.prepare(reminder) is None


# --- The pages --------------------------------------------------------------------------------


def test_the_draft_pages_say_it_was_prepared_and_show_the_sources(
    in_process_http, client, earlier, company
):
    dossier = preparing.prepare(make_reminder(earlier, company))
    client.force_login(company)
    page = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert "Hồ sơ do cơ quan chuẩn bị sẵn" in page
    assert earlier.dossier.code in page and earlier.number in page
    assert (
        f"Thông tin được cập nhật từ Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp, {VEHICLE_REGISTER}"
        in page
    )
    assert EARLIER_BADGE in page and REGISTRATION in page
    assert "hồ sơ chuẩn bị sẵn được giữ đến ngày" in page
    assert reverse("proactive:discard", args=[dossier.uuid]) in page
    section = client.get(reverse("dossiers:section", args=[dossier.uuid, "vehicles"]))
    text = section.content.decode()
    assert "Hồ sơ do cơ quan chuẩn bị sẵn từ hồ sơ" in text
    assert f"Nguồn: {VEHICLE_REGISTER}, lúc" in text


def test_a_stranger_cannot_discard_it_and_the_holder_does_in_one_step(
    in_process_http, client, earlier, company, other_citizen
):
    dossier = preparing.prepare(make_reminder(earlier, company))
    url = reverse("proactive:discard", args=[dossier.uuid])
    client.force_login(other_citizen)
    assert client.post(url).status_code == 404
    client.force_login(company)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("proactive:overview")
    assert not Dossier.objects.filter(pk=dossier.pk).exists()
    assert not Attachment.objects.filter(dossier_id=dossier.pk).exists()
