import runpy

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from motcua.core.audit import record_audit
from motcua.core.models import AuditEntry
from motcua.core.text import fold, search_terms
from motcua.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Cấp phù hiệu", "cap phu hieu"),
        ("CẤP PHÙ HIỆU", "cap phu hieu"),
        ("Đường thủy nội địa", "duong thuy noi dia"),
        ("  Tàu   biển ", "tau bien"),
        ("Ắ Ằ Ẳ Ẵ Ặ ơ ư Ữ", "a a a a a o u u"),
    ],
)
def test_fold_removes_vietnamese_accents(text, folded):
    assert fold(text) == folded


def test_search_terms_are_folded_words():
    assert search_terms("Cấp  PHÙ hiệu") == ["cap", "phu", "hieu"]
    assert search_terms("   ") == []


# On SQLite motcua_fold is `fold` itself (core.apps): the comparison only means something on
# PostgreSQL, where it is unaccent() in SQL.
@pytest.mark.django_db
@pytest.mark.postgres_only
@pytest.mark.parametrize("text", ["Cấp phù hiệu xe ô tô", "ĐĂNG KÝ TÀU BIỂN", "Đường bộ ỵ ỹ ữ"])
def test_database_fold_matches_python_fold(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT motcua_fold(%s)", [text])
        assert cursor.fetchone()[0] == fold(text)


def test_env_readers_are_strict(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_BOOL", "true")
    assert env_bool("X_BOOL", False) is True
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1, minimum=1)
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured):
        env_str("X_REQUIRED")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST", []) == ["a", "b", "c"]


@pytest.mark.django_db
def test_pages_carry_security_headers(client):
    response = client.get(reverse("catalogue:home"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_pages_are_vietnamese_by_default_and_english_on_request(client):
    html = client.get(reverse("catalogue:home")).content.decode()
    assert '<html lang="vi">' in html and "Dịch vụ công trực tuyến" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("catalogue:home")).content.decode()
    assert '<html lang="en">' in html and "Online public services" in html


@pytest.mark.django_db
def test_cached_page_chrome_follows_the_language_and_the_visitor(client, citizen):
    home = reverse("catalogue:home")
    html = client.get(home).content.decode()
    assert ">Đăng nhập</a>" in html and ">Tra cứu hồ sơ</a>" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(home).content.decode()
    assert ">Sign in</a>" in html and ">Đăng nhập</a>" not in html
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    client.force_login(citizen)
    html = client.get(home).content.decode()
    assert ">Tra cứu hồ sơ</a>" in html and ">Đăng nhập</a>" not in html
    assert citizen.display_name in html and "Đăng xuất" in html


@pytest.mark.django_db
def test_audit_trail_is_append_only(citizen):
    entry = record_audit(action="login", actor=citizen, target="x")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_database_refuses_to_rewrite_the_audit_trail(citizen):
    from django.db import DatabaseError, transaction

    entry = record_audit(action="login", actor=citizen)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entry.pk])


def append_only_tables() -> set[str]:
    """Every table of a model built on AppendOnlyModel: a new one must come with its trigger."""
    from django.apps import apps

    from motcua.core.models import AppendOnlyModel

    return {m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel)}


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_every_append_only_table_has_its_trigger():
    # The models refuse changes in Python on both databases; PostgreSQL also refuses them in
    # SQL (migrations with append_only_trigger), for whoever bypasses the ORM.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_append_only' AND t.tgenabled = 'O'"
        )
        assert {row[0] for row in cursor.fetchall()} == append_only_tables()


def test_file_mail_backend_writes_where_email_file_path_says(monkeypatch, tmp_path):
    """Staging and bench/faults.py count the e-mails sent as files in EMAIL_FILE_PATH."""
    monkeypatch.setenv("EMAIL_FILE_PATH", str(tmp_path))
    configured = runpy.run_path(str(settings.BASE_DIR / "motcua" / "settings.py"))
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=configured["EMAIL_FILE_PATH"],
    ):
        send_mail("Đã nhận hồ sơ", "Mã hồ sơ: 000.00.18.H56-261207-0001", None, ["a@b.invalid"])
    written = [path.read_text() for path in tmp_path.glob("*.log")]
    assert len(written) == 1
    assert "Mã hồ sơ: 000.00.18.H56-261207-0001" in written[0]
