"""Dossier statuses reach the national portal (its sandbox, in process): in order, with the
national codes and the people, retried through outages, refusals kept for the desk."""

from datetime import timedelta

import pytest
import requests
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.core.events import DossierChanged
from motcua.core.models import AuditEntry
from motcua.factories import AgencyFactory, make_submitted_dossier
from motcua.nationalportal import services
from motcua.nationalportal.contrib.dvcqg.plugin import NationalPortal
from motcua.nationalportal.contrib.sandbox import portal
from motcua.nationalportal.contrib.sandbox.models import SandboxStatusMessage
from motcua.nationalportal.models import PortalPush, PortalSync
from motcua.nationalportal.tests.conftest import handle
from motcua.workflow.machine import NoteInput, perform

pytestmark = pytest.mark.django_db

STATUS_PATH = "/sandbox/dvcqg/api/v1/hoso/trangthai"
TOKEN_PATH = "/sandbox/dvcqg/oauth/token"


def received(dossier):
    return list(
        SandboxStatusMessage.objects.filter(dossier_code=dossier.code)
        .order_by("id")
        .values_list("status", flat=True)
    )


def portal_calls(http, path=STATUS_PATH):
    return [url for _method, url in http.calls if url.endswith(path)]


@pytest.fixture
def moving_clock(clock):
    clock.set(2026, 3, 2, 9, 0)
    return clock


def sweep_until(clock, end):
    """Move the clock to each next retry and run the sweep there, as beat would. A dossier's
    next try is its first unsent push's: those behind it wait for it."""
    while True:
        heads = (
            PortalPush.objects.filter(state__in=["pending", "failed"])
            .order_by("dossier_id", "pk")
            .distinct()
        )
        first = {}
        for push in heads:
            first.setdefault(push.dossier_id, push)
        due = sorted(
            p.next_attempt_at
            for p in first.values()
            if p.state == "pending" and p.next_attempt_at <= end
        )
        if not due:
            return
        clock.current = max(due[0], clock.current)
        services.deliver_due()


