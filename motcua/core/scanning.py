"""Virus scanning of uploads behind a registry (quét mã độc); off unless VIRUS_SCANNER is set."""

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

from motcua.core.registry import Registry


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


class ScannerUnavailable(Exception):
    """The scanner could not be reached; the upload is refused rather than stored unscanned."""


class VirusScanner:
    """Base of scanner plugins: `scan(fileobj)` reads the whole file and says whether it is clean."""

    id = ""

    def scan(self, fileobj) -> ScanResult:
        raise NotImplementedError


scanners = Registry("Virus scanner")
register = scanners.register


@register("clamav")
class ClamdScanner(VirusScanner):
    """Talks to clamd over TCP with the INSTREAM command (chunks prefixed by 4-byte lengths)."""

    chunk_size = 64 * 1024

    def __init__(self, host: str | None = None, port: int | None = None, timeout: float = 30):
        self.host = host or settings.CLAMD_HOST
        self.port = port or settings.CLAMD_PORT
        self.timeout = timeout

    def scan(self, fileobj) -> ScanResult:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                sock.sendall(b"zINSTREAM\0")
                fileobj.seek(0)
                while chunk := fileobj.read(self.chunk_size):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    data = sock.recv(4096)
                    if not data:
                        break
                    reply += data
        except OSError as exc:
            raise ScannerUnavailable(str(exc)) from exc
        finally:
            fileobj.seek(0)
        text = reply.rstrip(b"\0").decode(errors="replace")
        # "stream: OK" or "stream: Eicar-Signature FOUND" or "... ERROR"
        if text.endswith("OK"):
            return ScanResult(clean=True)
        if text.endswith("FOUND"):
            return ScanResult(
                clean=False, signature=text.split(":", 1)[-1].rsplit(" ", 1)[0].strip()
            )
        raise ScannerUnavailable(text or "empty reply")


def configured_scanner() -> VirusScanner | None:
    if settings.VIRUS_SCANNER == "off":
        return None
    return scanners[settings.VIRUS_SCANNER]
