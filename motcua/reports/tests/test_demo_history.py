"""The demo history (decision 0065): a small one on the demo organisation has a fact for every
dossier, the mix the statistics pages tell apart, tells nobody, and is made only once."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.models import OutboxEvent
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.factories import make_submitted_dossier
from motcua.reports.demo_history import HISTORY_NOTE, history_dossiers
from motcua.reports.models import DossierFact

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def load(capture, **options) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("load_demo_history", dossiers=20, months=3, stdout=out, **options)
    return out.getvalue()


def test_a_small_history_has_the_mix_the_statistics_tell_apart_and_a_fact_for_each(
    demo, django_capture_on_commit_callbacks
):
    output = load(django_capture_on_commit_callbacks)

    dossiers = history_dossiers()
    assert dossiers.count() == Dossier.objects.count() == 20
    assert "Đã tạo 20 hồ sơ" in output and "bị quy trình từ chối" not in output
    facts = DossierFact.objects.filter(pk__in=dossiers.values("pk"))
    assert facts.count() == 20
    # Spread over the last three months, up to yesterday.
    today = timezone.localdate()
    submitted = [timezone.localdate(f.submitted_at) for f in facts]
    assert (today - min(submitted)).days <= 92 and max(submitted) < today
    assert not DossierEvent.objects.filter(at__date__gte=today, dossier__in=dossiers).exists()

    endings = {(f.ending, f.timeliness) for f in facts}
    assert ("returned", "on_time") in endings
    assert any(t == "late" for _e, t in endings)
    assert ("withdrawn", "") in endings and ("refused", "") in endings
    assert facts.filter(ending="").exists()  # still open
    assert facts.filter(supplement_requests=1).exists()
    assert facts.filter(channel="counter").exists() and facts.filter(channel="online").exists()
    assert facts.filter(rated=True, rated_negative=True).exists()
    assert facts.filter(electronic_result=True).exists()
    # Counter dossiers were registered by a desk officer.
    counter = dossiers.filter(channel="counter").first()
    assert counter.registered_by.memberships.filter(role="desk").exists()
    # Each step at a working-day time.
    for event in DossierEvent.objects.filter(dossier__in=dossiers):
        local = timezone.localtime(event.at)
        assert local.weekday() < 5 and 8 <= local.hour < 17, (event.action, local)


def test_the_history_tells_nobody_but_the_site_still_does_afterwards(
    demo, django_capture_on_commit_callbacks
):
    first = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    load(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    history = OutboxEvent.objects.filter(pk__gt=first)
    assert history.exists()
    assert not any(
        n.startswith("notifications.") for p in history.values_list("pending", flat=True) for n in p
    )
    assert not history.filter(next_attempt_at__isnull=False).exists()  # nothing left to send

    # The same kind of step made today is told as ever (so the check above can fail).
    citizen = User.objects.get(email="citizen@demo.motcua.vn")
    procedure = history_dossiers().first().procedure
    with django_capture_on_commit_callbacks(execute=True):
        make_submitted_dossier(procedure, citizen)
    # She and the agent her demo letter of authorisation names (all procedures, decision 0076).
    assert sorted(m.to for m in mail.outbox) == [[citizen.email], ["dung.hoang@demo.motcua.vn"]]


def test_a_second_run_adds_nothing_and_says_so(demo, django_capture_on_commit_callbacks):
    load(django_capture_on_commit_callbacks)
    before = (Dossier.objects.count(), DossierEvent.objects.count(), OutboxEvent.objects.count())

    output = load(django_capture_on_commit_callbacks, seed=2)

    assert "đã có (20 hồ sơ); không tạo thêm" in output
    after = (Dossier.objects.count(), DossierEvent.objects.count(), OutboxEvent.objects.count())
    assert after == before
    submitted = DossierEvent.objects.filter(action="submitted", data__note=HISTORY_NOTE)
    assert submitted.count() == 20


def test_without_the_demo_organisation_it_says_what_to_run_first(db):
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_history", dossiers=5, months=1, stdout=io.StringIO())
    assert not Dossier.objects.exists()