def test_each_status_of_a_handled_dossier_reaches_the_portal_in_order_with_its_fields(
    org, citizen, sandbox_portal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        handle(org, dossier)
    dossier.refresh_from_db()
    assert received(dossier) == [1, 4, 9, 10]
    rows = list(SandboxStatusMessage.objects.filter(dossier_code=dossier.code).order_by("id"))
    first, accepted, returned = rows[0].body, rows[1].body, rows[-1].body
    assert first["MaHoSo"] == dossier.code
    assert first["MaTTHC"] == org.procedure.code
    assert first["MaCoQuan"] == org.agency.identifier
    assert first["KenhNop"] == 2  # online
    assert first["NgayNopHoSo"] and not first["NgayTiepNhan"] and not first["NguoiTiepNhan"]
    assert accepted["NguoiTiepNhan"] == org.desk_officer.full_name
    assert accepted["NguoiXuLy"] == org.desk_officer.full_name
    assert accepted["NgayTiepNhan"] and accepted["NgayHenTra"]
    assert rows[2].body["NguoiXuLy"] == org.leader.full_name
    assert returned["NgayTraKetQua"]
    assert returned["NguoiTiepNhan"] == org.desk_officer.full_name
    sync = PortalSync.objects.get(dossier=dossier)
    assert (sync.state, sync.last_status_sent, sync.reference) == ("synced", 10, rows[-1].reference)
    # One access token for all of them: kept until it expires.
    assert len(portal_calls(sandbox_portal, TOKEN_PATH)) == 1
    # Steps within one status (forwarding) tell the portal nothing new.
    assert PortalPush.objects.filter(dossier=dossier).count() == 4


def test_a_token_that_no_longer_works_is_replaced_once(
    org, citizen, sandbox_portal, django_capture_on_commit_callbacks
):
    plugin = NationalPortal()
    cache.set(plugin._token_key(), portal.issue_token(portal.client_id(), lifetime=-5), 600)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    assert received(dossier) == [1]
    assert len(portal_calls(sandbox_portal, STATUS_PATH)) == 2  # 401 TOKEN_EXPIRED, then taken
    assert len(portal_calls(sandbox_portal, TOKEN_PATH)) == 1


def test_an_outage_is_retried_with_backoff_in_order_and_recovery_syncs(
    org, citizen, sandbox_portal, moving_clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    portal.set_outage(True)
    start = moving_clock.current
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    sync = PortalSync.objects.get(dossier=dossier)
    assert sync.state == "pending"
    assert "503" in sync.last_error and "MAINTENANCE" in sync.last_error
    assert sync.next_attempt_at == start + timedelta(seconds=60)
    # Not due yet: nothing is tried.
    calls = len(sandbox_portal.calls)
    services.deliver_due()
    assert len(sandbox_portal.calls) == calls
    # Still down at the next tries: the waits double (60 s, 120 s, 240 s).
    moving_clock.current = start + timedelta(seconds=60)
    services.deliver_due()
    moving_clock.current = start + timedelta(seconds=180)
    services.deliver_due()
    push = PortalPush.objects.get(dossier=dossier, status=4)
    assert push.attempts == 3
    assert push.next_attempt_at == start + timedelta(seconds=180 + 240)
    # Meanwhile the dossier moves on: the later status waits behind the earlier one.
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="forward", actor=org.specialist, data=NoteInput())
        perform(dossier_id=dossier.pk, action="forward", actor=org.head)
        perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    assert received(dossier) == [1]
    assert PortalSync.objects.get(dossier=dossier).state == "pending"
    portal.set_outage(False)
    sweep_until(moving_clock, start + timedelta(hours=1))
    assert received(dossier) == [1, 4, 9]
    sync = PortalSync.objects.get(dossier=dossier)
    assert (sync.state, sync.last_status_sent, sync.last_error) == ("synced", 9, "")


def test_a_portal_that_cannot_be_reached_fails_after_the_last_try(
    org, citizen, sandbox_portal, moving_clock, settings, django_capture_on_commit_callbacks
):
    settings.NATIONAL_PORTAL_MAX_ATTEMPTS = 3
    sandbox_portal.fail("/sandbox/dvcqg/", requests.ConnectionError("connection refused"))
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    assert PortalSync.objects.get(dossier=dossier).state == "pending"
    sweep_until(moving_clock, moving_clock.current + timedelta(days=1))
    sync = PortalSync.objects.get(dossier=dossier)
    assert sync.state == "failed"
    assert "ConnectionError" in sync.last_error
    assert PortalPush.objects.get(dossier=dossier).attempts == 3


def test_a_refusal_is_kept_for_the_desk_and_holds_back_later_statuses(
    org, citizen, sandbox_portal, settings, django_capture_on_commit_callbacks
):
    settings.DVCQG_SIGNING_SECRET = "a-key-the-portal-does-not-know"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    sync = PortalSync.objects.get(dossier=dossier)
    assert sync.state == "failed"
    assert sync.last_error.startswith("SIGNATURE_INVALID")
    assert PortalPush.objects.get(dossier=dossier, status=1).attempts == 1  # not retried
    assert PortalPush.objects.get(dossier=dossier, status=4).attempts == 0  # waits behind it
    assert received(dossier) == []
    assert services.deliver_due() == 0


def test_the_desk_sees_the_error_and_retries_from_the_dossier_page(
    org, citizen, client, sandbox_portal, settings, django_capture_on_commit_callbacks
):
    settings.DVCQG_SIGNING_SECRET = "a-key-the-portal-does-not-know"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    login_officer(client, org.desk_officer)
    page = client.get(f"/officer/dossiers/{dossier.uuid}/").content.decode()
    assert 'data-portal-sync="failed"' in page and "SIGNATURE_INVALID" in page
    assert "Đồng bộ lại" in page
    settings.DVCQG_SIGNING_SECRET = settings.SANDBOX_DVCQG_SIGNING_SECRET  # fixed
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/officer/national-portal/dossiers/{dossier.uuid}/retry/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/officer/dossiers/{dossier.uuid}/"
    assert received(dossier) == [1, 4]
    entry = AuditEntry.objects.get(action="nationalportal.retry")
    assert (entry.actor, entry.target, entry.data["pushes"]) == (
        org.desk_officer,
        dossier.code,
        2,
    )
    page = client.get(f"/officer/dossiers/{dossier.uuid}/").content.decode()
    assert 'data-portal-sync="synced"' in page
    assert "Đã đồng bộ lên Cổng DVC quốc gia lúc" in page
    assert "Đồng bộ lại" not in page


def test_only_the_desk_or_an_agency_admin_of_the_dossier_may_retry(
    org, citizen, client, sandbox_portal, make_officer, settings, django_capture_on_commit_callbacks
):
    settings.DVCQG_SIGNING_SECRET = "wrong"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    url = f"/officer/national-portal/dossiers/{dossier.uuid}/retry/"
    # Another agency's desk officer: no such dossier.
    other = AgencyFactory()
    from motcua.factories import UnitFactory

    stranger = make_officer(other, (UnitFactory(agency=other, kind="desk"), "desk"))
    login_officer(client, stranger)
    assert client.post(url).status_code == 404
    # The specialist sees the dossier once it reached them, but is not the desk.
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    login_officer(client, org.specialist)
    assert client.post(url).status_code == 403
    page = client.get(f"/officer/dossiers/{dossier.uuid}/").content.decode()
    assert 'data-portal-sync="failed"' in page and "Đồng bộ lại" not in page
    # GET is not a retry; the admin may.
    login_officer(client, org.admin)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not AuditEntry.objects.filter(action="nationalportal.retry", actor=org.specialist)


def test_the_administrators_list_and_retry_all_failed(
    org, citizen, client, sandbox_portal, settings, django_capture_on_commit_callbacks
):
    settings.DVCQG_SIGNING_SECRET = "wrong"
    with django_capture_on_commit_callbacks(execute=True):
        failed = make_submitted_dossier(org.procedure, citizen, plate="75A-111.11")
        other = make_submitted_dossier(org.procedure, citizen, plate="75A-222.22")
    login_officer(client, org.admin)
    page = client.get("/officer/national-portal/").content.decode()
    assert failed.code in page and other.code in page
    assert "Đồng bộ lại 2 hồ sơ lỗi" in page
    login_officer(client, org.desk_officer)
    assert client.get("/officer/national-portal/").status_code == 403
    login_officer(client, org.admin)
    settings.DVCQG_SIGNING_SECRET = settings.SANDBOX_DVCQG_SIGNING_SECRET
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/officer/national-portal/retry-failed/")
    assert answer.status_code == 302
    assert received(failed) == [1] and received(other) == [1]
    page = client.get("/officer/national-portal/").content.decode()
    assert "Mọi hồ sơ của cơ quan đã được đồng bộ" in page
    assert AuditEntry.objects.get(action="nationalportal.retry_failed").data["dossiers"] == 2


def test_a_replay_since_a_time_is_idempotent_at_the_portal(
    org, citizen, sandbox_portal, moving_clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    moving_clock.current += timedelta(hours=2)
    since = moving_clock.current
    with django_capture_on_commit_callbacks(execute=True):
        handle(org, dossier)
    references = list(SandboxStatusMessage.objects.order_by("id").values_list("id", flat=True))
    before = len(portal_calls(sandbox_portal))
    assert services.replay_since(since=since) == 3
    assert PortalSync.objects.get(dossier=dossier).state == "pending"
    assert services.deliver_due() == 3
    assert len(portal_calls(sandbox_portal)) == before + 3  # sent again...
    assert list(SandboxStatusMessage.objects.order_by("id").values_list("id", flat=True)) == (
        references
    )  # ...and the portal kept each once
    sync = PortalSync.objects.get(dossier=dossier)
    assert (sync.state, sync.last_status_sent) == ("synced", 10)
    assert AuditEntry.objects.filter(action="nationalportal.replay").exists()


def test_the_commands_deliver_and_replay(
    org, citizen, sandbox_portal, moving_clock, django_capture_on_commit_callbacks, capsys
):
    portal.set_outage(True)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
    portal.set_outage(False)
    moving_clock.current += timedelta(minutes=5)
    call_command("deliver_portal_pushes")
    assert "1 sent" in capsys.readouterr().out
    assert received(dossier) == [1]
    call_command("replay_portal_pushes", "--since", "01/03/2026")
    assert "1 queued again, 1 sent" in capsys.readouterr().out
    assert received(dossier) == [1]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("replay_portal_pushes", "--since", "2026-03-01")


def test_the_push_waits_for_the_commit_and_is_never_sent_in_a_transaction(
    org, citizen, sandbox_portal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier = make_submitted_dossier(org.procedure, citizen)
    assert not portal_calls(sandbox_portal)  # nothing before the commit
    assert not PortalPush.objects.exists()
    for callback in callbacks:
        callback()
    assert received(dossier) == [1]


@pytest.mark.django_db(transaction=True)
def test_the_portal_is_called_outside_any_transaction(org, citizen, sandbox_portal, monkeypatch):
    seen = []
    real_push = NationalPortal.push

    def spy(self, update):
        seen.append(connection.in_atomic_block)
        return real_push(self, update)

    monkeypatch.setattr(NationalPortal, "push", spy)
    dossier = make_submitted_dossier(org.procedure, citizen)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    assert received(dossier) == [1, 4]
    assert seen == [False, False]


def test_nothing_is_pushed_without_a_portal_or_for_events_that_change_no_status(
    org, citizen, sandbox_portal, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
        perform(dossier_id=dossier.pk, action="forward", actor=org.specialist, data=NoteInput())
    assert received(dossier) == [1, 4]
    settings.NATIONAL_PORTAL = ""
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="forward", actor=org.head)
        perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    assert PortalPush.objects.filter(dossier=dossier).count() == 2
    assert timezone.now()  # the clock was not touched


# --- Order of the events, superseded pushes, "retry all failed" of exactly those dossiers ---


def _push(dossier, *, event_id, status, **fields):
    from uuid import uuid4

    return PortalPush.objects.create(
        dossier=dossier,
        event_id=event_id,
        message_id=f"motcua-{uuid4().hex}",
        status=status,
        changed_at=timezone.now(),
        next_attempt_at=timezone.now(),
        **fields,
    )


def _quiet_dossier(org, citizen, **kwargs):
    """A dossier with its code, its own pushes made by hand (none from its events)."""
    dossier = make_submitted_dossier(org.procedure, citizen, **kwargs)
    PortalPush.objects.filter(dossier=dossier).delete()
    PortalSync.objects.get_or_create(
        dossier=dossier, defaults={"agency_id": dossier.receiving_agency_id}
    )
    return dossier


def test_pushes_go_out_in_the_order_of_their_events_not_of_their_rows(org, citizen, sandbox_portal):
    dossier = _quiet_dossier(org, citizen)
    # The later event's push was made first (its subscriber ran before the earlier one's).
    _push(dossier, event_id=9_000_002, status=4)
    _push(dossier, event_id=9_000_001, status=1)
    assert services.deliver_dossier(dossier_id=dossier.pk) == 2
    assert received(dossier) == [1, 4]
    assert PortalSync.objects.get(dossier=dossier).last_status_sent == 4


def test_a_push_older_than_one_sent_is_superseded_never_sent(org, citizen, sandbox_portal):
    dossier = _quiet_dossier(org, citizen)
    _push(dossier, event_id=9_000_002, status=4)
    assert services.deliver_dossier(dossier_id=dossier.pk) == 1
    # The earlier event reaches the subscriber late: made, but not sent after the newer one.
    event = DossierChanged(
        dossier_id=dossier.pk, code=dossier.code, action="accept", from_status=1, to_status=1
    )
    late = services.enqueue(event=event, event_id=9_000_001)
    assert late is not None and late.state == "sent" and late.sent_at is None
    assert "superseded" in late.last_error
    # One that slipped into the queue anyway (a race, a replay) is not sent either.
    slipped = _push(dossier, event_id=9_000_000, status=1)
    assert services.deliver_dossier(dossier_id=dossier.pk) == 0
    slipped.refresh_from_db()
    assert (slipped.state, slipped.sent_at) == ("sent", None)
    assert received(dossier) == [4]  # the portal's last word is the newest status
    sync = PortalSync.objects.get(dossier=dossier)
    assert (sync.state, sync.last_status_sent) == ("synced", 4)


def test_retry_all_failed_sends_exactly_the_administrators_dossiers(
    org, citizen, sandbox_portal, django_capture_on_commit_callbacks
):
    elsewhere = _quiet_dossier(org, citizen, plate="75A-333.33")
    PortalSync.objects.filter(dossier=elsewhere).update(agency=AgencyFactory())
    _push(elsewhere, event_id=9_000_001, status=1)  # due, and older than the failed one
    ours = _quiet_dossier(org, citizen, plate="75A-444.44")
    _push(ours, event_id=9_000_002, status=1, state="failed")
    PortalSync.objects.filter(dossier=ours).update(state="failed")
    with django_capture_on_commit_callbacks(execute=True):
        count = services.retry_failed(agency_ids=[org.agency.pk], actor=org.admin)
    assert count == 1
    assert received(ours) == [1]
    assert received(elsewhere) == []  # another agency's dossier, not the admin's to send
