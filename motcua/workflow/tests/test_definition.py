"""Workflow definitions are validated, versioned, and loaded for the reference procedures."""

import copy

import pytest

from motcua.factories import STANDARD_WORKFLOW
from motcua.workflow.definition import definition_problems
from motcua.workflow.services import WorkflowInvalid, save_workflow_version

pytestmark = pytest.mark.django_db

UNITS = {"mot-cua": "desk", "chuyen-mon": "specialist", "lanh-dao": "leadership"}


def changed(**step_changes):
    definition = copy.deepcopy(STANDARD_WORKFLOW)
    for index, change in step_changes.items():
        definition["steps"][int(index[1:])].update(change)
    return definition


def test_the_standard_workflow_is_sound():
    assert definition_problems(STANDARD_WORKFLOW, processing_days=2, unit_codes=UNITS) == []


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ([], "đối tượng JSON"),
        ({"steps": []}, "Sai cấu trúc"),
        (changed(s0={"role": "specialist"}), "Bước đầu tiên"),
        (changed(s4={"role": "leader"}), "Bước cuối cùng"),
        (changed(s3={"signs": False}), "đúng một bước ký"),
        (changed(s1={"key": "reception"}), "trùng"),
        (changed(s1={"unit": "khong-co"}), "không có đơn vị"),
        (changed(s1={"days": 5}), "vượt thời hạn"),
        (changed(s1={"role": "chief"}), "Sai cấu trúc"),
        (changed(s1={"actions": ["refuse"]}), "Chỉ bước tiếp nhận"),
        (changed(s0={"unit": "chuyen-mon"}), "phải thuộc Bộ phận Một cửa"),
    ],
)
def test_unsound_definitions_are_refused_with_a_reason(definition, expected):
    problems = definition_problems(definition, processing_days=2, unit_codes=UNITS)
    assert any(expected in p for p in problems), problems


def test_saving_makes_a_new_version_and_an_unchanged_save_does_not(org, procedure):
    assert org.workflow.version == 1
    assert save_workflow_version(procedure, copy.deepcopy(STANDARD_WORKFLOW)) == org.workflow
    v2 = save_workflow_version(procedure, changed(s1={"days": 0.75}), note="Rút ngắn thẩm định")
    assert v2.version == 2
    with pytest.raises(WorkflowInvalid) as refused:
        save_workflow_version(procedure, '{"steps": [')
    assert "Không đọc được JSON" in refused.value.problems[0]
    assert procedure.workflows.count() == 2


def test_the_demo_organisation_loads_workflows_for_the_three_reference_procedures(db):
    from django.core.management import call_command

    from motcua.workflow.models import Workflow

    call_command("load_catalogue", verbosity=0)
    call_command("load_organisation")
    codes = set(Workflow.objects.values_list("procedure__code", flat=True))
    assert {"2.002288", "1.002687", "1.003747"} <= codes
    call_command("load_organisation")  # idempotent
    assert Workflow.objects.filter(procedure__code="2.002288").count() == 1
