#!/usr/bin/env python
"""Load 1,000,000 dossiers, handled through the back office, into PostgreSQL with COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python bench/load_dossiers.py [--count N] [--applicants 20000] [--reset] \
        [--timelines N]

Run after `manage.py migrate`. The script first makes sure the organisation exists: the demo
catalogue (`manage.py load_demo` is run when no procedure has a workflow yet), the units and
workflows of motcua/workflow/demo/organisation.json (`load_organisation`, idempotent) and the
demo officers of load_demo (created when missing). Dossiers are spread over the procedures
that have a workflow, most of them over the Huế badge procedure 2.002288 (PROCEDURE_WEIGHTS),
so that the Huế department "quan-ly-van-tai" is the busy unit the back-office benchmark reads.

Every dossier is written as motcua/workflow/machine.py would have left it after the actions
of its history: status, workflow, step_key, current_unit, current_role, accepted_at, due_at,
original_due_at, step_due_at, paused clock, supplement/extension counts, finished_at,
returned_at, version (one per action), registered_by (counter and postal dossiers) and
search_text (exactly services.search_text_for). Deadlines use the working-day calendar of the
database (CalendarDay and WORKDAY_* settings) with the same arithmetic as
motcua.workdays.services, re-implemented here on epoch seconds for speed; the time an
officer takes between two actions is drawn in working seconds.

What is written, in one transaction:
  * accounts_user: N applicants (transport companies, cooperatives and household businesses;
    e-mail @bench.motcua.invalid: that is how bench rows are recognised);
  * dossiers_dossier: submitted dossiers over the last two years, mostly returned (10) when
    old, a few thousand open per unit in statuses 1, 4, 5, 6, 7, 9 (STATUS_MIX); forms valid
    for the procedure's schema; codes <agency identifier>-<YYMMDD>-<NNNN> per agency and day;
  * dossiers_dossierevent: the whole timeline (submitted, accept, the hand-overs between
    steps with from/to unit and step deadline, supplement, payment, withdrawal, stop,
    extension, approve, return), with the acting officer;
  * workflow_dossieraccess: the desk for every dossier, and every unit the dossier reached;
  * dossiers_dossiercodesequence: the last number per agency and day.
  * reports_dossierfact: every dossier's statistics fact, as reports.facts.compute makes it
    from the dossier and its timeline (no charge, payment, result or attachment is loaded, so
    fee_charged, paid_online, electronic_result and digitised are false);
  * then, after the commit, the statistics aggregates from all the facts (reports.aggregates.
    rebuild: INSERT ... SELECT), and the database size (pg_database_size).
With --timelines N only the first N dossiers get their events and every unit they reached in
workflow_dossieraccess; the others get their dossier row, the access row of the unit that holds
them now and their fact (10M dossiers with every event would not fit 30 GB; decision 0060).
Not written: attachments, issued documents (receipts, slips), tracking-book lines, tasks and
comments. Then VACUUM ANALYZE, consistency checks on a sample, and the queue sizes per unit.
A sample of (code, phone) pairs goes to bench/results/track_pairs.txt.

Loading twice is refused; --reset removes the bench rows first (TRUNCATE when every dossier in
the database is a bench dossier, DELETE otherwise).
"""

import argparse
import itertools
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DOMAIN = "bench.motcua.invalid"
BENCH_EMAIL_LIKE = f"%@{BENCH_DOMAIN}"
ICT = timezone(timedelta(hours=7), "ICT")  # Asia/Ho_Chi_Minh has no DST
OFFSET = 7 * 3600
UNUSABLE_PASSWORD = "!motcua-bench"  # "!" prefix: Django treats it as an unusable password
COPY_BATCH = 20_000

# Share of the dossiers per procedure (code); the Huế badge procedure is the busy one.
PROCEDURE_WEIGHTS = {"2.002288": 80, "1.003747": 12, "1.002687": 8}
OTHER_PROCEDURE_WEIGHT = 4  # any other procedure with a workflow

# Final status by age of the dossier in days (DOMAIN.md section 4 codes). Recent ones are
# still moving; old ones are nearly all returned, with a few forgotten in the queues.
STATUS_MIX = (
    (2, {1: 45, 3: 3, 4: 40, 5: 5, 6: 3, 7: 1, 9: 3}),
    (15, {1: 3, 3: 3, 4: 33, 5: 7, 6: 3, 7: 1, 8: 2, 9: 18, 10: 30}),
    (45, {3: 3, 4: 5, 5: 2, 6: 1, 7: 0.5, 8: 2.5, 9: 6, 10: 80}),
    (10**6, {3: 3, 4: 0.08, 5: 0.05, 8: 2.5, 9: 0.15, 10: 94.22}),
)
SUPPLEMENT_LOOP = 0.08  # share of the dossiers that passed review after a supplement
PAYMENT_LOOP = 0.5  # where the review step may ask for payment: share that paid
EXTENDED = 0.03  # share of the processed dossiers whose due date was moved once

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
SURNAMES += ["Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
SURNAME_WEIGHTS = [38, 11, 9, 7, 5, 4, 4, 4, 3, 2, 2, 2, 2, 2, 2, 1]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Hoài", "Xuân"]
MIDDLE += ["Bảo", "Gia", "Anh", "Công"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Dương",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
]
GIVEN += [
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Ngọc",
    "Phong",
    "Phúc",
    "Phương",
    "Quân",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Thành",
]
GIVEN += ["Trang", "Trung", "Tú", "Tuấn", "Vân", "Việt", "Vy", "Yến"]
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt"]
STREETS += ["Điện Biên Phủ", "Hùng Vương", "Phan Đình Phùng", "Bà Triệu", "Nguyễn Huệ"]
STREETS += ["Lạc Long Quân", "Võ Văn Kiệt", "Tố Hữu", "Trường Chinh"]
WARDS = ["Thuận Hóa", "Phú Xuân", "Vỹ Dạ", "An Cựu", "Thủy Xuân", "Kim Long", "Hương Thủy"]
WARDS += ["Hương Trà", "Phong Điền", "Phú Bài", "Thuận An", "Dương Nỗ"]
PHONE_PREFIXES = [
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "39",
    "56",
    "58",
    "70",
    "76",
    "77",
    "78",
    "79",
    "81",
    "82",
    "83",
    "84",
    "85",
    "86",
    "88",
    "89",
    "90",
]
PHONE_PREFIXES += ["91", "92", "93", "94", "96", "97", "98"]
PROVINCES = [1, 38, 40, 44, 45, 46, 46, 46, 46, 48, 49, 51, 79]
ORG_KINDS = [("Công ty TNHH", "enterprise", 50), ("Công ty Cổ phần", "enterprise", 20)]
ORG_KINDS += [("Hợp tác xã", "cooperative", 10), ("", "household", 20)]
ORG_TRADES = ["Vận tải", "Vận tải hành khách", "Xe khách", "Taxi", "Vận tải hàng hóa"]
ORG_TRADES += ["Du lịch và Vận tải", "Thương mại và Vận tải", "Logistics"]
ORG_NAMES = ["Hương Giang", "Thuận Hóa", "Phú Xuân", "Sông Hương", "Bạch Mã", "Lăng Cô"]
ORG_NAMES += ["Thiên An", "Hoàng Long", "Minh Phát", "Thành Công", "Phú Lộc", "Chân Mây"]
ORG_NAMES += ["Ngự Bình", "Kim Long", "Tam Giang", "Hải Vân", "An Phú", "Đông Ba", "Thanh Tâm"]
PLATE_SERIES = ["A", "B", "C", "D", "E", "F", "G", "H", "K", "LD"]
PLATE_PROVINCES = [75, 75, 75, 75, 75, 43, 74, 92, 29, 51]
PASSENGER_VEHICLES = [  # brand, class, seats
    ("Ford Transit", "Ô tô khách", 16),
    ("Hyundai Solati", "Ô tô khách", 16),
    ("Toyota Hiace", "Ô tô khách", 16),
    ("Thaco TB79S", "Ô tô khách", 29),
    ("Hyundai Universe", "Ô tô khách", 45),
    ("Samco Felix", "Ô tô khách", 29),
    ("Toyota Vios", "Ô tô con", 5),
    ("Kia Carnival", "Ô tô con", 7),
]
FREIGHT_VEHICLES = [  # brand, class, payload kg
    ("Isuzu QKR", "Ô tô tải", 1990),
    ("Hino FC", "Ô tô tải", 6400),
    ("Thaco Ollin", "Ô tô tải", 3490),
    ("Hyundai HD320", "Ô tô đầu kéo", 18000),
]
FREIGHT_SHARE = 0.2  # operators with a truck fleet (truck badges); the others carry passengers
COLOURS = ["Trắng", "Bạc", "Xanh", "Vàng", "Đỏ", "Đen"]
PASSENGER_BADGES = ["contract", "contract", "contract", "taxi", "fixed_route", "bus"]
DELIVERY_WEIGHTS = {"online": 60, "counter": 30, "post": 10}
DELIVERY_LABEL = {  # Dossier.Delivery labels, as return_result writes them
    "online": "Nhận kết quả trực tuyến",
    "counter": "Nhận tại Bộ phận Một cửa",
    "post": "Nhận qua bưu chính",
}
REFUSE_REASONS = [
    "Thủ tục không thuộc thẩm quyền giải quyết của cơ quan.",
    "Người nộp không phải là người có quyền đề nghị cấp.",
    "Hồ sơ đã được giải quyết trước đây, không có thay đổi.",
]
SUPPLEMENT_REASONS = [
    "Bản chụp không rõ, đề nghị chụp lại bản gốc.",
    "Thiếu trang, đề nghị bổ sung đầy đủ.",
    "Thông tin không khớp với tờ khai.",
]
STOP_REASONS = [
    "Phương tiện không đáp ứng điều kiện kinh doanh vận tải.",
    "Phát hiện giấy tờ không hợp lệ khi thẩm định.",
]
WITHDRAWAL_REASONS = ["Đơn vị không còn nhu cầu.", "Nộp nhầm thủ tục.", "Cần sửa lại hồ sơ."]
EXTEND_REASONS = ["Cần xác minh thêm thông tin phương tiện.", "Chờ ý kiến của cơ quan liên quan."]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="dossiers to load")
    parser.add_argument("--applicants", type=int, default=20_000, help="applicant accounts")
    parser.add_argument("--days", type=int, default=730, help="spread submissions over N days")
    parser.add_argument("--reset", action="store_true", help="remove earlier bench rows first")
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="keep secondary indexes during COPY (default: drop and rebuild them)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--timelines",
        type=int,
        default=None,
        help="write the events of only the first N dossiers (default: all); the others get "
        "their dossier row, access rows and statistics fact (10M dossiers with all their "
        "events would not fit the disk)",
    )
    parser.add_argument(
        "--track-sample", type=int, default=100_000, help="(code, phone) pairs to write"
    )
    parser.add_argument(
        "--check-sample", type=int, default=400, help="dossiers checked after loading"
    )
    return parser.parse_args()


