"""The action table and the officer's action form: every fact about an action in one entry,
and the form as the one place an officer's input is parsed."""

from dataclasses import fields
from datetime import date
from decimal import Decimal

import pytest

from motcua.documents.models import IssuedDocument
from motcua.dossiers.timeline import kind_of
from motcua.workflow import machine
from motcua.workflow.definition import STEP_ACTIONS
from motcua.workflow.forms import OTHER_ITEM, action_form

pytestmark = pytest.mark.django_db


def form_for(name, dossier, data, **options):
    act = machine.ACTIONS[name]
    return action_form(act, dossier, data={"expected_version": dossier.version, **data}, **options)


def test_every_action_names_an_input_and_a_known_document():
    for act in machine.ACTIONS.values():
        assert act.input is not None, act.name
        assert act.issues is None or act.issues in IssuedDocument.Kind.values, act.name


def test_every_step_permission_unlocks_exactly_one_action():
    for permission in STEP_ACTIONS:
        granted = [a for a in machine.ACTIONS.values() if a.step_permission == permission]
        assert len(granted) == 1, permission
        assert machine.action_for_permission(permission) == granted[0]


def test_the_officer_form_asks_for_the_fields_of_the_input(dossier):
    for act in machine.ACTIONS.values():
        if act.actor != machine.OFFICER:
            continue
        form = action_form(act, dossier)
        for name in (f.name for f in fields(act.input)):
            assert name in form.fields, (act.name, name)


def test_the_timeline_kinds_come_from_the_table():
    returned = kind_of("return")
    assert returned.handover and str(returned.officer_label) == "Trả kết quả"
    assert str(returned.public_label) == "Đã trả kết quả"
    assert kind_of("request_withdrawal").applicant_note
    assert kind_of("send_back").internal_note and not kind_of("refuse").internal_note
    assert str(kind_of("answer_task").public_label) == "Cơ quan phối hợp đã trả lời"
    assert kind_of("payment_received").public_label is None  # the status reached says it


def test_perform_refuses_an_input_of_another_action(org, dossier):
    with pytest.raises(TypeError, match="NoteInput"):
        machine.perform(
            dossier_id=dossier.pk,
            action="accept",
            actor=org.desk_officer,
            data=machine.ReasonInput(reason="?"),
        )


def test_perform_refuses_an_action_whose_input_is_missing(org, dossier):
    with pytest.raises(machine.TransitionRefused, match="Thiếu thông tin"):
        machine.perform(dossier_id=dossier.pk, action="extend", actor=org.specialist)


def test_payment_form_reads_an_amount_written_with_dots(dossier):
    form = form_for("request_payment", dossier, {"amount": "150.000 đ", "note": ""})
    assert form.is_valid(), form.errors
    assert form.to_input() == machine.RequestPaymentInput(amount=150_000, note="")


def test_payment_form_refuses_an_amount_in_words(dossier):
    form = form_for("request_payment", dossier, {"amount": "không"})
    assert not form.is_valid()
    assert "amount" in form.errors


@pytest.mark.parametrize("typed", ["14/11/2025", "2025-11-14"])
def test_extension_form_reads_the_day_first_date_and_the_iso_date(dossier, typed):
    form = form_for("extend", dossier, {"reason": "Chờ xác minh", "new_due_date": typed})
    assert form.is_valid(), form.errors
    assert form.to_input() == machine.ExtendInput(
        reason="Chờ xác minh", new_due_date=date(2025, 11, 14)
    )


def test_supplement_form_gives_each_item_with_its_reason_and_the_other_paper(dossier):
    components = list(dossier.procedure.components.all())
    first = components[0]
    form = form_for(
        "request_supplement",
        dossier,
        {
            "items": [str(first.pk), OTHER_ITEM],
            f"reason_{first.pk}": "Bản chụp mờ",
            f"reason_{OTHER_ITEM}": "Thiếu",
            "other_name": "Sổ đăng kiểm",
            "note": "",
        },
        components=components,
    )
    assert form.is_valid(), form.errors
    assert form.to_input().items == (
        machine.SupplementItem(component=first.name, reason="Bản chụp mờ"),
        machine.SupplementItem(component="Sổ đăng kiểm", reason="Thiếu"),
    )


def test_supplement_form_needs_a_reason_for_each_paper(dossier):
    components = list(dossier.procedure.components.all())
    first = components[0]
    form = form_for(
        "request_supplement", dossier, {"items": [str(first.pk)]}, components=components
    )
    assert not form.is_valid()
    assert f"reason_{first.pk}" in form.errors


def test_consultation_form_reads_half_a_day_with_a_comma(org, dossier):
    groups = [("Sở", [(org.leadership.pk, org.leadership.name)])]
    form = form_for(
        "consult",
        dossier,
        {"unit_ids": [str(org.leadership.pk)], "days": "0,5", "request": "Cho ý kiến"},
        unit_groups=groups,
    )
    assert form.is_valid(), form.errors
    assert form.to_input() == machine.OpenTasksInput(
        unit_ids=(org.leadership.pk,), days=Decimal("0.5"), request="Cho ý kiến"
    )


def test_note_of_an_internal_action_is_said_to_stay_with_officers(dossier):
    accept = action_form(machine.ACTIONS["accept"], dossier)
    confirm = action_form(machine.ACTIONS["confirm_payment"], dossier)
    assert "Chỉ cán bộ" in str(accept.fields["note"].help_text)
    assert "Người nộp hồ sơ" in str(confirm.fields["note"].help_text)
