"""The timeline's one writer and its registry of event kinds."""

import pytest

from motcua.dossiers import timeline
from motcua.dossiers.models import Status
from motcua.dossiers.timeline import EventKind, kind_of, record_event, register_kind
from motcua.factories import make_organisation, make_submitted_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_kinds(monkeypatch):
    monkeypatch.setattr(timeline, "_KINDS", {})


def test_an_unknown_kind_has_no_labels(fresh_kinds):
    assert kind_of("nothing") == timeline.UNKNOWN
    assert kind_of("nothing").public_label is None


def test_the_same_kind_may_be_registered_twice_but_not_two_kinds_under_one_name(fresh_kinds):
    register_kind("parcel_lost", EventKind(officer_label="Thất lạc"))
    register_kind("parcel_lost", EventKind(officer_label="Thất lạc"))
    with pytest.raises(ValueError, match="parcel_lost"):
        register_kind("parcel_lost", EventKind(officer_label="Mất"))


def test_handover_kinds_are_those_that_say_so(fresh_kinds):
    register_kind("hand", EventKind(handover=True))
    register_kind("note", EventKind())
    assert timeline.handover_kinds() == ("hand",)


def test_an_event_says_where_the_dossier_stands_unless_told(procedure, citizen):
    make_organisation(procedure)
    dossier = make_submitted_dossier(procedure, citizen)
    event = record_event(
        dossier=dossier, action="escalate", from_status=dossier.status, public=False
    )
    assert event.to_status == Status.SUBMITTED and not event.is_public
    assert event.unit_name == dossier.current_unit.name
    assert event.step_key == dossier.step_key and event.data == {}
    told = record_event(
        dossier=dossier,
        action="submitted",
        from_status=Status.DRAFT,
        unit_name="Bộ phận Một cửa",
        step_key="",
        data={"note": "x"},
    )
    assert told.unit_name == "Bộ phận Một cửa" and told.step_key == ""
    assert told.data == {"note": "x"}