def setup_django():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (postgres://...).")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ.setdefault("SECRET_KEY", "bench-loader-serves-nothing")
    os.environ["DATABASE_POOL_MAX"] = "0"  # one plain connection is all this script needs
    import django

    django.setup()


# --- Organisation: catalogue, units, workflows, officers -----------------------------------------


class Proc:
    """A procedure with a workflow, resolved to ids and names for the generator."""

    def __init__(self, procedure, workflow, units, officers, components):
        definition = workflow.definition
        self.id = procedure.pk
        self.code = procedure.code
        self.agency_id = procedure.receiving_agency_id
        self.sector_id = procedure.sector_id
        self.identifier = procedure.receiving_agency.identifier
        self.agency_name = procedure.receiving_agency.name
        self.processing_days = procedure.processing_time
        self.deliveries = tuple(
            d for d in (procedure.delivery_options or ["online"]) if d in DELIVERY_WEIGHTS
        ) or ("online",)
        self.delivery_cum = list(itertools.accumulate(DELIVERY_WEIGHTS[d] for d in self.deliveries))
        self.workflow_id = workflow.pk
        self.supplement_days = Decimal(str(definition.get("supplement_within_days", 3)))
        self.payment_pauses = bool(definition.get("payment_pauses_clock"))
        self.components = components or ["Thành phần hồ sơ"]
        # Steps: (key, unit id, unit name, role, days, actions, acting officer (id, name)).
        self.steps = []
        for step in definition["steps"]:
            unit = units.get((self.agency_id, step["unit"]))
            if unit is None:
                raise SystemExit(
                    f"{procedure.code}: the agency has no unit {step['unit']!r} (load_organisation?)"
                )
            self.steps.append(
                (
                    step["key"],
                    unit[0],
                    copy_text(unit[1]),
                    step["role"],
                    Decimal(str(step["days"])),
                    frozenset(step.get("actions", [])),
                    officers.get((unit[0], step["role"]), (None, "")),
                )
            )
        self.desk = self.steps[0]
        self.review = 1  # the first step after reception: supplement, payment, stop happen here
        self.has_payment = "payment" in self.steps[1][5]
        self.has_stop = "stop" in self.steps[1][5]
        self.prefill = copy_text(
            json.dumps(
                {"operator.name": "profile.organisation_name", "operator.phone": "profile.phone"}
                if self.code == "2.002288"
                else {},
                ensure_ascii=False,
            )
        )


def ensure_organisation() -> tuple[list, dict]:
    """The procedures with a workflow (as Proc) and the demo officers (email -> id)."""
    from django.core.management import call_command
    from django.db.models import Max

    from motcua.accounts.models import Membership, Unit, User
    from motcua.catalogue.models import Component
    from motcua.workflow.management.commands.load_demo import DEMO_OFFICERS, ensure_demo_officer
    from motcua.workflow.models import Workflow
    from motcua.workflow.services import load_organisation

    if not Workflow.objects.exists():
        print("No workflow yet: running manage.py load_demo (catalogue, organisation, officers).")
        call_command("load_demo")
    else:
        counts = load_organisation()
        print(f"load_organisation: {counts['units']} units, {counts['workflows']} workflows")
        missing = [o for o in DEMO_OFFICERS if not User.objects.filter(email__iexact=o[0]).exists()]
        for officer in missing:
            ensure_demo_officer(*officer)
        if missing:
            print(f"created {len(missing)} demo officers")

    units = {(u.agency_id, u.code): (u.pk, u.name) for u in Unit.objects.filter(is_active=True)}
    officers = {}
    for m in Membership.objects.select_related("user").order_by("user__email"):
        if m.user.is_active:
            officers.setdefault((m.unit_id, m.role), (m.user_id, m.user.full_name))
    latest = Workflow.objects.values("procedure_id").annotate(v=Max("version"))
    procs = []
    for row in latest:
        workflow = Workflow.objects.select_related("procedure", "procedure__receiving_agency").get(
            procedure_id=row["procedure_id"], version=row["v"]
        )
        procedure = workflow.procedure
        if not procedure.is_published or procedure.processing_time is None:
            continue
        components = list(
            Component.objects.filter(procedure=procedure)
            .order_by("order")
            .values_list("name", flat=True)
        )
        procs.append(Proc(procedure, workflow, units, officers, components))
    if not procs:
        sys.exit("No published procedure with a workflow and a processing time.")
    procs.sort(key=lambda p: p.code)  # the same order every run: --seed reproduces the data
    demo = dict(User.objects.filter(email__endswith="@demo.motcua.vn").values_list("email", "id"))
    return procs, demo


# --- Working days: motcua.workdays.services on epoch seconds --------------------------------------


class FastCalendar:
    """add_working_days / working_seconds_between / clock_start, on epoch seconds.

    Same rules as motcua.workdays.services (CalendarDay rows, Monday-Friday otherwise, one
    window WORKDAY_START-WORKDAY_END, counting from WORKDAY_CUTOFF on the next window), with
    the day flags precomputed: a few hundred nanoseconds per call instead of tens of µs.
    """

    def __init__(self, first_day: date, last_day: date):
        from django.conf import settings

        from motcua.workdays.models import CalendarDay

        def seconds(hhmm):
            h, m = hhmm.split(":")
            return int(h) * 3600 + int(m) * 60

        self.start = seconds(settings.WORKDAY_START)
        self.end = seconds(settings.WORKDAY_END)
        self.cutoff = seconds(settings.WORKDAY_CUTOFF)
        self.window = self.end - self.start
        off, on = set(), set()
        for day, kind in CalendarDay.objects.values_list("date", "kind"):
            (on if kind == CalendarDay.Kind.WORKING_DAY else off).add(day)
        epoch = date(1970, 1, 1)
        self.base = (first_day - epoch).days
        n = (last_day - first_day).days + 1
        self.work = bytearray(n)
        for i in range(n):
            day = first_day + timedelta(days=i)
            self.work[i] = day not in off and (day in on or day.weekday() < 5)
        self.next = [0] * n  # next working day (day number) strictly after each day
        following = None
        for i in range(n - 1, -1, -1):
            self.next[i] = following if following is not None else self.base + n + 10
            if self.work[i]:
                following = self.base + i

    def days(self, value) -> int:
        """A number of working days as working seconds, rounded as _working_time does."""
        return int((Decimal(str(value)) * self.window).to_integral_value(ROUND_HALF_UP))

    def clock_start(self, ts: int) -> tuple[int, int]:
        d, s = divmod(ts + OFFSET, 86400)
        i = d - self.base
        if self.work[i]:
            if s < self.start:
                return d, self.start
            if s < self.cutoff:
                return d, s
        return self.next[i], self.start

    def add(self, ts: int, secs: int) -> int:
        d, s = self.clock_start(ts)
        end, start, nxt, base = self.end, self.start, self.next, self.base
        while True:
            available = end - s
            if secs <= available:
                return d * 86400 + s + secs - OFFSET
            secs -= available
            d = nxt[d - base]
            s = start

    def between(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        da, sa = divmod(a + OFFSET, 86400)
        db, sb = divmod(b + OFFSET, 86400)
        total = 0
        for d in range(da, db + 1):
            if self.work[d - self.base]:
                begin = max(sa if d == da else 0, self.start)
                finish = min(sb if d == db else 86400, self.end)
                if finish > begin:
                    total += finish - begin
        return total


# --- Reset --------------------------------------------------------------------------------------

DOSSIER_CHILDREN = [  # tables referencing dossiers_dossier (or its events), children first
    "notifications_notification",
    "feedback_petition",
    "feedback_rating",
    "dossiers_accessrecord",
    "dossiers_dossiermessageattachment",
    "dossiers_dossiermessage",
    "results_revocation",
    "results_verifiabledocument",
    "results_resultdocument",
    "delivery_shipmentevent",
    "delivery_shipment",
    "payments_gatewaymessage",
    "payments_paymentissue",
    "payments_receipt",
    "payments_refund",
    "payments_payment",
    "payments_charge",
    "workflow_dossieraccess",
    "workflow_task",
    "workflow_comment",
    "documents_issueddocument",
    "documents_trackingbookentry",
    "dossiers_attachment",
    "dossiers_dossierevent",
]


def bench_rows_present(cur) -> int:
    cur.execute("SELECT count(*) FROM accounts_user WHERE email LIKE %s", [BENCH_EMAIL_LIKE])
    return cur.fetchone()[0]


def reset(conn):
    started = time.monotonic()
    bench_users = "SELECT id FROM accounts_user WHERE email LIKE %s"
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM dossiers_dossier WHERE applicant_id NOT IN ({bench_users}))",
            [BENCH_EMAIL_LIKE],
        )
        (others,) = cur.fetchone()
        # The statistics: bench facts go with their dossiers; the aggregates are rebuilt after
        # the load (and by `manage.py rebuild_facts --aggregates-only`).
        cur.execute(
            "TRUNCATE reports_dailyaggregate, reports_monthlyaggregate, reports_dailyhistogram, "
            "reports_monthlyhistogram"
        )
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM reports_dossierfact f WHERE NOT EXISTS (SELECT 1 "
            f"FROM dossiers_dossier d WHERE d.id = f.dossier_id AND d.applicant_id IN ({bench_users})))",
            [BENCH_EMAIL_LIKE],
        )
        if cur.fetchone()[0]:
            cur.execute(
                "DELETE FROM reports_dossierfact WHERE dossier_id IN (SELECT id FROM "
                f"dossiers_dossier WHERE applicant_id IN ({bench_users}))",
                [BENCH_EMAIL_LIKE],
            )
        else:
            cur.execute("TRUNCATE reports_dossierfact")
        if not others:
            # Every dossier is a bench dossier: TRUNCATE is instant (and not an UPDATE/DELETE, so
            # the append-only triggers do not apply).
            cur.execute(
                f"TRUNCATE {', '.join(DOSSIER_CHILDREN)}, dossiers_dossier, "
                "dossiers_dossiercodesequence CASCADE"  # and what hangs off them (rating units...)
            )
        else:
            # Other dossiers exist: delete only the bench ones. Events, comments and documents
            # are append-only (triggers refuse DELETE); replication role "replica" skips them.
            cur.execute("SET LOCAL session_replication_role = replica")
            mine = f"SELECT id FROM dossiers_dossier WHERE applicant_id IN ({bench_users})"
            for table in DOSSIER_CHILDREN:
                cur.execute(f"DELETE FROM {table} WHERE dossier_id IN ({mine})", [BENCH_EMAIL_LIKE])
            cur.execute(
                f"DELETE FROM dossiers_dossier WHERE applicant_id IN ({bench_users})",
                [BENCH_EMAIL_LIKE],
            )
            # Rebuild the code counters from the dossiers that remain.
            cur.execute("DELETE FROM dossiers_dossiercodesequence")
            cur.execute(
                "INSERT INTO dossiers_dossiercodesequence (agency_id, day, last_value) "
                "SELECT receiving_agency_id, to_date(substring(code from '-(\\d{6})-\\d+$'), "
                "'YYMMDD'), max(substring(code from '-(\\d+)$')::int) FROM dossiers_dossier "
                "WHERE code IS NOT NULL GROUP BY 1, 2"
            )
            cur.execute("SET LOCAL session_replication_role = origin")
        cur.execute("DELETE FROM accounts_user WHERE email LIKE %s", [BENCH_EMAIL_LIKE])
    conn.commit()
    print(f"reset: bench rows removed in {time.monotonic() - started:.1f} s")


