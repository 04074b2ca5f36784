"""Request bodies are capped before they are read (decision 0028)."""

import io

import pytest
from django.urls import reverse

from motcua.core import ratelimit
from motcua.factories import PDF_BYTES
from motcua.results.views import UPLOAD_SCOPE

pytestmark = pytest.mark.django_db

BOUNDARY = "BoUnDaRy"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


class Counted(io.RawIOBase):
    """A multipart body with one file of `size` bytes, made as it is read; counts what was read."""

    def __init__(self, size: int, field="file", name="ket-qua.pdf"):
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        self.parts = [head, PDF_BYTES, b"0" * (size - len(PDF_BYTES)), f"\r\n--{BOUNDARY}--\r\n"]
        self.data = io.BytesIO(
            b"".join(p if isinstance(p, bytes) else p.encode() for p in self.parts)
        )
        self.length = len(self.data.getvalue())
        self.read_bytes = 0

    def read(self, size=-1):
        chunk = self.data.read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = self.data.readline(size)
        self.read_bytes += len(line)
        return line


def post(client, path, body, length: int):
    return client.generic(
        "POST",
        path,
        b"",
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
    )


def test_a_gibibyte_to_the_verification_is_refused_from_its_length_unread(client):
    response = post(client, reverse("results:verify_upload"), Unreadable(), 1024**3)
    html = response.content.decode()
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in html and "lớn hơn giới hạn 10,0" in html


def test_the_refusal_leads_back_to_the_form_it_came_from(client):
    page = "http://testserver/dossiers/"
    response = post(client, reverse("results:verify_upload"), Unreadable(), 1024**3)
    html = response.content.decode()
    assert "Về trang chủ" in html and "Quay lại trang trước" not in html  # no page known
    response = client.generic(
        "POST",
        reverse("results:verify_upload"),
        b"",
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH=str(1024**3),
        HTTP_REFERER=page,
        **{"wsgi.input": Unreadable()},
    )
    assert f'<a href="{page}">Quay lại trang trước</a>' in response.content.decode()
    response = client.generic(
        "POST",
        reverse("results:verify_upload"),
        b"",
        CONTENT_TYPE=MULTIPART,
        CONTENT_LENGTH=str(1024**3),
        HTTP_REFERER="https://evil.example/",
        **{"wsgi.input": Unreadable()},
    )
    assert "evil.example" not in response.content.decode()


def test_any_page_refuses_a_body_over_the_small_default_unread(client, settings):
    response = post(client, reverse("accounts:login"), Unreadable(), settings.REQUEST_MAX_BYTES + 1)
    assert response.status_code == 413


def test_the_refusal_is_in_english_for_english_readers(client):
    client.cookies["django_language"] = "en"
    response = post(client, reverse("results:verify_upload"), Unreadable(), 1024**3)
    assert response.status_code == 413 and "larger than the limit" in response.content.decode()


def test_a_rate_limited_address_is_refused_before_its_body_is_read(client, settings):
    settings.VERIFY_UPLOADS_PER_HOUR = 2
    ratelimit.hit(UPLOAD_SCOPE, "127.0.0.1", window=3600, delta=2)
    response = post(client, reverse("results:verify_upload"), Unreadable(), 1000)
    assert response.status_code == 429
    assert "Quá nhiều lượt kiểm tra" in response.content.decode()


def test_every_try_counts_against_the_quota_even_one_refused_for_its_size(client, settings):
    settings.VERIFY_UPLOADS_PER_HOUR = 2
    for _ in range(2):
        assert (
            post(client, reverse("results:verify_upload"), Unreadable(), 1024**3).status_code == 413
        )
    assert post(client, reverse("results:verify_upload"), Unreadable(), 1000).status_code == 429


def test_a_file_over_its_limit_stops_being_read_at_the_limit(client, settings, tmp_path):
    # The declared length is within the body limit; the one file is not within its own.
    settings.VERIFY_UPLOAD_MAX_BYTES = 256 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.REQUEST_MAX_BYTES = 8 * 1024 * 1024
    body = Counted(4 * 1024 * 1024)
    response = post(client, reverse("results:verify_upload"), body, body.length)
    assert response.status_code == 413
    assert "lớn hơn giới hạn 256,0" in response.content.decode()
    # one chunk (64 KiB) past the limit at most, and no temporary file left behind
    assert body.read_bytes < 256 * 1024 + 2 * 64 * 1024
    assert list(tmp_path.iterdir()) == []


def test_files_together_over_the_attachment_limit_stop_at_it(client, settings, citizen, procedure):
    from motcua.dossiers import services

    settings.UPLOAD_MAX_BYTES = 256 * 1024
    settings.UPLOAD_REQUEST_MAX_BYTES = 256 * 1024
    client.force_login(citizen)
    dossier = services.dossier_start(procedure=procedure, applicant=citizen)
    body = Counted(1024 * 1024, field="files")
    response = post(client, reverse("dossiers:attachments", args=[dossier.uuid]), body, body.length)
    assert response.status_code == 413
    assert body.read_bytes < 256 * 1024 + 2 * 64 * 1024
    assert not dossier.attachments.exists()


def test_a_chunked_body_of_unknown_length_is_not_read_past_the_limit(client, settings, tmp_path):
    """Without Content-Length (chunked), Django's WSGI request reads no body at all; if that
    changed, the upload handler's limit would stop it. Either way: no temporary file."""
    settings.VERIFY_UPLOAD_MAX_BYTES = 256 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = Counted(4 * 1024 * 1024)
    response = client.generic(
        "POST",
        reverse("results:verify_upload"),
        b"",
        CONTENT_TYPE=MULTIPART,
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": body},
    )
    assert response.status_code in (400, 413)
    assert body.read_bytes < 256 * 1024 + 2 * 64 * 1024
    assert list(tmp_path.iterdir()) == []


def test_uploads_within_the_limits_still_work(client):
    response = client.post(
        reverse("results:verify_upload"),
        {"file": io.BytesIO(PDF_BYTES)},
    )
    assert response.status_code == 200 and "Tệp không có chữ ký số" in response.content.decode()


def test_form_fields_over_their_limit_get_the_same_page_not_a_bare_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = "note=" + "a" * (128 * 1024)
    response = client.post(
        reverse("accounts:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "lớn hơn giới hạn 64,0" in response.content.decode()
