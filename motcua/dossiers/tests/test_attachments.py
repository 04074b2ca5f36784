import hashlib
import socket
import struct
import threading

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from motcua.core.scanning import ClamdScanner
from motcua.dossiers import services
from motcua.dossiers.models import Attachment
from motcua.dossiers.tests.helpers import pdf
from motcua.factories import PDF_BYTES, PNG_BYTES


@pytest.fixture
def draft(citizen, procedure):
    return services.dossier_start(procedure=procedure, applicant=citizen)


@pytest.fixture
def component(procedure):
    return procedure.components.get(name="Giấy đề nghị")


def upload(client, dossier, component, *files):
    return client.post(
        reverse("dossiers:attachments", args=[dossier.uuid]),
        {"component": component.pk, "files": list(files)},
    )


def test_pdf_is_stored_under_a_safe_name_with_its_sha256(client, citizen, draft, component):
    client.force_login(citizen)
    response = upload(client, draft, component, pdf("../../etc/Đơn đề nghị.pdf"))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attachment.original_name == "Đơn đề nghị.pdf"
    assert ".." not in attachment.file.name and "Đơn" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")
    assert attachment.content_type == "application/pdf"


def test_several_files_for_one_component(client, citizen, draft, component):
    client.force_login(citizen)
    upload(client, draft, component, pdf("a.pdf"), pdf("b.png", PNG_BYTES))
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]


def test_type_is_checked_by_content_not_by_name(client, citizen, draft, component):
    client.force_login(citizen)
    response = upload(client, draft, component, pdf("virus.pdf", b"MZ\x90\x00 this is an exe"))
    assert response.status_code == 400
    assert "không phải định dạng được chấp nhận" in response.content.decode()
    assert not Attachment.objects.exists()


def _docx_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_office_file_only_where_the_component_allows_it(citizen, draft, component):
    with pytest.raises(ValidationError, match="không phải định dạng được chấp nhận"):
        services.attachment_add(
            dossier=draft,
            component=component,
            upload=pdf("x.docx", _docx_bytes()),
            applicant=citizen,
        )
    component.accepted_types = ["pdf", "office"]
    component.save()
    attachment = services.attachment_add(
        dossier=draft, component=component, upload=pdf("x.docx", _docx_bytes()), applicant=citizen
    )
    assert attachment.file.name.endswith(".docx")


def test_file_over_the_size_limit_is_refused(client, settings, citizen, draft, component):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(citizen)
    response = upload(client, draft, component, pdf("big.pdf", PDF_BYTES + b"0" * 2048))
    # stopped by the upload handler at the limit, before the rest is read (decision 0028)
    assert response.status_code == 413
    assert "Tệp “big.pdf” lớn hơn giới hạn 1,0" in response.content.decode()
    assert not draft.attachments.exists()


def test_empty_file_is_refused(citizen, draft, component):
    with pytest.raises(ValidationError):
        services.attachment_add(
            dossier=draft, component=component, upload=pdf("e.pdf", b""), applicant=citizen
        )


def test_no_more_files_than_the_component_allows(citizen, draft, component):
    component.max_files = 1
    component.save()
    services.attachment_add(dossier=draft, component=component, upload=pdf(), applicant=citizen)
    with pytest.raises(ValidationError):
        services.attachment_add(dossier=draft, component=component, upload=pdf(), applicant=citizen)


def test_other_person_cannot_download_or_delete(client, citizen, other_citizen, draft, component):
    attachment = services.attachment_add(
        dossier=draft, component=component, upload=pdf(), applicant=citizen
    )
    client.force_login(other_citizen)
    url = reverse("dossiers:attachment", args=[draft.uuid, attachment.pk])
    assert client.get(url).status_code == 404
    delete = reverse("dossiers:attachment_delete", args=[draft.uuid, attachment.pk])
    assert client.post(delete).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    client.force_login(citizen)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]


def test_owner_can_delete_an_attachment_of_a_draft(client, citizen, draft, component):
    attachment = services.attachment_add(
        dossier=draft, component=component, upload=pdf(), applicant=citizen
    )
    client.force_login(citizen)
    client.post(reverse("dossiers:attachment_delete", args=[draft.uuid, attachment.pk]))
    assert not Attachment.objects.exists()


class FakeClamd:
    """A clamd that speaks INSTREAM and flags the EICAR marker."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.received = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    size = struct.unpack("!L", self._read(conn, 4))[0]
                    if size == 0:
                        break
                    data += self._read(conn, size)
                self.received.append(data)
                verdict = (
                    b"stream: Eicar-Signature FOUND\0" if b"EICAR" in data else b"stream: OK\0"
                )
                conn.sendall(verdict)

    @staticmethod
    def _read(conn, n):
        buf = b""
        while len(buf) < n:
            buf += conn.recv(n - len(buf))
        return buf


def test_clamav_plugin_speaks_instream():
    clamd = FakeClamd()
    scanner = ClamdScanner(host="127.0.0.1", port=clamd.port)
    assert scanner.scan(pdf()).clean
    infected = scanner.scan(pdf(content=PDF_BYTES + b"EICAR-TEST"))
    assert not infected.clean and infected.signature == "Eicar-Signature"
    assert clamd.received[0] == PDF_BYTES


def test_infected_upload_is_refused_when_clamav_is_on(settings, citizen, draft, component):
    clamd = FakeClamd()
    settings.VIRUS_SCANNER = "clamav"
    settings.CLAMD_PORT = clamd.port
    with pytest.raises(ValidationError, match="mã độc"):
        services.attachment_add(
            dossier=draft,
            component=component,
            upload=pdf(content=PDF_BYTES + b"EICAR"),
            applicant=citizen,
        )
    assert not Attachment.objects.exists()


def test_upload_is_refused_when_clamav_is_unreachable(settings, citizen, draft, component):
    settings.VIRUS_SCANNER = "clamav"
    settings.CLAMD_PORT = 9  # nothing listens there
    with pytest.raises(ValidationError):
        services.attachment_add(dossier=draft, component=component, upload=pdf(), applicant=citizen)