# --- Generation helpers ----------------------------------------------------------------------------


def next_id(cur, table: str) -> int:
    cur.execute(
        f"SELECT GREATEST((SELECT COALESCE(max(id), 0) FROM {table}), "
        f"(SELECT last_value FROM {table}_id_seq))"
    )
    return cur.fetchone()[0] + 1


def set_sequence(cur, table: str):
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT GREATEST(COALESCE(max(id), 1), 1) FROM {table}))"
    )


def copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def dumps(value) -> str:
    return copy_text(json.dumps(value, ensure_ascii=False))


_day_text: dict[int, str] = {}


def ts_text(ts: int) -> str:
    """Epoch seconds as a COPY timestamptz in ICT ("2026-11-24 09:30:00+07")."""
    d, s = divmod(ts + OFFSET, 86400)
    day = _day_text.get(d)
    if day is None:
        day = _day_text[d] = (date(1970, 1, 1) + timedelta(days=d)).isoformat()
    h, rest = divmod(s, 3600)
    return f"{day} {h:02d}:{rest // 60:02d}:{rest % 60:02d}+07"


def opt(ts: int | None) -> str:
    """ts_text, or NULL."""
    return "\\N" if ts is None else ts_text(ts)


def ts_iso(ts: int) -> str:
    """As datetime.isoformat() of the localtime (what machine.py stores in event data)."""
    return datetime.fromtimestamp(ts, ICT).isoformat()


def person_name(rng, female=None) -> str:
    female = rng.random() < 0.45 if female is None else female
    return " ".join(
        (
            rng.choices(SURNAMES, SURNAME_WEIGHTS)[0],
            "Thị" if female and rng.random() < 0.6 else rng.choice(MIDDLE),
            rng.choice(GIVEN),
        )
    )


class Applicant:
    __slots__ = (
        "id",
        "kind",
        "name",
        "phone",
        "id_number",
        "email",
        "address",
        "search",
        "operator",
        "org_type",
        "fleet",
        "badges",
        "forms",
        "person",
    )


def make_applicants(rng: random.Random, n: int, taken_phones: set[str], first_id: int, now):
    """Applicant rows (COPY text) and what their dossiers copy from them.

    70 % are companies or cooperatives (an organisation account: the snapshot is the company
    name and tax code), 30 % household businesses (a citizen account: the person's name and
    ID number). Each has a fleet of 1-8 vehicles; their badge dossiers ask for 1-3 of them.
    The JSON parts are serialised once here, so the dossier loop only joins strings.
    """
    from motcua.core.text import fold

    applicants = []
    lines = []
    phones = set(taken_phones)
    kinds, kind_weights = zip(*(((p, t), w) for p, t, w in ORG_KINDS), strict=True)
    for i in range(n):
        while True:
            phone = "0" + rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"
            if phone not in phones:
                phones.add(phone)
                break
        female = rng.random() < 0.45
        person = person_name(rng, female)
        born = date(rng.randrange(1958, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
        century = (born.year // 100 - 19) * 2 + (1 if female else 0)
        citizen_id = (
            f"{rng.choice(PROVINCES):03d}{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
        )
        tax_code = f"33{rng.randrange(10**8):08d}"
        address = (
            f"Số {rng.randrange(1, 400)} đường {rng.choice(STREETS)}, phường "
            f"{rng.choice(WARDS)}, thành phố Huế"
        )
        prefix, org_type = rng.choices(kinds, kind_weights)[0]
        a = Applicant()
        a.id = first_id + i
        a.phone = phone
        a.address = copy_text(address)
        a.email = f"bench-a{i:06d}@{BENCH_DOMAIN}"
        a.org_type = org_type
        a.person = person
        if org_type == "household":
            a.kind = "citizen"
            a.name = person
            a.id_number = citizen_id
            operator_name = f"Hộ kinh doanh {person}"
            organisation, user_tax, user_citizen, representative = "", "", citizen_id, ""
        else:
            a.kind = "organisation"
            a.name = (
                f"{prefix} {rng.choice(ORG_TRADES)} {rng.choice(ORG_NAMES)} {rng.choice(GIVEN)}"
            )
            a.id_number = tax_code
            operator_name = a.name
            organisation, user_tax, user_citizen, representative = a.name, tax_code, "", person
        # services.search_text_for: fold(" ".join(name, ID number, phone, plates...)).
        a.search = fold(f"{a.name} {a.id_number} {phone}")
        registered = date(rng.randrange(2005, 2024), rng.randrange(1, 13), rng.randrange(1, 29))
        a.operator = dumps(
            {
                "name": operator_name,
                "type": org_type,
                "tax_code": tax_code,
                "address": address,
                "phone": phone,
                "email": a.email,
                "representative": person,
                "business_registration_no": tax_code,
                "business_registration_issuer": "Sở Kế hoạch và Đầu tư tỉnh Thừa Thiên Huế",
                "business_registration_date": registered.isoformat(),
                # Required for every badge but the internal one (the schema's allOf).
                "licence_no": f"{rng.randrange(1, 9999):04d}/GPKDVT",
                "licence_date": date(registered.year + 1, registered.month, 1).isoformat(),
                "licence_issuer": "Sở Giao thông vận tải tỉnh Thừa Thiên Huế",
            }
        )
        freight = rng.random() < FREIGHT_SHARE
        a.badges = ["truck"] if freight else PASSENGER_BADGES
        a.fleet = []
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 5, 8))):
            item, plate = vehicle(rng, freight)
            alnum = "".join(ch for ch in plate if ch.isalnum())
            a.fleet.append((dumps(item), f"{fold(plate)} {fold(alnum)}"))
        a.forms = {}
        applicants.append(a)
        joined = ts_text(int(now.timestamp()) - 86400 * (730 + rng.randrange(365)))
        lines.append(
            f"{a.id}\t{UNUSABLE_PASSWORD}\t\\N\tf\t{a.email}\t{phone}\t{a.kind}\t{person}\t"
            f"{user_citizen}\t{born.isoformat()}\t{a.address}\t{organisation}\t{user_tax}\t"
            f"{representative}\t{joined}\tt\tf\t{joined}\t\\N\tvi\n"
        )
    return applicants, lines


