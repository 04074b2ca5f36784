"""Limits of what one account may keep in drafts, and of how big a form may grow."""

import copy
import json
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from motcua.catalogue.forms_schema import form_size, parse_post, too_many_posted
from motcua.dossiers import services
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.tests.helpers import VALID_FORM, pdf
from motcua.factories import PDF_BYTES, SIMPLE_SCHEMA, ProcedureFactory, UserFactory

AUTOSAVE = {"X-Requested-With": "fetch"}


def start(client, procedure):
    return client.post(
        reverse("dossiers:start", args=[procedure.code]), {"token": str(uuid.uuid4())}
    )


def section_url(dossier, section="vehicles"):
    return reverse("dossiers:section", args=[dossier.uuid, section])


def vehicle_rows(count: int) -> dict[str, str]:
    post = {}
    for i in range(count):
        post |= {
            f"vehicles.{i}.plate": f"51A-{i // 100:03d}.{i % 100:02d}",
            f"vehicles.{i}.seats": "16",
            f"vehicles.{i}.ownership": "owned",
        }
    return post


# --- Number of drafts --------------------------------------------------------------------------


def test_the_21st_draft_is_refused_on_the_procedure_page_and_the_others_are_kept(
    client, citizen, procedure
):
    client.force_login(citizen)
    for _ in range(20):
        assert "/dossiers/" in start(client, procedure)["Location"]
    response = start(client, procedure)
    assert response["Location"] == reverse("catalogue:detail", args=[procedure.code])
    page = client.get(response["Location"]).content.decode()
    assert "Quý vị đã có 20 bản nháp, là số tối đa" in page
    assert Dossier.objects.filter(applicant=citizen).count() == 20
    # Discarding one makes room again.
    services.dossier_discard(dossier=Dossier.objects.first(), applicant=citizen)
    assert "/dossiers/" in start(client, procedure)["Location"]


def test_submitted_dossiers_do_not_count_as_drafts(citizen, procedure, settings):
    settings.DRAFTS_PER_ACCOUNT = 1
    first = services.dossier_start(procedure=procedure, applicant=citizen)
    Dossier.objects.filter(pk=first.pk).update(status=1)
    services.dossier_start(procedure=procedure, applicant=citizen)
    with pytest.raises(services.ValidationError):
        services.dossier_start(procedure=procedure, applicant=citizen)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_parallel_starts_cannot_pass_the_number_of_drafts(procedure, settings):
    # The report: 40 drafts in 0.4 s from parallel requests.
    settings.DRAFTS_PER_ACCOUNT = 3
    applicant = UserFactory()
    barrier = threading.Barrier(8)
    outcomes = []

    def run():
        barrier.wait()
        try:
            services.dossier_start(procedure=procedure, applicant=applicant)
            outcomes.append("made")
        except services.ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["made"] * 3 + ["refused"] * 5
    assert Dossier.objects.filter(applicant=applicant).count() == 3


def test_an_unverified_account_keeps_three_drafts(client, procedure):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    for _ in range(3):
        start(client, procedure)
    page = client.get(start(client, procedure)["Location"]).content.decode()
    assert "Tài khoản chưa xác thực thư điện tử chỉ được giữ 3 bản nháp" in page
    assert Dossier.objects.filter(applicant=user).count() == 3


# --- Form data across drafts -------------------------------------------------------------------


def big_applicant(name_length: int) -> dict[str, str]:
    return {"applicant.full_name": "Nguyễn " + "A" * name_length, "applicant.phone": "0912345678"}


def test_form_data_past_the_accounts_total_is_refused_and_what_was_saved_stays(
    client, citizen, procedure, settings
):
    settings.DRAFT_FORM_BYTES_PER_ACCOUNT = 4000
    client.force_login(citizen)
    first = services.dossier_start(procedure=procedure, applicant=citizen)
    second = services.dossier_start(procedure=procedure, applicant=citizen)
    url = section_url(first, "applicant")
    # 2.5 kB fits: saved (a draft keeps answers that are not valid yet: this one is too long).
    assert client.post(url, big_applicant(2500)).status_code == 200
    assert len(Dossier.objects.get(pk=first.pk).form_data["applicant"]["full_name"]) > 2500
    before = Dossier.objects.get(pk=second.pk).form_data
    response = client.post(section_url(second, "applicant"), big_applicant(2500))
    html = response.content.decode()
    assert response.status_code == 400
    assert "các bản nháp của quý vị chỉ được chứa tổng cộng" in html
    assert 'class="error-summary"' in html
    assert "A" * 2500 in html  # what was typed is still on the page, to copy or shorten
    assert Dossier.objects.get(pk=second.pk).form_data == before
    # The autosave is refused the same way, with the reason for the page to show.
    autosave = client.post(section_url(second, "applicant"), big_applicant(2500), headers=AUTOSAVE)
    assert autosave.status_code == 400 and "tổng cộng" in autosave.json()["error"]
    assert Dossier.objects.get(pk=second.pk).form_data == before
    # Shorter answers fit.
    assert client.post(section_url(second, "applicant"), big_applicant(100)).status_code == 302
    # With the total lowered below what is saved, answers may still shrink, not grow.
    settings.DRAFT_FORM_BYTES_PER_ACCOUNT = 1024
    assert client.post(url, big_applicant(2000)).status_code == 200
    assert client.post(url, big_applicant(2100)).status_code == 400


