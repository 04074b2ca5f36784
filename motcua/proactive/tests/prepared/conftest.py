"""A company that holds a badge result for two vehicles, issued through the whole back
office, and reminders built row by row (the daily job is another part's)."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

import motcua
from motcua.core.events import ProactiveReminderDue
from motcua.dossiers.models import Dossier, Status
from motcua.factories import ComponentFactory, ProcedureFactory, UserFactory, make_submitted_dossier
from motcua.proactive import subscribers
from motcua.proactive.models import Due, DueItem, Reminder, ReminderItem, ReminderRule
from motcua.results.tests.conftest import approve

DEMO = Path(motcua.__file__).parent / "catalogue" / "demo"
BADGE = "2.002288"
OTHER = "2.009999"


def demo_badge() -> dict:
    return json.loads((DEMO / "badge-2.002288.json").read_text(encoding="utf-8"))


def earlier_form() -> dict:
    """What the company gave two years ago: complete, with a chassis number the register now
    gives differently and an answer the form no longer has."""
    return {
        "operator": {
            "name": "Công ty TNHH Vận tải Hương Giang",
            "type": "enterprise",
            "tax_code": "3300123456",
            "address": "25 Hùng Vương, thành phố Huế",
            "phone": "0905123456",
            "representative": "Trần Văn Bình",
            "business_registration_no": "3300123456",
            "business_registration_issuer": "Sở Kế hoạch và Đầu tư",
            "business_registration_date": "2015-06-12",
            "licence_no": "46-0123/GPKDVT",
            "licence_date": "2016-02-01",
            "licence_issuer": "Sở Giao thông vận tải",
            "fax": "0234 3822 222",
        },
        "request": {"kind": "new", "badge_type": "contract", "badges_requested": 2},
        "vehicles": [
            {
                "plate": "75B-012.34",
                "chassis_no": "OLD-CHASSIS-0001",
                "engine_no": "YLF6M12345",
                "vehicle_class": "passenger",
                "brand": "Ford",
                "year_of_manufacture": 2021,
                "seats": 16,
                "ownership": "owned",
            },
            {
                "plate": "75B-015.67",
                "chassis_no": "KMJWA37KBLU123456",
                "engine_no": "D4CBL654321",
                "vehicle_class": "passenger",
                "brand": "Hyundai",
                "year_of_manufacture": 2020,
                "seats": 16,
                "ownership": "owned",
            },
        ],
    }


@pytest.fixture
def badge(db):
    spec = demo_badge()
    procedure = ProcedureFactory(
        code=BADGE,
        name=spec["procedure"]["name"],
        form_schema=spec["procedure"]["form_schema"],
        form_ui=spec["procedure"]["form_ui"],
    )
    for row in spec["components"]:
        ComponentFactory(procedure=procedure, **row)
    return procedure


@pytest.fixture
def org(badge, make_organisation):
    return make_organisation(badge)


@pytest.fixture
def company(db):
    return UserFactory(
        kind="organisation",
        full_name="Trần Văn Bình",
        organisation_name="Công ty TNHH Vận tải Hương Giang",
        tax_code="3300123456",
        address="25 Hùng Vương, thành phố Huế",
        phone="0905123456",
        citizen_id="",
    )


@pytest.fixture
def earlier(org, badge, company):
    """The company's earlier badge dossier, approved: its signed result."""
    dossier = make_submitted_dossier(badge, company, form_data=earlier_form())
    return approve(dossier, org).results.get()


def drafts():
    return Dossier.objects.filter(status=Status.DRAFT)


def tell(reminder, capture):
    """The chain run for `reminder` as the outbox runs it (`capture`: the on-commit fixture):
    prepared when its rule says so, then told; the reminder as it is afterwards."""
    event = ProactiveReminderDue(reminder_id=reminder.pk, holder_id=reminder.holder_id, rule_id=1)
    with capture(execute=True):
        subscribers.prepare_and_tell(event)
    reminder.refresh_from_db()
    return reminder


def make_rule(**fields) -> ReminderRule:
    values = {
        "procedure_code": BADGE,
        "name": "Phù hiệu sắp hết hạn",
        "due": Due.VALID_UNTIL,
        "offsets": [30],
        "offer_code": BADGE,
        **fields,
    }
    return ReminderRule.objects.create(**values)


def make_reminder(result, holder, *, plates=("75B-012.34",), rule=None, **rule_fields):
    """A reminder of the badges of `plates` in `result`, as the daily job leaves it."""
    rule = rule or make_rule(**rule_fields)
    due_on = timezone.localdate() + timedelta(days=45)
    reminder = Reminder.objects.create(
        rule=rule, holder=holder, day=timezone.localdate(), due_on=due_on
    )
    for plate in plates:
        item, _created = DueItem.objects.get_or_create(
            result=result,
            due=Due.VALID_UNTIL,
            subject=plate,
            defaults={
                "holder": holder,
                "procedure_code": result.dossier.procedure.code,
                "label": f"Phù hiệu xe {plate}",
                "due_on": due_on,
            },
        )
        ReminderItem.objects.create(
            reminder=reminder, rule=rule, item=item, due_on=due_on, offset=30
        )
    return reminder


@pytest.fixture
def other_way(badge):
    """Another procedure leading to the same badge: it charges, takes longer, asks more."""
    badge.result_group = "phu-hieu-xe"
    badge.save(update_fields=["result_group"])
    procedure = ProcedureFactory(
        code=OTHER,
        name="Cấp mới phù hiệu xe ô tô kinh doanh vận tải",
        agency=badge.agency,
        receiving_agency=badge.receiving_agency,
        form_schema=badge.form_schema,
        form_ui=badge.form_ui,
        result_group="phu-hieu-xe",
        fee_vnd=50000,
        processing_time=5,
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp mới phù hiệu")
    ComponentFactory(procedure=procedure, name="Bản sao Giấy chứng nhận đăng ký xe")
    return procedure