def vehicle(rng: random.Random, freight: bool) -> tuple[dict, str]:
    """A vehicle as the badge form describes it: seats for passengers, payload for trucks."""
    plate = (
        f"{rng.choice(PLATE_PROVINCES)}{rng.choice(PLATE_SERIES)}-"
        f"{rng.randrange(1000):03d}.{rng.randrange(100):02d}"
    )
    if freight:
        brand, kind, payload = rng.choice(FREIGHT_VEHICLES)
        seats = 3
    else:
        brand, kind, seats = rng.choice(PASSENGER_VEHICLES)
        payload = None
    year = rng.randrange(2010, 2026)
    item = {
        "plate": plate,
        "chassis_no": f"RL{rng.randrange(10**13):013d}",
        "engine_no": f"D4{rng.randrange(10**8):08d}",
        "vehicle_class": kind,
        "brand": brand,
        "colour": rng.choice(COLOURS),
        "year_of_manufacture": year,
        "seats": seats,
        "ownership": "leased" if rng.random() < 0.2 else "owned",
    }
    if payload:
        item["payload_kg"] = payload
    if item["ownership"] == "leased":
        item["contract_no"] = f"{rng.randrange(1, 999)}/{rng.randrange(2020, 2026)}/HĐTX"
        item["contract_from"] = f"{rng.randrange(2020, 2025)}-01-01"
        item["contract_to"] = f"{rng.randrange(2027, 2031)}-12-31"
    return item, plate


REQUESTS = {
    (k, badge, kind): dumps(
        {"kind": kind, "badge_type": badge, "badges_requested": k}
        | ({"reissue_reason": "expired", "badges_surrendered": k} if kind == "reissue" else {})
    )
    for k in (1, 2, 3)
    for badge in {*PASSENGER_BADGES, "truck"}
    for kind in ("new", "reissue")
}


def form_for(proc: Proc, a: Applicant, rng: random.Random) -> tuple[str, str]:
    """(form_data as COPY text, the plates part of search_text) for the procedure's schema."""
    if proc.code == "2.002288":
        draw = rng.random()
        k = min(len(a.fleet), 1 if draw < 0.6 else (2 if draw < 0.88 else 3))
        first = rng.randrange(len(a.fleet) - k + 1)
        chosen = a.fleet[first : first + k]
        request = REQUESTS[(k, rng.choice(a.badges), "new" if rng.random() < 0.7 else "reissue")]
        form = (
            f'{{"operator": {a.operator}, "request": {request}, '
            f'"vehicles": [{", ".join(v[0] for v in chosen)}]}}'
        )
        return form, " ".join(v[1] for v in chosen)
    cached = a.forms.get(proc.code)
    if cached is None:
        cached = a.forms[proc.code] = (other_form(proc.code, a, rng), "")
    return cached


def other_form(code: str, a: Applicant, rng: random.Random) -> str:
    if code == "1.003747":  # aircraft registration
        return dumps(
            {
                "applicant": {
                    "kind": "individual" if a.kind == "citizen" else "organisation",
                    "role": rng.choice(["owner", "owner", "lessee"]),
                    "name": a.name,
                    "id_number": a.id_number,
                    "nationality": "Việt Nam",
                    "address": a.address,
                    "phone": a.phone,
                    "email": a.email,
                    "owner_name": "Aircraft Leasing Ireland DAC",
                    "owner_address": "Dublin, Ireland",
                    "owner_nationality": "Ireland",
                },
                "aircraft": {
                    "category": "aeroplane",
                    "manufacturer": "Airbus",
                    "model": rng.choice(["A321neo", "A320neo", "A350-900"]),
                    "serial_number": f"MSN {rng.randrange(1000, 12000)}",
                    "year_of_manufacture": rng.randrange(2012, 2026),
                    "mtow_kg": rng.choice([79000, 97000, 283000]),
                    "engine_count": 2,
                    "engine_manufacturer": "CFM International",
                    "engine_model": "LEAP-1A",
                    "proposed_mark": f"VN-A{rng.randrange(100, 999)}",
                    "prior_status": "never_registered",
                    "purpose": "air_transport",
                },
                "contract": {
                    "type": "lease",
                    "number": f"{rng.randrange(1, 99)}/{rng.randrange(2020, 2026)}/HĐTTB",
                    "date": f"{rng.randrange(2020, 2026)}-0{rng.randrange(1, 10)}-15",
                    "counterparty": "Aircraft Leasing Ireland DAC",
                    "lease_end": "2034-12-31",
                },
            }
        )
    if code == "1.002687":  # ship registration
        return dumps(
            {
                "owner": {
                    "type": "individual" if a.kind == "citizen" else "enterprise",
                    "name": a.name,
                    "id_number": a.id_number,
                    "nationality": "Việt Nam",
                    "address": a.address,
                    "phone": a.phone,
                },
                "ship": {
                    "name": f"{rng.choice(ORG_NAMES).upper()} {rng.randrange(1, 99):02d}",
                    "ship_type": rng.choice(["Tàu hàng tổng hợp", "Tàu chở container", "Tàu dầu"]),
                    "port_of_registry": rng.choice(["Hải Phòng", "Đà Nẵng", "Chân Mây"]),
                    "gross_tonnage": rng.randrange(500, 9000),
                    "length_m": rng.randrange(50, 130),
                    "breadth_m": rng.randrange(9, 22),
                    "depth_m": rng.randrange(4, 12),
                    "hull_material": "steel",
                    "year_built": rng.randrange(1998, 2025),
                    "place_built": rng.choice(["Nhật Bản", "Hàn Quốc", "Việt Nam"]),
                    "main_engine_count": 1,
                    "main_engine_power_kw": rng.randrange(700, 6000),
                    "class_society": "VR",
                },
                "origin": {
                    "status": "used_foreign",
                    "acquired_by": "purchase",
                    "previous_flag": rng.choice(["Panama", "Liberia", "Singapore"]),
                    "previous_registration_no": f"{rng.randrange(10000, 99999)}-PEXT",
                    "deregistration_date": f"{rng.randrange(2020, 2026)}-0{rng.randrange(1, 10)}-01",
                },
            }
        )
    if code == "1.002788":  # seafarer's book: the applicant is the seafarer, a person
        id_number = a.id_number if len(a.id_number) == 12 else f"{rng.randrange(10**11, 10**12)}"
        return dumps(
            {
                "seafarer": {
                    "full_name": a.name if a.kind == "citizen" else rng.choice(SEAFARER_NAMES),
                    "birth_date": f"{rng.randrange(1970, 2004)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
                    "citizen_id": id_number,
                    "address": a.address,
                    "phone": a.phone,
                    "position": rng.choice(["Thủy thủ", "Thợ máy", "Sỹ quan boong", "Máy trưởng"]),
                },
                "training": {"basic_training_no": f"HLCB-{rng.randrange(10000, 99999)}"},
            }
        )
    return "{}"


SEAFARER_NAMES = (
    "Nguyễn Văn Hải",
    "Trần Minh Tâm",
    "Lê Quốc Bảo",
    "Phạm Thị Thu",
    "Hoàng Đức Long",
)


def submission_times(rng: random.Random, count: int, days: int, now: datetime) -> list[int]:
    """Sorted epoch seconds: working hours mostly, fewer at weekends, none in the future."""
    today = now.date()
    start = today - timedelta(days=days - 1)
    midnight = {}
    hours = list(range(24))
    hour_weights = [1, 1, 1, 1, 1, 2, 4, 10, 16, 18, 17, 12, 6, 12, 16, 15, 12, 8, 6, 5, 4, 3, 2, 1]
    hour_draws = rng.choices(hours, hour_weights, k=count)
    now_ts = int(now.timestamp())
    out = []
    for i in range(count):
        while True:
            offset = rng.randrange(days)
            day = start + timedelta(days=offset)
            if day.weekday() < 5 or rng.random() < 0.3:
                break
        base = midnight.get(offset)
        if base is None:
            base = midnight[offset] = int(
                datetime.combine(day, datetime.min.time(), ICT).timestamp()
            )
        ts = base + hour_draws[i] * 3600 + rng.randrange(3600)
        out.append(min(ts, now_ts - 60 - rng.randrange(3600)))
    out.sort()
    return out


# --- The history of one dossier ------------------------------------------------------------------