def test_the_form_size_is_kept_with_each_save(citizen, procedure):
    dossier = services.dossier_start(procedure=procedure, applicant=citizen)
    services.dossier_save_form(dossier=dossier, applicant=citizen, data=VALID_FORM)
    dossier.refresh_from_db()
    compact = json.dumps(VALID_FORM, ensure_ascii=False, separators=(",", ":"))
    assert dossier.form_bytes == len(compact.encode())


# --- Files ----------------------------------------------------------------------------------------


@pytest.fixture
def component(procedure):
    return procedure.components.get(name="Giấy đề nghị")


def upload(client, dossier, component, *files):
    return client.post(
        reverse("dossiers:attachments", args=[dossier.uuid]),
        {"component": component.pk, "files": list(files)},
    )


def test_files_past_the_drafts_limit_are_refused_and_the_others_stored(
    client, citizen, procedure, component, settings
):
    settings.DRAFT_FILES_PER_DRAFT = 2
    client.force_login(citizen)
    draft = services.dossier_start(procedure=procedure, applicant=citizen)
    response = upload(client, draft, component, pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf"))
    assert response.status_code == 400
    assert "Mỗi hồ sơ chỉ được đính kèm tối đa 2 tệp." in response.content.decode()
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == [
        "a.pdf",
        "b.pdf",
    ]


def test_bytes_past_the_drafts_limit_are_refused(client, citizen, procedure, component, settings):
    settings.DRAFT_FILE_BYTES_PER_DRAFT = len(PDF_BYTES) * 3 // 2
    client.force_login(citizen)
    draft = services.dossier_start(procedure=procedure, applicant=citizen)
    assert upload(client, draft, component, pdf("a.pdf")).status_code == 302
    response = upload(client, draft, component, pdf("b.pdf"))
    assert response.status_code == 400
    assert "Các tệp đính kèm của một hồ sơ không được vượt quá" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_files_across_the_accounts_drafts_are_limited(
    client, citizen, procedure, component, settings
):
    settings.DRAFT_FILES_PER_ACCOUNT = 3
    client.force_login(citizen)
    first = services.dossier_start(procedure=procedure, applicant=citizen)
    second = services.dossier_start(procedure=procedure, applicant=citizen)
    upload(client, first, component, pdf("a.pdf"), pdf("b.pdf"))
    response = upload(client, second, component, pdf("c.pdf"), pdf("d.pdf"))
    assert response.status_code == 400
    assert "Các bản nháp của quý vị đã chứa 3 tệp" in response.content.decode()
    assert Attachment.objects.filter(dossier=second).count() == 1


# --- Repeating groups: maxItems, and a cap where the schema has none ------------------------------


@pytest.fixture
def two_vehicles(db):
    schema = copy.deepcopy(SIMPLE_SCHEMA)
    schema["properties"]["vehicles"]["maxItems"] = 2
    return ProcedureFactory(form_schema=schema)


def test_more_rows_than_maxItems_are_refused_before_anything_is_saved(
    client, citizen, two_vehicles
):
    client.force_login(citizen)
    dossier = services.dossier_start(procedure=two_vehicles, applicant=citizen)
    assert client.post(section_url(dossier), vehicle_rows(2)).status_code == 302
    saved = Dossier.objects.get(pk=dossier.pk).form_data
    response = client.post(section_url(dossier), vehicle_rows(3))
    html = response.content.decode()
    assert response.status_code == 400
    assert "“Danh sách xe” có tối đa 2 mục. Nội dung vừa gửi chưa được lưu." in html
    assert Dossier.objects.get(pk=dossier.pk).form_data == saved
    autosave = client.post(section_url(dossier), vehicle_rows(3), headers=AUTOSAVE)
    assert autosave.status_code == 400 and "tối đa 2 mục" in autosave.json()["error"]


def test_add_button_at_maxItems_says_so_and_keeps_the_rows(client, citizen, two_vehicles):
    client.force_login(citizen)
    dossier = services.dossier_start(procedure=two_vehicles, applicant=citizen)
    response = client.post(section_url(dossier), {**vehicle_rows(2), "_add": "vehicles"})
    assert response.status_code == 200
    assert "“Danh sách xe” có tối đa 2 mục." in response.content.decode()
    assert len(Dossier.objects.get(pk=dossier.pk).form_data["vehicles"]) == 2


def test_a_list_saved_past_its_limit_can_be_shortened_but_not_grown(client, citizen, two_vehicles):
    # Saved before the limit was enforced (the schema said 2, nothing checked it).
    client.force_login(citizen)
    dossier = services.dossier_start(procedure=two_vehicles, applicant=citizen)
    rows = parse_post(two_vehicles.form_schema, {}, vehicle_rows(4))["vehicles"]
    Dossier.objects.filter(pk=dossier.pk).update(form_data={"vehicles": rows})
    assert client.post(section_url(dossier), vehicle_rows(5)).status_code == 400
    response = client.post(section_url(dossier), {**vehicle_rows(4), "_remove": "vehicles.3"})
    assert response.status_code == 200
    assert len(Dossier.objects.get(pk=dossier.pk).form_data["vehicles"]) == 3
    response = client.post(section_url(dossier), {**vehicle_rows(3), "_add": "vehicles"})
    assert "“Danh sách xe” có tối đa 2 mục." in response.content.decode()
    assert len(Dossier.objects.get(pk=dossier.pk).form_data["vehicles"]) == 3


def test_a_list_without_maxItems_is_capped_by_FORM_MAX_ITEMS(client, citizen, procedure, settings):
    settings.FORM_MAX_ITEMS = 5
    client.force_login(citizen)
    dossier = services.dossier_start(procedure=procedure, applicant=citizen)
    assert client.post(section_url(dossier), vehicle_rows(5)).status_code == 302
    response = client.post(section_url(dossier), vehicle_rows(6))
    assert response.status_code == 400
    assert "“Danh sách xe” có tối đa 5 mục." in response.content.decode()
    assert len(Dossier.objects.get(pk=dossier.pk).form_data["vehicles"]) == 5
    # The service refuses it too, whoever calls it.
    data = {**VALID_FORM, "vehicles": VALID_FORM["vehicles"] * 6}
    with pytest.raises(services.DossierError):
        services.dossier_save_form(dossier=dossier, applicant=citizen, data=data)


def test_forged_row_keys_do_not_count_or_break_parsing():
    schema = {"type": "object", "properties": {"vehicles": SIMPLE_SCHEMA["properties"]["vehicles"]}}
    post = {
        "vehicles.7.plate": "51A-123.45",
        "vehicles.²": "x",  # a Unicode digit
        "vehicles.x.plate": "y",
        "vehicles" + ".0" * 5000: "z",
        "other.0.plate": "w",
    }
    assert parse_post(schema, {}, post) == {"vehicles": [{"plate": "51A-123.45"}]}


# --- The largest form stays fast ----------------------------------------------------------------


BADGE = Path(__file__).resolve().parents[2] / "catalogue/demo/badge-2.002288.json"


@pytest.fixture
def badge(db):
    demo = json.loads(BADGE.read_text(encoding="utf-8"))["procedure"]
    return ProcedureFactory(form_schema=demo["form_schema"], form_ui=demo["form_ui"])


def badge_rows(count: int, plate=lambda i: f"75B-{i // 100:03d}.{i % 100:02d}") -> dict:
    post = {}
    for i in range(count):
        post |= {
            f"vehicles.{i}.plate": plate(i),
            f"vehicles.{i}.chassis_no": f"RL4XK{i:010d}",
            f"vehicles.{i}.engine_no": f"2TR{i:07d}",
            f"vehicles.{i}.vehicle_class": "Ô tô khách",
            f"vehicles.{i}.brand": "Toyota Hiace",
            f"vehicles.{i}.year_of_manufacture": "2021",
            f"vehicles.{i}.seats": "16",
            f"vehicles.{i}.ownership": "leased",
            f"vehicles.{i}.contract_no": f"HD-{i}/2026",
            f"vehicles.{i}.contract_from": "01/01/2026",
            f"vehicles.{i}.contract_to": "31/12/2027",
        }
    return post


def timed_post(client, url, data, **kwargs):
    start = time.perf_counter()
    response = client.post(url, data, **kwargs)
    return response, time.perf_counter() - start


def test_the_badge_form_at_its_50_vehicles_saves_quickly(client, badge):
    # Generous bounds for a shared test machine; bench/big_form.py gives the real figures.
    user = UserFactory(kind="organisation")
    client.force_login(user)
    dossier = services.dossier_start(procedure=badge, applicant=user)
    url = section_url(dossier)
    client.post(url, badge_rows(1))  # warm up
    response, seconds = timed_post(client, url, badge_rows(50))
    assert response.status_code == 302 and seconds < 1.0
    response, seconds = timed_post(client, url, badge_rows(50, plate=str))  # shown with errors
    assert response.status_code == 200 and seconds < 1.5
    assert response.content.decode().count("Nhập biển số xe theo dạng 51A-123.45") >= 50
    response, seconds = timed_post(client, url, badge_rows(50), headers=AUTOSAVE)
    assert response.status_code == 200 and seconds < 1.0


def test_990_rows_are_refused_at_once_and_change_nothing(client, badge):
    # The report: one POST of 990 vehicle rows took 3.8 s (re-shown with every row).
    user = UserFactory(kind="organisation")
    client.force_login(user)
    dossier = services.dossier_start(procedure=badge, applicant=user)
    url = section_url(dossier)
    client.post(url, badge_rows(1))
    saved = Dossier.objects.get(pk=dossier.pk).form_data
    rows = {f"vehicles.{i}.plate": f"75B-{i // 100:03d}.{i % 100:02d}" for i in range(990)}
    response, _seconds = timed_post(client, url, rows)
    body = response.content.decode()
    assert response.status_code == 400
    assert "“Danh sách xe” có tối đa 50 mục." in body
    # Refused before the rows were read: they are not shown back (re-showing them was where
    # the 3.8 s went; bench/big_form.py times it).
    assert body.count("vehicles.") < 100  # not 990 rows of fields
    assert Dossier.objects.get(pk=dossier.pk).form_data == saved


def test_a_checkbox_list_takes_as_many_values_as_it_has_choices(settings):
    settings.FORM_MAX_ITEMS = 2
    schema = {
        "type": "object",
        "properties": {
            "kinds": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    post = QueryDict(mutable=True)
    post.setlist("kinds", ["a", "b", "c"])
    post.setlist("tags", ["x", "y"])
    assert too_many_posted(schema, post) == []
    post.setlist("kinds", ["a", "b", "c", "a"])
    post.setlist("tags", ["x", "y", "z"])
    assert sorted(too_many_posted(schema, post)) == [("kinds", 3), ("tags", 2)]


# --- Drafts the agency prepared (proactive services, decision 0085) ----------------------------


def test_an_untouched_prepared_draft_takes_none_of_the_persons_form_data_or_files(
    client, citizen, procedure, component, settings
):
    prepared = services.dossier_prepare(
        procedure=procedure,
        applicant=citizen,
        form_data=VALID_FORM,
        prepared_from=None,
        proactive={"reminder": str(uuid.uuid4())},
        level=2,
        expires_at=timezone.now() + timedelta(days=30),
    )
    services.attachment_add(
        dossier=prepared, component=component, upload=pdf("ket-qua-cu.pdf"), applicant=citizen
    )
    services.dossier_prepared(dossier=prepared, proactive={"fields_prefilled": 5})  # untouched
    own = services.dossier_start(procedure=procedure, applicant=citizen)
    size = Dossier.objects.get(pk=prepared.pk).form_bytes
    settings.DRAFT_FORM_BYTES_PER_ACCOUNT = size + size // 2
    settings.DRAFT_FILES_PER_ACCOUNT = 1
    client.force_login(citizen)
    # The person's own save and upload pass: the agency's draft is not theirs yet.
    services.dossier_save_form(dossier=own, applicant=citizen, data=VALID_FORM)
    assert upload(client, own, component, pdf("a.pdf")).status_code == 302
    # Once they changed the prepared draft (saved its answers), it counts like any draft.
    services.dossier_save_form(dossier=prepared, applicant=citizen, data=VALID_FORM)
    response = upload(client, own, component, pdf("b.pdf"))
    assert response.status_code == 400
    assert "Các bản nháp của quý vị đã chứa" in response.content.decode()
    # Answers that would fit alone, not beside the prepared draft's.
    bigger = copy.deepcopy(VALID_FORM) | {"extra": "A" * (size // 4)}
    assert size < form_size(bigger) <= settings.DRAFT_FORM_BYTES_PER_ACCOUNT
    with pytest.raises(ValidationError, match="Tờ khai quá lớn"):
        services.dossier_save_form(dossier=own, applicant=citizen, data=bigger)
