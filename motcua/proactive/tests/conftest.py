import itertools
from datetime import date

import pytest

from motcua.factories import make_submitted_dossier
from motcua.proactive.models import Due, ReminderRule
from motcua.results.models import ResultDocument
from motcua.results.tests.conftest import (  # noqa: F401 - the badge procedure's fixtures
    badge_form,
    badge_procedure,
    org,
    vehicle,
)
from motcua.workdays.models import CalendarDay

_numbers = itertools.count(1)


@pytest.fixture
def rule(db):
    """Remind 10 and 3 working days before a badge expires, by SMS, offering the badge."""
    return ReminderRule.objects.create(
        procedure_code="2.002288",
        name="Phù hiệu sắp hết hạn",
        due=Due.VALID_UNTIL,
        offsets=[10, 3],
        channels=["sms"],
        offer_code="2.002288",
        prepare=False,
        recommend=False,
    )


@pytest.fixture
def holiday(db):
    """A day off inside the 10-working-day window before 31/12/2027: ten working days
    before that Friday is then Thursday 16/12, not Friday 17/12 (nor 21/12, ten days)."""
    return CalendarDay.objects.create(
        date=date(2027, 12, 22), kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bù (thử)"
    )


def make_badge_result(procedure, holder, badges: dict[str, str], **form) -> ResultDocument:
    """A badge result of a dossier of `holder`, one badge per plate valid until the date
    given (dd/mm/yyyy), written directly (no PDF: the job never reads it)."""
    dossier = make_submitted_dossier(
        procedure,
        holder,
        form_data=badge_form(*[vehicle(plate, **form.get(plate, {})) for plate in badges]),
    )
    number = next(_numbers)
    return ResultDocument.objects.create(
        dossier=dossier,
        agency=procedure.receiving_agency,
        kind=ResultDocument.Kind.BADGE,
        title="Phù hiệu xe ô tô kinh doanh vận tải",
        number=f"{number}/2026/PH",
        issued_by=holder,
        data={
            "title": "Phù hiệu xe ô tô kinh doanh vận tải",
            "operator": "Công ty TNHH Vận tải Hương Giang",
            "badges": [
                {
                    "index": i,
                    "number": f"{number}.{i}/2026/PH",
                    "plate": plate,
                    "badge_type": "Xe hợp đồng",
                    "valid_until": until,
                }
                for i, (plate, until) in enumerate(badges.items(), start=1)
            ],
        },
        pdf="results/test.pdf",
        sha256="0" * 64,
        signer="Thử nghiệm",
    )