def plan(proc: Proc, status: int, rng: random.Random) -> list[tuple]:
    """The actions that led to `status`, as (action, argument) in order.

    Only what the workflow allows: supplement and refuse at reception; supplement, payment
    (where the step permits it) and stop at review; hand-overs step by step; approve at the
    signing step; return at the last step.
    """
    n = len(proc.steps)
    middle = list(range(1, n - 1))  # review ... signing step
    actions = []
    if status == 1:
        return actions
    if status == 3:
        return [("refuse", None)]
    if status == 5 and rng.random() < 0.3:
        return [("request_supplement", None)]
    actions.append(("accept", None))
    if status in (5, 6):
        return actions + [("request_supplement" if status == 5 else "request_payment", None)]
    if rng.random() < SUPPLEMENT_LOOP:
        actions += [("request_supplement", None), ("submit_supplement", None)]
    if proc.has_payment and rng.random() < PAYMENT_LOOP:
        actions += [("request_payment", None), ("confirm_payment", None)]
    if status == 8:
        if proc.has_stop and rng.random() < 0.7:
            return actions + [("stop", None)]
        return actions + [("request_withdrawal", None), ("confirm_withdrawal", None)]
    if status in (4, 7):
        # Where it waits: mostly at review, the rest spread over the later steps.
        target = 1 if rng.random() < 0.75 or len(middle) == 1 else rng.choice(middle[1:])
    else:
        target = middle[-1]
    if status in (4, 9, 10) and rng.random() < EXTENDED:
        actions.append(("extend", None))
    actions += [("forward", None)] * (target - 1)
    if status == 7:
        actions.append(("request_withdrawal", None))
    elif status in (9, 10):
        actions.append(("approve", None))
        if status == 10:
            actions.append(("return", None))
    return actions


W = 34200  # working seconds per day, replaced by the calendar's window at start


