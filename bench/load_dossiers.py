#!/usr/bin/env python
"""Load 1,000,000 submitted dossiers into PostgreSQL with COPY, for bench/load_test.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \
        .venv/bin/python bench/load_dossiers.py [--count N] [--applicants 20000] [--reset]

Run after `manage.py migrate` (and `manage.py load_demo` when it exists: the dossiers are spread
over every procedure that accepts online dossiers, and so over their receiving agencies; if
there is none, a minimal badge catalogue is created, see ensure_catalogue()).

What is written, in one transaction:
  * accounts_user: N applicants (citizens, e-mail @bench.motcua.invalid: that is how bench rows
    are recognised), normalised phone numbers (10 digits, starting 0), 12-digit ID numbers;
  * dossiers_dossier: submitted dossiers (status 1-10, mostly 10 for old ones), submitted over
    the last two years, a badge form (1-3 vehicles), codes <agency identifier>-<YYMMDD>-<NNNN>
    numbered per agency and day in submission order;
  * dossiers_dossierevent: the "submitted" event, plus one event to the current status;
  * dossiers_dossiercodesequence: the last number per agency and day, so the next real
    submission continues the sequence.
Then VACUUM ANALYZE. A sample of (code, phone) pairs goes to bench/results/track_pairs.txt
(load_test.py draws its own pairs from the database).

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
from array import array
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DOMAIN = "bench.motcua.invalid"
BENCH_EMAIL_LIKE = f"%@{BENCH_DOMAIN}"
ICT = timezone(timedelta(hours=7), "ICT")  # Asia/Ho_Chi_Minh has no DST
UNUSABLE_PASSWORD = "!motcua-bench"  # "!" prefix: Django treats it as an unusable password

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
SURNAME_WEIGHTS = [38, 11, 9, 7, 5, 4, 4, 4, 3, 2, 2, 2, 2, 2, 2, 1]
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quang",
    "Thu",
    "Hoài",
    "Xuân",
    "Bảo",
    "Gia",
    "Anh",
    "Công",
]
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
    "Trang",
    "Trung",
    "Tú",
    "Tuấn",
    "Vân",
    "Việt",
    "Vy",
    "Yến",
]
STREETS = [
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
    "Phan Đình Phùng",
    "Nguyễn Văn Cừ",
    "Hoàng Quốc Việt",
    "Lạc Long Quân",
    "Võ Văn Kiệt",
]
WARDS = [
    "Bến Nghé",
    "Tân Định",
    "Hàng Bạc",
    "Cửa Nam",
    "Láng Hạ",
    "Thạc Gián",
    "Vĩnh Ninh",
    "Hòa Cường",
    "Lộc Thọ",
]
CITIES = [
    "Hà Nội",
    "TP. Hồ Chí Minh",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Khánh Hòa",
    "Thừa Thiên Huế",
]
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
    "91",
    "92",
    "93",
    "94",
    "96",
    "97",
    "98",
]
PROVINCES = [1, 2, 4, 8, 19, 22, 26, 30, 31, 36, 38, 40, 46, 48, 56, 60, 74, 75, 79, 92]
PLATE_PROVINCES = [29, 30, 43, 15, 51, 59, 61, 65, 79, 75, 36, 37]
PLATE_SERIES = ["A", "B", "C", "D", "E", "F", "G", "H", "K", "LD"]
BRANDS = [
    "Ford Transit",
    "Hyundai Solati",
    "Toyota Hiace",
    "Thaco TB79S",
    "Hyundai Universe",
    "Samco Felix",
    "Toyota Innova",
    "Kia Carnival",
    "Isuzu QKR",
    "Hino FC",
]
BADGE_TYPES = ["Xe hợp đồng", "Xe taxi", "Xe tuyến cố định", "Xe du lịch", "Xe tải", "Xe buýt"]
DELIVERY_WEIGHTS = {"online": 60, "counter": 30, "post": 10}
PREFILL_SOURCES = json.dumps(
    {"applicant.full_name": "profile.full_name", "applicant.phone": "profile.phone"},
    ensure_ascii=False,
)

# Status mix by age of the dossier (DOMAIN.md section 4 codes): recent ones are still moving.
STATUS_MIX = (
    (3, {1: 45, 2: 30, 4: 20, 3: 5}),
    (15, {1: 3, 2: 10, 3: 4, 4: 40, 5: 10, 6: 5, 7: 1, 8: 1, 9: 16, 10: 10}),
    (45, {3: 4, 4: 8, 5: 4, 6: 2, 7: 1, 8: 2, 9: 14, 10: 65}),
    (10**6, {3: 4, 4: 1, 5: 1, 7: 1, 8: 3, 9: 5, 10: 85}),
)
EVENT = {  # status -> (action, from_status, note)
    2: ("accepted", 1, "Tiếp nhận hồ sơ"),
    3: ("not_accepted", 1, "Hồ sơ không đủ điều kiện tiếp nhận"),
    4: ("processing", 2, "Chuyển phòng chuyên môn xử lý"),
    5: ("supplement_requested", 4, "Đề nghị bổ sung bản sao hợp đồng thuê xe"),
    6: ("payment_requested", 4, "Đề nghị nộp lệ phí"),
    7: ("withdrawal_requested", 4, "Công dân đề nghị rút hồ sơ"),
    8: ("stopped", 4, "Dừng xử lý theo đề nghị của công dân"),
    9: ("processed", 4, "Đã có kết quả giải quyết"),
    10: ("returned", 9, "Đã trả kết quả"),
}
COPY_BATCH = 20_000


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
        "--track-sample", type=int, default=100_000, help="(code, phone) pairs to write"
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


# --- Catalogue ----------------------------------------------------------------------------------

PLACEHOLDER_AGENCIES = [  # used only when the catalogue has no online procedure
    ("000.00.18.H26", "Sở Xây dựng thành phố Hà Nội", "Hà Nội"),
    ("000.00.18.H29", "Sở Xây dựng Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh"),
    ("000.00.18.H17", "Sở Xây dựng thành phố Đà Nẵng", "Đà Nẵng"),
    ("000.00.18.H56", "Sở Xây dựng tỉnh Khánh Hòa", "Khánh Hòa"),
]
PLACEHOLDER_CODES = ["2.002288", "2.002289", "2.002290", "2.002291"]


def ensure_catalogue():
    """Online procedures as (procedure id, agency id, identifier, agency name, days, delivery)."""
    from django.db import transaction

    from motcua.catalogue.models import Agency, Component, Procedure, Sector
    from motcua.factories import SIMPLE_SCHEMA, SIMPLE_UI

    def online():
        return [
            p
            for p in Procedure.objects.in_force().select_related("receiving_agency")
            if p.accepts_online
        ]

    procedures = online()
    if not procedures:
        print("No online procedure in the catalogue (load_demo not run?): creating a minimal one.")
        with transaction.atomic():
            sector, _ = Sector.objects.get_or_create(
                code="duong-bo", defaults={"name": "Đường bộ", "name_en": "Road"}
            )
            for (identifier, name, place), code in zip(
                PLACEHOLDER_AGENCIES, PLACEHOLDER_CODES, strict=True
            ):
                agency, _ = Agency.objects.get_or_create(
                    identifier=identifier,
                    defaults={"name": name, "level": Agency.Level.PROVINCE},
                )
                procedure, created = Procedure.objects.get_or_create(
                    code=code,
                    effective_from=date(2024, 1, 1),
                    defaults={
                        "name": f"Cấp phù hiệu xe ô tô kinh doanh vận tải ({place})",
                        "sector": sector,
                        "agency": agency,
                        "receiving_agency": agency,
                        "service_level": Procedure.ServiceLevel.FULL,
                        "processing_time": 2,
                        "fee_vnd": 0,
                        "delivery_options": ["online", "counter", "post"],
                        "form_schema": SIMPLE_SCHEMA,
                        "form_ui": SIMPLE_UI,
                        "result_name": "Phù hiệu xe ô tô",
                    },
                )
                if created:
                    Component.objects.create(
                        procedure=procedure,
                        name="Giấy đăng ký xe ô tô",
                        paper_form=Component.PaperForm.COPY,
                        requirement=Component.Requirement.REQUIRED,
                        accepted_types=["pdf", "jpeg", "png"],
                        order=1,
                    )
                    Component.objects.create(
                        procedure=procedure,
                        name="Hợp đồng thuê phương tiện",
                        paper_form=Component.PaperForm.COPY,
                        requirement=Component.Requirement.CONDITIONAL,
                        condition="Khi xe không thuộc sở hữu của đơn vị",
                        condition_field="vehicles.*.ownership=leased",
                        accepted_types=["pdf"],
                        order=2,
                    )
        procedures = online()
    return [
        (
            p.pk,
            p.receiving_agency_id,
            p.receiving_agency.identifier,
            p.receiving_agency.name,
            p.processing_time or 5,
            tuple(d for d in (p.delivery_options or ["online"]) if d in DELIVERY_WEIGHTS)
            or ("online",),
        )
        for p in procedures
    ]


# --- Reset --------------------------------------------------------------------------------------


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
        if not others:
            # Every dossier is a bench dossier: TRUNCATE is instant (and not an UPDATE/DELETE, so
            # the append-only trigger on events does not apply).
            cur.execute(
                "TRUNCATE dossiers_attachment, dossiers_dossierevent, dossiers_dossier, "
                "dossiers_dossiercodesequence"
            )
        else:
            # Other dossiers exist: delete only the bench ones. Events are append-only (a trigger
            # refuses DELETE); replication role "replica" skips that trigger for this transaction.
            cur.execute("SET LOCAL session_replication_role = replica")
            mine = f"SELECT id FROM dossiers_dossier WHERE applicant_id IN ({bench_users})"
            cur.execute(
                f"DELETE FROM dossiers_dossierevent WHERE dossier_id IN ({mine})",
                [BENCH_EMAIL_LIKE],
            )
            cur.execute(
                f"DELETE FROM dossiers_attachment WHERE dossier_id IN ({mine})",
                [BENCH_EMAIL_LIKE],
            )
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


# --- Generation ---------------------------------------------------------------------------------


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


def make_applicants(rng: random.Random, n: int, taken_phones: set[str], first_id: int, now):
    """Applicant rows (COPY text) and what their dossiers copy from them.

    Each applicant gets a fleet of 1-6 vehicles; their dossiers ask badges for 1-3 of them.
    The applicant part of the form and the vehicles are serialised once here, so the dossier
    loop only joins strings.
    """
    users = []  # (id, name, phone, citizen_id, email, address, applicant JSON, fleet JSON list)
    lines = []
    phones = set(taken_phones)
    for i in range(n):
        while True:
            phone = "0" + rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"
            if phone not in phones:
                phones.add(phone)
                break
        female = rng.random() < 0.45
        name = " ".join(
            (
                rng.choices(SURNAMES, SURNAME_WEIGHTS)[0],
                "Thị" if female and rng.random() < 0.6 else rng.choice(MIDDLE),
                rng.choice(GIVEN),
            )
        )
        born = date(rng.randrange(1955, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        century = (born.year // 100 - 19) * 2 + (1 if female else 0)
        citizen_id = (
            f"{rng.choice(PROVINCES):03d}{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
        )
        email = f"bench-a{i:06d}@{BENCH_DOMAIN}"
        address = (
            f"Số {rng.randrange(1, 400)} đường {rng.choice(STREETS)}, phường "
            f"{rng.choice(WARDS)}, {rng.choice(CITIES)}"
        )
        applicant_json = copy_text(
            json.dumps(
                {
                    "full_name": name,
                    "phone": phone,
                    "birth_date": born.isoformat(),
                    "address": address,
                },
                ensure_ascii=False,
            )
        )
        fleet = [
            copy_text(json.dumps(vehicle(rng), ensure_ascii=False))
            for _ in range(rng.choice((1, 1, 2, 3, 4, 6)))
        ]
        user_id = first_id + i
        joined = (now - timedelta(days=730 + rng.randrange(365))).isoformat(" ")
        users.append((user_id, name, phone, citizen_id, email, address, applicant_json, fleet))
        lines.append(
            f"{user_id}\t{UNUSABLE_PASSWORD}\t\\N\tf\t{email}\t{phone}\tcitizen\t{name}\t"
            f"{citizen_id}\t{born.isoformat()}\t{copy_text(address)}\t\t\t\t{joined}\tt\tf\t"
            f"{joined}\n"
        )
    return users, lines


USER_COLUMNS = (
    "id, password, last_login, is_superuser, email, phone, kind, full_name, citizen_id, "
    "date_of_birth, address, organisation_name, tax_code, representative, email_verified_at, "
    "is_active, is_staff, date_joined"
)
DOSSIER_COLUMNS = (
    "id, uuid, status, code, channel, form_data, prefill_sources, delivery_method, "
    "postal_address, applicant_name, applicant_phone, applicant_id_number, applicant_email, "
    "created_at, updated_at, submitted_at, due_at, applicant_id, procedure_id, receiving_agency_id"
)
EVENT_COLUMNS = (
    "id, at, action, from_status, to_status, note, unit_name, is_public, actor_id, dossier_id"
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


def vehicle(rng: random.Random) -> dict:
    series = rng.choice(PLATE_SERIES)
    leased = rng.random() < 0.2
    item = {
        "plate": f"{rng.choice(PLATE_PROVINCES)}{series}-{rng.randrange(1000):03d}.{rng.randrange(100):02d}",
        "seats": rng.choice([4, 5, 7, 9, 16, 29, 35, 45]),
        "ownership": "leased" if leased else "owned",
        "brand": rng.choice(BRANDS),
        "manufacture_year": rng.randrange(2008, 2026),
        "badge_type": rng.choice(BADGE_TYPES),
    }
    if leased:
        item["contract_no"] = f"{rng.randrange(1, 999)}/{rng.randrange(2020, 2026)}/HĐTX"
    return item


def load(conn, args, catalogue, rng: random.Random):
    from psycopg.copy import QueuedLibpqWriter  # a thread sends while this one generates

    now = datetime.now(ICT).replace(microsecond=0)
    tables = ["accounts_user", "dossiers_dossier", "dossiers_dossierevent"]
    timings = {}
    t0 = time.monotonic()
    with conn.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # Foreign keys are not checked row by row (ids come from the rows written here and from
        # the catalogue just read); this also skips the append-only trigger, which only fires
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
        users, lines = make_applicants(rng, args.applicants, taken, first_user, now)
        with cur.copy(
            f"COPY accounts_user ({USER_COLUMNS}) FROM STDIN", writer=QueuedLibpqWriter(cur)
        ) as copy:
            copy.write("".join(lines))
        del lines
        timings["applicants"] = time.monotonic() - t0

        # Dossiers.
        t1 = time.monotonic()
        cur.execute("SELECT agency_id, day, last_value FROM dossiers_dossiercodesequence")
        counters = {(a, d.toordinal()): v for a, d, v in cur.fetchall()}
        first_dossier = next_id(cur, "dossiers_dossier")
        times = submission_times(rng, args.count, args.days, now)
        proc_index = rng.choices(range(len(catalogue)), k=args.count)
        user_index = [rng.randrange(len(users)) for _ in range(args.count)]
        status_arr = array("b")
        updated_arr = array("q")
        now_ts = int(now.timestamp())
        status_mix = [
            (limit, list(mix), list(itertools.accumulate(mix.values())))
            for limit, mix in STATUS_MIX
        ]
        delivery_weights = {
            d: list(itertools.accumulate(DELIVERY_WEIGHTS[x] for x in d))
            for d in {tuple(c[5]) for c in catalogue}
        }
        day_cache: dict[int, tuple[int, str]] = {}
        pairs_every = max(1, args.count // max(1, args.track_sample))
        pairs = []
        buf = []
        with cur.copy(
            f"COPY dossiers_dossier ({DOSSIER_COLUMNS}) FROM STDIN", writer=QueuedLibpqWriter(cur)
        ) as copy:
            for i in range(args.count):
                ts = times[i]
                day_key = (ts + 7 * 3600) // 86400  # local (ICT) day number
                cached = day_cache.get(day_key)
                if cached is None:
                    local_day = datetime.fromtimestamp(ts, ICT).date()
                    cached = day_cache[day_key] = (local_day.toordinal(), f"{local_day:%y%m%d}")
                ordinal, yymmdd = cached
                pid, agency_id, identifier, _agency_name, proc_days, deliveries = catalogue[
                    proc_index[i]
                ]
                key = (agency_id, ordinal)
                number = counters.get(key, 0) + 1
                counters[key] = number
                code = f"{identifier}-{yymmdd}-{number:04d}"

                age_days = (now_ts - ts) / 86400
                statuses, cum_weights = next(
                    (s, w) for limit, s, w in status_mix if age_days < limit
                )
                status = rng.choices(statuses, cum_weights=cum_weights)[0]
                if status == 1:
                    updated = ts
                else:
                    spread = min(age_days * 86400, 86400 * (12 if status >= 9 else 4))
                    updated = ts + 300 + int(rng.random() * spread)
                updated = min(updated, now_ts - 1)
                status_arr.append(status)
                updated_arr.append(updated)

                user = users[user_index[i]]
                _uid, name, phone, citizen_id, email, address, applicant_json, fleet = user
                # 1-3 vehicles of the applicant's fleet (60 % / 28 % / 12 %).
                draw = rng.random()
                k = min(len(fleet), 1 if draw < 0.6 else (2 if draw < 0.88 else 3))
                first = rng.randrange(len(fleet) - k + 1)
                form_json = (
                    f'{{"applicant": {applicant_json}, '
                    f'"vehicles": [{", ".join(fleet[first : first + k])}]}}'
                )
                delivery = rng.choices(deliveries, cum_weights=delivery_weights[deliveries])[0]
                postal = copy_text(address) if delivery == "post" else ""
                draw = rng.random()
                channel = "online" if draw < 0.9 else ("counter" if draw < 0.98 else "post")
                submitted = datetime.fromtimestamp(ts, ICT)
                created = (submitted - timedelta(seconds=300 + rng.randrange(3 * 86400))).isoformat(
                    " "
                )
                due = (
                    "\\N"
                    if status in (1, 3)
                    else (submitted + timedelta(days=proc_days + 2)).isoformat(" ")
                )
                buf.append(
                    f"{first_dossier + i}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t"
                    f"{status}\t{code}\t{channel}\t{form_json}\t{PREFILL_SOURCES}\t{delivery}\t"
                    f"{postal}\t{name}\t{phone}\t{citizen_id}\t{email}\t{created}\t"
                    f"{datetime.fromtimestamp(updated, ICT).isoformat(' ')}\t"
                    f"{submitted.isoformat(' ')}\t{due}\t{user[0]}\t{pid}\t{agency_id}\n"
                )
                if i % pairs_every == 0:
                    pairs.append(f"{code}\t{phone}\n")
                if len(buf) >= COPY_BATCH:
                    copy.write("".join(buf))
                    buf.clear()
            if buf:
                copy.write("".join(buf))
                buf.clear()
        timings["dossiers"] = time.monotonic() - t1

        # Events: "submitted", then one to the current status.
        t2 = time.monotonic()
        first_event = next_id(cur, "dossiers_dossierevent")
        event_id = first_event
        units = [copy_text(c[3]) for c in catalogue]
        with cur.copy(
            f"COPY dossiers_dossierevent ({EVENT_COLUMNS}) FROM STDIN",
            writer=QueuedLibpqWriter(cur),
        ) as copy:
            for i in range(args.count):
                dossier_id = first_dossier + i
                unit = units[proc_index[i]]
                submitted = datetime.fromtimestamp(times[i], ICT).isoformat(" ")
                buf.append(
                    f"{event_id}\t{submitted}\tsubmitted\t0\t1\tNộp hồ sơ trực tuyến\t{unit}\tt\t"
                    f"{users[user_index[i]][0]}\t{dossier_id}\n"
                )
                event_id += 1
                status = status_arr[i]
                if status != 1:
                    action, from_status, note = EVENT[status]
                    at = datetime.fromtimestamp(updated_arr[i], ICT).isoformat(" ")
                    buf.append(
                        f"{event_id}\t{at}\t{action}\t{from_status}\t{status}\t{note}\t{unit}\tt\t"
                        f"\\N\t{dossier_id}\n"
                    )
                    event_id += 1
                if len(buf) >= COPY_BATCH:
                    copy.write("".join(buf))
                    buf.clear()
            if buf:
                copy.write("".join(buf))
        events = event_id - first_event
        timings["events"] = time.monotonic() - t2

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
            set_sequence(cur, table)
        cur.execute("SET LOCAL session_replication_role = origin")
        for _name, definition in dropped:
            cur.execute(definition)
        timings["indexes+sequences"] = time.monotonic() - t3
    conn.commit()

    t4 = time.monotonic()
    conn.autocommit = True
    with conn.cursor() as cur:
        for table in [*tables, "dossiers_dossiercodesequence"]:
            cur.execute(f"VACUUM (ANALYZE) {table}")
    conn.autocommit = False
    timings["vacuum analyze"] = time.monotonic() - t4

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "track_pairs.txt").write_text("".join(pairs), encoding="utf-8")
    return {
        "applicants": len(users),
        "dossiers": args.count,
        "events": events,
        "code_sequences": len(counters),
        "timings": timings,
        "dropped_indexes": [name for name, _ in dropped],
        "pairs": len(pairs),
    }


def main():
    args = parse_args()
    setup_django()
    import psycopg

    catalogue = ensure_catalogue()
    print(
        f"{len(catalogue)} online procedure(s), {len({c[1] for c in catalogue})} receiving "
        f"agencies: {', '.join(sorted({c[2] for c in catalogue}))}"
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
        stats = load(conn, args, catalogue, rng)
    elapsed = time.monotonic() - reset_done
    rows = stats["applicants"] + stats["dossiers"] + stats["events"] + stats["code_sequences"]
    print(
        f"loaded {stats['dossiers']:,} dossiers, {stats['events']:,} events, "
        f"{stats['applicants']:,} applicants, {stats['code_sequences']:,} code counters"
    )
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
    summary = {
        "at": datetime.now(UTC).isoformat(),
        "database": os.environ["DATABASE_URL"].rsplit("/", 1)[-1],
        "seconds": round(elapsed, 1),
        "dossiers_per_s": round(stats["dossiers"] / elapsed),
        "rows_per_s": round(rows / elapsed),
        **{k: v for k, v in stats.items() if k != "dropped_indexes"},
    }
    (RESULTS / "load_dossiers.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
