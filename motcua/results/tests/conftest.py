import json
from pathlib import Path

import pytest

import motcua
from motcua.factories import (
    AgencyFactory,
    ComponentFactory,
    ProcedureFactory,
    make_submitted_dossier,
)
from motcua.workflow.machine import NoteInput, perform

DEMO = Path(motcua.__file__).parent / "catalogue" / "demo"


def badge_form(*vehicles) -> dict:
    return {
        "operator": {
            "name": "Công ty TNHH Vận tải Hương Giang",
            "type": "enterprise",
            "tax_code": "3301234567",
            "address": "25 Hùng Vương, thành phố Huế",
        },
        "request": {"kind": "new", "badge_type": "contract", "badges_requested": len(vehicles)},
        "vehicles": list(vehicles),
    }


def vehicle(plate, **extra) -> dict:
    return {"plate": plate, "seats": 16, "ownership": "owned", "brand": "Ford", **extra}


@pytest.fixture
def badge_procedure(db):
    spec = json.loads((DEMO / "badge-2.002288.json").read_text())["procedure"]
    agency = AgencyFactory(
        name="Sở Xây dựng thành phố Huế",
        identifier="000.00.18.H56",
        address="Số 1 Lê Lợi, thành phố Huế",
    )
    procedure = ProcedureFactory(
        code="2.002288",
        agency=agency,
        form_schema=spec["form_schema"],
        form_ui=spec["form_ui"],
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu")
    return procedure


@pytest.fixture
def org(badge_procedure, make_organisation):
    return make_organisation(badge_procedure)


@pytest.fixture
def badge_dossier(org, badge_procedure, citizen):
    return make_submitted_dossier(
        badge_procedure,
        citizen,
        form_data=badge_form(vehicle("75B-012.34"), vehicle("75B-567.89", service_life_year=2030)),
    )


def approve(dossier, org):
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(
        dossier_id=dossier.pk,
        action="forward",
        actor=org.specialist,
        data=NoteInput(note="Đủ điều kiện"),
    )
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    return perform(dossier_id=dossier.pk, action="approve", actor=org.leader)


@pytest.fixture
def approved(badge_dossier, org):
    dossier = approve(badge_dossier, org)
    return dossier.results.get()