def duration(action: str, step: int, rng: random.Random) -> int:
    """Working seconds between the previous action and this one."""
    if action in ("accept", "refuse"):
        return rng.randrange(300, int(0.6 * W))
    if action == "request_supplement":
        return rng.randrange(300, int(0.5 * W))
    if action in ("submit_supplement", "confirm_payment"):
        return rng.randrange(int(0.2 * W), 4 * W)
    if action == "return":
        return rng.randrange(int(0.1 * W), 4 * W)
    if action == "request_withdrawal":
        return rng.randrange(int(0.1 * W), 2 * W)
    if action in ("forward", "stop", "request_payment", "extend"):
        return (
            rng.randrange(int(0.2 * W), int(1.4 * W)) if step == 1 else rng.randrange(300, W // 2)
        )
    return rng.randrange(300, W // 2)  # approve, confirm_withdrawal


def run_machine(proc, a, dossier_id, ts, delivery, actions, moments, cal, rng, ebuf, event_id):
    """Apply `actions` at `moments` as machine.py would; append the events to `ebuf`.

    Returns the next event id and the dossier's columns after the last action.
    """
    desk = proc.desk
    step = 0
    unit_id, unit_name, role = desk[1], desk[2], desk[3]
    units = {unit_id}
    st = 1
    accepted = due = original_due = step_due = paused = remaining = None
    resume = finished = returned = None
    supplements = extensions = version = 0
    updated = ts
    # What reports.facts.compute reads from the timeline: the end, supplement pauses and the
    # due date before the first extension.
    end_at, end_kind, pause_start, pauses, legal = None, "", None, [], None

    def event(
        at,
        action,
        from_status,
        note,
        actor,
        *,
        public=True,
        data="{}",
        from_unit="",
        to_unit="",
        due_text="\\N",
    ):
        nonlocal event_id, end_at, end_kind, pause_start
        if st == 5 and from_status != 5:
            pause_start = at
        elif from_status == 5 and pause_start is not None:
            pauses.append((pause_start, at))
            pause_start = None
        if end_at is None and st in (8, 9, 10) and from_status != st:
            end_at = at
            end_kind = (
                ("withdrawn" if "withdraw" in action else "stopped") if st == 8 else "processed"
            )
        if st == 3:
            end_kind, end_at = "refused", at
        ebuf.append(
            f"{event_id}\t{ts_text(at)}\t{action}\t{from_status}\t{st}\t{note}\t"
            f"{unit_name}\t{'t' if public else 'f'}\t"
            f"{actor if actor else chr(92) + 'N'}\t{dossier_id}\t{data}\t{from_unit}\t"
            f"{due_text}\t{proc.steps[step][0]}\t{to_unit}\n"
        )
        event_id += 1

    def enter(at, index, action, from_status, note, actor):
        nonlocal step, unit_id, unit_name, role, step_due
        before = unit_name
        step = index
        _key, unit_id, unit_name, role, days, _acts, _officer = proc.steps[index]
        step_due = cal.add(at, cal.days(days)) if days > 0 else due
        if due is not None and step_due is not None and step_due > due:
            step_due = due
        units.add(unit_id)
        event(
            at,
            action,
            from_status,
            note,
            actor,
            from_unit=before,
            to_unit=unit_name,
            due_text=ts_text(step_due) if step_due is not None else "\\N",
        )

    for (action, _arg), at in zip(actions, moments, strict=True):
        officer = proc.steps[step][6]
        if action == "extend" and (due is None or extensions or cal.between(at, due) < W):
            continue  # the machine would refuse it: too close to the due date
        version += 1
        updated = at
        if action == "accept":
            accepted = at
            due = original_due = cal.add(at, cal.days(proc.processing_days))
            st = 2
            event(at, "accept", 1, f"Hồ sơ đã được tiếp nhận tại {unit_name}.", officer[0])
            st = 4
            nxt = proc.steps[1]
            enter(at, 1, "forward", 2, f"Chuyển {nxt[2]} xử lý.", officer[0])
        elif action == "forward":
            nxt = proc.steps[step + 1]
            enter(at, step + 1, "forward", 4, f"Chuyển {nxt[2]} xử lý.", officer[0])
        elif action == "approve":
            st, finished, step_due = 9, at, None
            last = len(proc.steps) - 1
            enter(
                at,
                last,
                "approve",
                4,
                f"Đã có kết quả giải quyết; chuyển {proc.steps[last][2]} trả kết quả.",
                officer[0],
            )
        elif action == "return":
            st, returned = 10, at
            event(at, "return", 9, f"Đã trả kết quả. {DELIVERY_LABEL[delivery]}", officer[0])
        elif action == "refuse":
            st, finished, step_due = 3, at, None
            event(at, "refuse", 1, rng.choice(REFUSE_REASONS), officer[0])
        elif action == "request_supplement":
            before = st
            if st == 4:
                remaining = cal.between(at, due) if due is not None else None
                paused = at
            resume, st = before, 5
            supplements += 1
            items = [{"component": proc.components[0], "reason": rng.choice(SUPPLEMENT_REASONS)}]
            note = "; ".join(f"{x['component']}: {x['reason']}" for x in items)
            data = dumps({"items": items, "note": "", "contact": officer[1]})
            event(at, "request_supplement", before, copy_text(note), officer[0], data=data)
        elif action == "submit_supplement":
            back = resume or 1
            if back == 4:  # D61 art.19(4): the time counts again from zero
                due = original_due = cal.add(at, cal.days(proc.processing_days))
                paused = remaining = None
                days = proc.steps[step][4]
                step_due = cal.add(at, cal.days(days)) if days > 0 else due
            st, resume = back, None
            event(at, "submit_supplement", 5, "Đã nộp hồ sơ bổ sung.", a.id)
        elif action == "request_payment":
            if proc.payment_pauses and due is not None:
                remaining = cal.between(at, due)
                paused = at
            st = 6
            amount = rng.choice((70_000, 100_000, 150_000))
            event(
                at,
                "request_payment",
                4,
                f"Đề nghị nộp {amount:,} đồng.".replace(",", "."),
                officer[0],
                data=f'{{"amount": {amount}}}',
            )
        elif action == "confirm_payment":
            if paused is not None and remaining is not None:
                due = cal.add(at, remaining)
            paused = remaining = None
            st = 4
            event(at, "confirm_payment", 6, "Đã nhận phí, lệ phí.", officer[0])
        elif action == "extend":
            old_local = datetime.fromtimestamp(due, ICT)
            new_day = cal.add(due, cal.days(rng.randrange(2, 6)))
            new_date = datetime.fromtimestamp(new_day, ICT).date()
            new_due = int(datetime.combine(new_date, old_local.timetz()).timestamp())
            reason = rng.choice(EXTEND_REASONS)
            if legal is None:
                legal = due
            data = dumps(
                {
                    "reason": reason,
                    "new_due_at": ts_iso(new_due),
                    "old_due_at": old_local.isoformat(),
                }
            )
            due = new_due
            extensions += 1
            event(
                at,
                "extend",
                4,
                f"Hẹn lại ngày trả kết quả: {new_date:%d/%m/%Y}. Lý do: {reason}",
                officer[0],
                data=data,
            )
        elif action == "stop":
            st, finished, step_due = 8, at, None
            event(at, "stop", 4, rng.choice(STOP_REASONS), officer[0])
        elif action == "request_withdrawal":
            resume, before, st = st, st, 7
            event(at, "request_withdrawal", before, rng.choice(WITHDRAWAL_REASONS), a.id)
        elif action == "confirm_withdrawal":
            st, finished, step_due = 8, at, None
            event(
                at,
                "confirm_withdrawal",
                7,
                "Dừng xử lý theo đề nghị rút hồ sơ của người nộp.",
                officer[0],
            )
    return {
        "event_id": event_id,
        "status": st,
        "step_key": proc.steps[step][0],
        "unit_id": unit_id,
        "role": role,
        "units": units,
        "accepted": accepted,
        "due": due,
        "original_due": original_due,
        "step_due": step_due,
        "paused": paused,
        "remaining": remaining,
        "resume": resume,
        "supplements": supplements,
        "extensions": extensions,
        "finished": finished,
        "returned": returned,
        "version": version,
        "updated": updated,
        "end_at": end_at,
        "end_kind": end_kind,
        "pauses": pauses,
        "legal": legal,
    }


RESOLVED = ("processed", "returned", "stopped")
FACT_COLUMNS = (
    "dossier_id, status, agency_id, agency_path, sector_id, procedure_id, procedure_code, "
    "channel, submitted_at, received_at, due_at, original_due_at, legal_due_at, ended_at, "
    "ending, timeliness, processing_days, supplement_requests, extended, fee_charged, "
    "paid_online, electronic_result, reused_data, digitised, rated, rated_negative, "
    "complained, refreshed_at"
)


def fact_line(proc, dossier_id, ts, channel, status, m, cal, path, refreshed) -> str:
    """The dossier's reports.DossierFact as reports.facts.compute would make it from the
    dossier and its timeline (COPY text). Charges, payments, results and attachments are not
    loaded: fee_charged, paid_online, electronic_result and digitised are false."""
    accepted, ended, ending = m["accepted"], m["end_at"], m["end_kind"]
    if ending == "processed" and status == 10:
        ending = "returned"
    legal = m["legal"] if m["legal"] is not None else m["due"]
    timeliness, days = "", "\\N"
    if ending in RESOLVED and accepted is not None:
        if m["supplements"] > 1:
            timeliness = "late"
        elif legal is None:
            timeliness = "on_time"
        elif (ended + OFFSET) // 86400 < (legal + OFFSET) // 86400:
            timeliness = "early"
        elif ended <= legal:
            timeliness = "on_time"
        else:
            timeliness = "late"
        seconds = cal.between(accepted, ended)
        for paused, resumed in m["pauses"]:
            a, b = max(paused, accepted), min(resumed, ended)
            if a < b:
                seconds -= cal.between(a, b)
        days = str((Decimal(max(seconds, 0)) / W).quantize(Decimal("0.01"), ROUND_HALF_UP))
    reused = "t" if channel == "online" and proc.prefill != "{}" else "f"
    return (
        f"{dossier_id}\t{status}\t{proc.agency_id}\t{path}\t{proc.sector_id}\t{proc.id}\t"
        f"{proc.code}\t{channel}\t{ts_text(ts)}\t{opt(accepted)}\t{opt(m['due'])}\t"
        f"{opt(m['original_due'])}\t{opt(legal)}\t{opt(ended)}\t{ending}\t{timeliness}\t"
        f"{days}\t{m['supplements']}\t{'t' if m['extensions'] else 'f'}\tf\tf\tf\t{reused}\t"
        f"f\tf\t\\N\tf\t{refreshed}\n"
    )


def load(conn, args, procs, rng: random.Random):
    from psycopg.copy import QueuedLibpqWriter  # a thread sends while this one generates

    global W
    now = datetime.now(ICT).replace(microsecond=0)
    now_ts = int(now.timestamp())
    cal = FastCalendar(now.date() - timedelta(days=args.days + 60), now.date() + timedelta(3650))
    W = cal.window
    tables = [
        "accounts_user",
        "dossiers_dossier",
        "dossiers_dossierevent",
        "workflow_dossieraccess",
        "reports_dossierfact",
    ]
    timelines = args.count if args.timelines is None else min(args.timelines, args.count)
    timings = {}
    t0 = time.monotonic()
    with conn.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # Foreign keys are not checked row by row (ids come from the rows written here and from
        # the organisation just read); this also skips the append-only trigger, which only fires
        # on UPDATE/DELETE anyway.
        cur.execute("SET LOCAL session_replication_role = replica")

        dropped = []
        if not args.keep_indexes:
            cur.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "LEFT JOIN pg_constraint c ON c.conindid = i.oid "
                "WHERE t.relname = ANY(%s) AND c.oid IS NULL AND NOT x.indisunique",
                [tables],
            )
            dropped = cur.fetchall()
            for name, _definition in dropped:
                cur.execute(f'DROP INDEX "{name}"')

        # Applicants.
        cur.execute("SELECT phone FROM accounts_user WHERE phone IS NOT NULL")
        taken = {row[0] for row in cur.fetchall()}
        first_user = next_id(cur, "accounts_user")
        applicants, lines = make_applicants(rng, args.applicants, taken, first_user, now)
        with cur.copy(
            "COPY accounts_user (id, password, last_login, is_superuser, email, phone, kind, "
            "full_name, citizen_id, date_of_birth, address, organisation_name, tax_code, "
            "representative, email_verified_at, is_active, is_staff, date_joined, agency_id, language) "
            "FROM STDIN",
            writer=QueuedLibpqWriter(cur),
        ) as copy:
            copy.write("".join(lines))
        del lines
        organisations = [i for i, a in enumerate(applicants) if a.kind == "organisation"]
        timings["applicants"] = time.monotonic() - t0

        # Dossiers; their events and access rows are buffered and sent afterwards.
        t1 = time.monotonic()
        cur.execute("SELECT agency_id, day, last_value FROM dossiers_dossiercodesequence")
        counters = {(a, d.toordinal()): v for a, d, v in cur.fetchall()}
        first_dossier = next_id(cur, "dossiers_dossier")
        event_id = first_event = next_id(cur, "dossiers_dossierevent")
        access_id = first_access = next_id(cur, "workflow_dossieraccess")
        times = submission_times(rng, args.count, args.days, now)
        weights = [PROCEDURE_WEIGHTS.get(p.code, OTHER_PROCEDURE_WEIGHT) for p in procs]
        proc_draws = rng.choices(range(len(procs)), weights, k=args.count)
        status_mix = [
            (limit * 86400, list(mix), list(itertools.accumulate(mix.values())))
            for limit, mix in STATUS_MIX
        ]
        day_cache: dict[int, tuple[int, str]] = {}
        pairs_every = max(1, args.count // max(1, args.track_sample))
        pairs, buf, event_chunks, access_chunks, ebuf, abuf = [], [], [], [], [], []
        fact_chunks, fbuf, scratch = [], [], []
        refreshed = ts_text(now_ts)
        from motcua.reports.facts import agency_path

        paths = {p.agency_id: agency_path(p.agency_id) for p in procs}
        statuses = dict.fromkeys(range(11), 0)
        n_events = n_access = 0
        with cur.copy(
            f"COPY dossiers_dossier ({DOSSIER_COLUMNS}) FROM STDIN", writer=QueuedLibpqWriter(cur)
        ) as copy:
            for i in range(args.count):
                dossier_id = first_dossier + i
                ts = times[i]
                day_key = (ts + OFFSET) // 86400  # local (ICT) day number
                cached = day_cache.get(day_key)
                if cached is None:
                    local_day = datetime.fromtimestamp(ts, ICT).date()
                    cached = day_cache[day_key] = (local_day.toordinal(), f"{local_day:%y%m%d}")
                ordinal, yymmdd = cached
                proc = procs[proc_draws[i]]
                key = (proc.agency_id, ordinal)
                number = counters.get(key, 0) + 1
                counters[key] = number
                code = f"{proc.identifier}-{yymmdd}-{number:04d}"

                age = now_ts - ts
                names, cum = next((s, w) for limit, s, w in status_mix if age < limit)
                status = rng.choices(names, cum_weights=cum)[0]
                if status == 6 and not proc.has_payment:
                    status = 4
                if status == 8 and not proc.has_stop and rng.random() < 0.5:
                    status = 10

                pool = organisations if proc.code == "1.003747" and organisations else None
                a = applicants[rng.choice(pool) if pool else rng.randrange(len(applicants))]
                form_json, plates = form_for(proc, a, rng)
                search = f"{a.search} {plates}" if plates else a.search
                delivery = rng.choices(proc.deliveries, cum_weights=proc.delivery_cum)[0]
                postal = a.address if delivery == "post" else ""
                draw = rng.random()
                channel = "online" if draw < 0.9 else ("counter" if draw < 0.98 else "post")
                desk = proc.desk
                desk_officer = desk[6][0]
                if channel == "online":
                    registered_by = "\\N"
                    submitted_line = (
                        f"submitted\t0\t1\tNộp hồ sơ trực tuyến\t{copy_text(proc.agency_name)}\tt\t"
                        f"{a.id}\t{dossier_id}\t{{}}\t\t\\N\t\t"
                    )
                else:
                    registered_by = desk_officer or "\\N"
                    how = (
                        "Nộp hồ sơ trực tiếp tại"
                        if channel == "counter"
                        else "Hồ sơ nhận qua dịch vụ bưu chính tại"
                    )
                    submitted_line = (
                        f"submitted\t0\t1\t{how} {desk[2]}.\t{desk[2]}\tt\t"
                        f"{desk_officer or chr(92) + 'N'}\t{dossier_id}\t{{}}\t\t\\N\t\t"
                    )
                # Event columns: id, at, action, from, to, note, unit_name, is_public, actor,
                # dossier, data, from_unit_name, step_due_at, step_key, to_unit_name.
                keep = i < timelines
                if keep:
                    ebuf.append(f"{event_id}\t{ts_text(ts)}\t{submitted_line}\n")
                    event_id += 1

                # --- the history: times first (working seconds, scaled to fit before now) ---
                actions = plan(proc, status, rng)
                step_at = 0
                spans = []
                for action, _arg in actions:
                    spans.append(duration(action, step_at, rng))
                    if action == "accept" or action == "forward":
                        step_at += 1
                limit = now_ts - 120
                moments = []
                if actions:
                    total = sum(spans)
                    if cal.add(ts, total) > limit:
                        room = cal.between(ts, limit)
                        if room >= 60 * len(spans):
                            spans = [max(1, s * room // (total + 1)) for s in spans]
                        else:  # not a working minute since submission: spread over wall time
                            spans = None
                    if spans is None:
                        gap = max(1, (limit - ts) // (len(actions) + 1))
                        moments = [ts + gap * (k + 1) for k in range(len(actions))]
                    else:
                        t = ts
                        for s in spans:
                            t = cal.add(t, s)
                            moments.append(t)

                # --- the machine, action by action ---
                m = run_machine(
                    proc,
                    a,
                    dossier_id,
                    ts,
                    delivery,
                    actions,
                    moments,
                    cal,
                    rng,
                    ebuf if keep else scratch,
                    event_id,
                )
                if keep:
                    event_id = m["event_id"]
                else:
                    scratch.clear()
                status = m["status"]
                statuses[status] += 1
                fbuf.append(
                    fact_line(
                        proc,
                        dossier_id,
                        ts,
                        channel,
                        status,
                        m,
                        cal,
                        paths[proc.agency_id],
                        refreshed,
                    )
                )

                # Without a timeline, only the unit that holds the dossier now sees it (its
                # queue); with one, every unit it reached (the access rows are part of it).
                for unit in m["units"] if keep else (m["unit_id"],):
                    abuf.append(f"{access_id}\t{dossier_id}\t{unit}\n")
                    access_id += 1

                submitted = ts_text(ts)
                n = "\\N"
                buf.append(
                    f"{dossier_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{status}\t"
                    f"{code}\t{channel}\t{form_json}\t{proc.prefill if channel == 'online' else '{}'}"
                    f"\t{delivery}\t{postal}\t{a.name}\t{a.phone}\t{a.id_number}\t{a.email}\t"
                    f"{ts_text(ts - 300 - rng.randrange(3 * 86400)) if channel == 'online' else submitted}\t"
                    f"{ts_text(m['updated'])}\t{submitted}\t{opt(m['due'])}\t{a.id}\t"
                    f"{proc.id}\t{proc.agency_id}\t{proc.workflow_id}\t{m['step_key']}\t"
                    f"{m['unit_id']}\t{m['role']}\t{registered_by}\t{opt(m['accepted'])}\t"
                    f"{opt(m['original_due'])}\t{opt(m['step_due'])}\t{opt(m['paused'])}\t"
                    f"{n if m['remaining'] is None else m['remaining']}\t"
                    f"{n if m['resume'] is None else m['resume']}\t{m['supplements']}\t"
                    f"{m['extensions']}\t0\t{opt(m['finished'])}\t{opt(m['returned'])}\t"
                    f"{m['version']}\t{copy_text(search[:2000])}\n"
                )
                if i % pairs_every == 0:
                    pairs.append(f"{code}\t{a.phone}\n")
                if len(buf) >= COPY_BATCH:
                    copy.write("".join(buf))
                    buf.clear()
                    event_chunks.append("".join(ebuf))
                    access_chunks.append("".join(abuf))
                    fact_chunks.append("".join(fbuf))
                    ebuf.clear()
                    abuf.clear()
                    fbuf.clear()
            if buf:
                copy.write("".join(buf))
                buf.clear()
        event_chunks.append("".join(ebuf))
        access_chunks.append("".join(abuf))
        fact_chunks.append("".join(fbuf))
        n_events = event_id - first_event
        n_access = access_id - first_access
        timings["dossiers"] = time.monotonic() - t1

        t2 = time.monotonic()
        with cur.copy(
            f"COPY dossiers_dossierevent ({EVENT_COLUMNS}) FROM STDIN",
            writer=QueuedLibpqWriter(cur),
        ) as copy:
            while event_chunks:
                copy.write(event_chunks.pop(0))
        timings["events"] = time.monotonic() - t2
        t2 = time.monotonic()
        with cur.copy(
            "COPY workflow_dossieraccess (id, dossier_id, unit_id) FROM STDIN",
            writer=QueuedLibpqWriter(cur),
        ) as copy:
            while access_chunks:
                copy.write(access_chunks.pop(0))
        timings["access"] = time.monotonic() - t2
        t2 = time.monotonic()
        with cur.copy(
            f"COPY reports_dossierfact ({FACT_COLUMNS}) FROM STDIN",
            writer=QueuedLibpqWriter(cur),
        ) as copy:
            while fact_chunks:
                copy.write(fact_chunks.pop(0))
        timings["facts"] = time.monotonic() - t2

        # Code counters: continue from what was loaded.
        t3 = time.monotonic()
        cur.execute(
            "CREATE TEMP TABLE bench_seq (agency_id bigint, day date, last_value int) "
            "ON COMMIT DROP"
        )
        with cur.copy("COPY bench_seq FROM STDIN", writer=QueuedLibpqWriter(cur)) as copy:
            copy.write(
                "".join(
                    f"{a}\t{date.fromordinal(d).isoformat()}\t{v}\n"
                    for (a, d), v in counters.items()
                )
            )
        cur.execute(
            "INSERT INTO dossiers_dossiercodesequence (agency_id, day, last_value) "
            "SELECT agency_id, day, last_value FROM bench_seq "
            "ON CONFLICT (agency_id, day) DO UPDATE SET last_value = "
            "GREATEST(dossiers_dossiercodesequence.last_value, EXCLUDED.last_value)"
        )
        for table in tables:
            if table != "reports_dossierfact":  # keyed by the dossier's id
                set_sequence(cur, table)
        cur.execute("SET LOCAL session_replication_role = origin")
        timings["counters"] = time.monotonic() - t3
    conn.commit()

    # Secondary indexes, after the commit, two at a time (this machine has 2 cores): the
    # trigram GIN index alone takes most of the time.
    t4 = time.monotonic()
    rebuild_indexes(dropped)
    timings["indexes"] = time.monotonic() - t4

    t5 = time.monotonic()
    conn.autocommit = True
    with conn.cursor() as cur:
        for table in [*tables, "dossiers_dossiercodesequence"]:
            cur.execute(f"VACUUM (ANALYZE) {table}")
        # The small tables the officer queries join (never analysed after load_demo otherwise:
        # the planner then guesses their size).
        for table in SMALL_TABLES:
            cur.execute(f"ANALYZE {table}")
    conn.autocommit = False
    timings["vacuum analyze"] = time.monotonic() - t5

    # The statistics aggregates, from all the facts, in a few INSERT ... SELECT (decision 0060).
    t6 = time.monotonic()
    from django.db import connection as django_connection

    from motcua.reports import aggregates

    aggregate_rows = aggregates.rebuild()
    django_connection.close()
    conn.autocommit = True
    with conn.cursor() as cur:
        for model in aggregate_rows:
            cur.execute(f"VACUUM (ANALYZE) reports_{model.lower()}")
    conn.autocommit = False
    timings["aggregates"] = time.monotonic() - t6

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "track_pairs.txt").write_text("".join(pairs), encoding="utf-8")
    return {
        "applicants": len(applicants),
        "dossiers": args.count,
        "events": n_events,
        "access_rows": n_access,
        "code_sequences": len(counters),
        "statuses": {str(k): v for k, v in statuses.items() if v},
        "timings": timings,
        "dropped_indexes": [name for name, _ in dropped],
        "pairs": len(pairs),
        "timelines": timelines,
        "aggregate_rows": aggregate_rows,
    }


def rebuild_indexes(dropped):
    """CREATE INDEX for every dropped index, on two connections (biggest first)."""
    import threading

    import psycopg

    if not dropped:
        return
    todo = sorted(dropped, key=lambda d: ("gin" not in d[1], "dossierevent" not in d[1]))
    lock = threading.Lock()
    errors = []

    def worker():
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '768MB'")
            while True:
                with lock:
                    if not todo:
                        return
                    _name, definition = todo.pop(0)
                try:
                    conn.execute(definition)
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append((definition, exc))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        for definition, exc in errors:
            print(f"index failed: {definition}: {exc}")
        sys.exit("Some indexes could not be rebuilt; see above (the rows are loaded).")


SMALL_TABLES = [
    "catalogue_agency",
    "catalogue_procedure",
    "catalogue_sector",
    "accounts_unit",
    "accounts_membership",
    "workflow_workflow",
    "workdays_calendarday",
]
DOSSIER_COLUMNS = (
    "id, uuid, status, code, channel, form_data, prefill_sources, delivery_method, "
    "postal_address, applicant_name, applicant_phone, applicant_id_number, applicant_email, "
    "created_at, updated_at, submitted_at, due_at, applicant_id, procedure_id, "
    'receiving_agency_id, workflow_id, step_key, current_unit_id, "current_role", '
    "registered_by_id, accepted_at, original_due_at, step_due_at, clock_paused_at, "
    "remaining_seconds, resume_status, supplement_count, extension_count, open_tasks, "
    "finished_at, returned_at, version, search_text"
)
EVENT_COLUMNS = (
    "id, at, action, from_status, to_status, note, unit_name, is_public, actor_id, dossier_id, "
    "data, from_unit_name, step_due_at, step_key, to_unit_name"
)


# --- Checks and queue sizes --------------------------------------------------------------------


def check_sample(first_id: int, count: int, rng: random.Random, size: int = 400) -> list[str]:
    """Compare a sample of loaded dossiers with what the application would compute."""
    from django.db.models import Q

    from motcua.dossiers.models import Dossier, DossierAccess, DossierEvent, Status
    from motcua.workflow.services import search_text_for

    problems = []
    ids = rng.sample(range(first_id, first_id + count), min(size, count))
    from motcua.catalogue.forms_schema import validate_form

    dossiers = Dossier.objects.filter(pk__in=ids).select_related(
        "workflow", "current_unit", "procedure"
    )
    access = set(
        DossierAccess.objects.filter(dossier_id__in=ids).values_list("dossier_id", "unit_id")
    )
    last_status = {}
    for dossier_id, to_status in (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "at", "id")
        .values_list("dossier_id", "to_status")
    ):
        last_status[dossier_id] = to_status
    for d in dossiers:
        errors = validate_form(d.procedure.form_schema, d.procedure.form_ui, d.form_data)
        if errors:
            problems.append(f"{d.code}: form not valid for {d.procedure.code}: {errors}")
        if d.search_text != search_text_for(d):
            problems.append(f"{d.code}: search_text {d.search_text!r} != {search_text_for(d)!r}")
        step = d.workflow.step(d.step_key)
        if step is None or step["role"] != d.current_role or step["unit"] != d.current_unit.code:
            problems.append(f"{d.code}: step {d.step_key} does not match unit/role")
        if (d.pk, d.current_unit_id) not in access:
            problems.append(f"{d.code}: its current unit cannot see it")
        if last_status.get(d.pk) != d.status:
            problems.append(f"{d.code}: last event says {last_status.get(d.pk)}, status {d.status}")
        before_acceptance = d.status == Status.SUPPLEMENT_REQUESTED and d.resume_status == 1
        if d.status >= Status.PROCESSING and not before_acceptance and not d.accepted_at:
            problems.append(f"{d.code}: status {d.status} without accepted_at")
    bad = Dossier.objects.filter(pk__in=ids).filter(
        Q(status=Status.SUBMITTED, step_key__in=["review", "approval", "return"])
        | Q(status=Status.PROCESSED, finished_at__isnull=True)
        | Q(status=Status.RETURNED, returned_at__isnull=True)
    )
    problems += [f"{d.code}: inconsistent dates for status {d.status}" for d in bad]
    return problems


def check_statistics(first_id: int, count: int, rng: random.Random, size: int = 200) -> list[str]:
    """The facts written equal what reports.facts.compute gives for a sample of the dossiers
    with a timeline; the aggregates of a sample of (procedure, day) equal a recount."""
    from django.db import connection

    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.reports import aggregates
    from motcua.reports.facts import compute
    from motcua.reports.models import DailyAggregate, DossierFact

    problems = []
    ids = rng.sample(range(first_id, first_id + count), min(size, count)) if count else []
    stored = {f.pk: f for f in DossierFact.objects.filter(pk__in=ids)}
    for dossier in Dossier.objects.filter(pk__in=ids).select_related("procedure"):
        events = list(DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("at", "id"))
        expected = compute(dossier, events)
        fact = stored.get(dossier.pk)
        if fact is None:
            problems.append(f"{dossier.code}: no statistics fact")
            continue
        for name, value in expected.items():
            if getattr(fact, name) != value:
                problems.append(
                    f"{dossier.code}: fact {name} {getattr(fact, name)!r}, computed {value!r}"
                )
    days = list(
        DailyAggregate.objects.values_list("procedure_id", "day").distinct().order_by("?")[:30]
    )
    columns = ("day", *aggregates.GROUP, *aggregates.COUNTS)

    def same(row):  # SUM gives numeric where the table has integers
        return tuple(
            str(Decimal(v).normalize()) if isinstance(v, int | Decimal) else str(v) for v in row
        )

    for procedure_id, day in days:
        facts = DossierFact.objects.filter(procedure_id=procedure_id)
        bounds = (aggregates.midnight(day), aggregates.midnight(day + timedelta(days=1)))
        with connection.cursor() as cursor:
            cursor.execute(*aggregates.daily_rows(facts, bounds))
            recount = sorted(same(row) for row in cursor.fetchall())
        kept = sorted(
            same(row)
            for row in DailyAggregate.objects.filter(
                procedure_id=procedure_id, day=day
            ).values_list(*columns)
        )
        if recount != kept:
            problems.append(
                f"aggregates of procedure {procedure_id} on {day} differ from a recount"
            )
    return problems


def sizes(conn) -> dict:
    """The database's size and its biggest tables (with their indexes), in bytes."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        (total,) = cur.fetchone()
        cur.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 8"
        )
        tables = dict(cur.fetchall())
    conn.rollback()
    return {"database": total, "tables": tables}


def queue_sizes(conn) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT a.identifier, u.code, d.current_role, d.status, count(*) FROM dossiers_dossier d "
            "JOIN accounts_unit u ON u.id = d.current_unit_id JOIN catalogue_agency a "
            "ON a.id = u.agency_id WHERE d.status IN (1, 2, 4, 5, 6, 7, 9) "
            "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        )
        rows = cur.fetchall()
    conn.rollback()
    return rows


def main():
    args = parse_args()
    setup_django()
    import psycopg

    procs, _demo = ensure_organisation()
    weights = {p.code: PROCEDURE_WEIGHTS.get(p.code, OTHER_PROCEDURE_WEIGHT) for p in procs}
    total_weight = sum(weights.values())
    for p in procs:
        print(
            f"  {p.code} at {p.identifier} ({p.agency_name}): {weights[p.code] / total_weight:.0%}"
            f" of the dossiers; steps {' > '.join(s[0] for s in p.steps)}"
        )
    rng = random.Random(args.seed)
    started = time.monotonic()
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        with conn.cursor() as cur:
            present = bench_rows_present(cur)
        conn.rollback()
        if present and not args.reset:
            sys.exit(
                f"{present} bench applicants already loaded; run with --reset to replace them."
            )
        if present:
            reset(conn)
        reset_done = time.monotonic()
        with conn.cursor() as cur:
            first_dossier = next_id(cur, "dossiers_dossier")
        conn.rollback()
        stats = load(conn, args, procs, rng)
        elapsed = time.monotonic() - reset_done
        queues = queue_sizes(conn)
        disk = sizes(conn)
    rows = (
        stats["applicants"]
        + stats["dossiers"]
        + stats["events"]
        + stats["access_rows"]
        + stats["code_sequences"]
    )
    print(
        f"loaded {stats['dossiers']:,} dossiers, {stats['events']:,} events, "
        f"{stats['access_rows']:,} access rows, {stats['applicants']:,} applicants, "
        f"{stats['code_sequences']:,} code counters"
    )
    print("  statuses: " + ", ".join(f"{k}: {v:,}" for k, v in stats["statuses"].items()))
    for phase, seconds in stats["timings"].items():
        print(f"  {phase:<18} {seconds:7.1f} s")
    if stats["dropped_indexes"]:
        print(f"  (dropped and rebuilt {len(stats['dropped_indexes'])} secondary indexes)")
    print(
        f"total {elapsed:.1f} s: {stats['dossiers'] / elapsed:,.0f} dossiers/s, "
        f"{rows / elapsed:,.0f} rows/s (all tables)"
        + (f"; reset took {reset_done - started:.1f} s more" if present else "")
    )
    print(f"{stats['pairs']:,} (code, phone) pairs in {RESULTS / 'track_pairs.txt'}")
    print("open dossiers per unit, role and status (what the queues hold):")
    for identifier, unit, role, status, n in queues:
        print(f"  {identifier} {unit:<20} {role:<11} status {status:>2}: {n:>7,}")
    gib = 1024**3
    print(
        f"database size {disk['database'] / gib:.2f} GiB "
        f"({disk['database'] / stats['dossiers']:,.0f} bytes per dossier loaded; "
        f"{stats['timelines']:,} with their timelines); biggest tables: "
        + ", ".join(f"{name} {n / gib:.2f}" for name, n in disk["tables"].items())
    )
    print(
        "statistics aggregates: "
        + ", ".join(f"{name} {n:,} rows" for name, n in stats["aggregate_rows"].items())
    )
    problems = check_sample(
        first_dossier, stats["timelines"], random.Random(args.seed + 1), args.check_sample
    )
    statistics = check_statistics(first_dossier, stats["timelines"], random.Random(args.seed + 2))
    print(
        "checks of the statistics (facts of 200 dossiers = reports.facts.compute, aggregates of "
        "30 (procedure, day) = a recount): "
        + ("all consistent" if not statistics else f"{len(statistics)} problems")
    )
    for problem in statistics[:20]:
        print("  " + problem)
    problems += statistics
    print(
        f"checks on {args.check_sample} random dossiers (form valid for the procedure's schema, "
        "search_text, step/unit/role, access, last event, dates): "
        + ("all consistent" if not problems else f"{len(problems)} problems")
    )
    for problem in problems[:20]:
        print("  " + problem)
    summary = {
        "at": datetime.now(UTC).isoformat(),
        "database": os.environ["DATABASE_URL"].rsplit("/", 1)[-1],
        "seconds": round(elapsed, 1),
        "dossiers_per_s": round(stats["dossiers"] / elapsed),
        "rows_per_s": round(rows / elapsed),
        **{k: v for k, v in stats.items() if k != "dropped_indexes"},
        "queues": [list(q) for q in queues],
        "database_bytes": disk["database"],
        "table_bytes": disk["tables"],
        "check_problems": problems,
    }
    (RESULTS / "load_dossiers.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
