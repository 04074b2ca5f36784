"""ETags on reads: a client that sends If-None-Match with the tag it holds gets 304."""

import hashlib

from rest_framework.response import Response


def etag_of(*parts) -> str:
    raw = "|".join(str(p) for p in parts)
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def not_modified(request, etag: str) -> Response | None:
    """304 when the client's If-None-Match names `etag` (or *), else None."""
    wanted = request.headers.get("If-None-Match", "")
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",") if t.strip()}
    if etag in tags or "*" in tags:
        return Response(status=304, headers={"ETag": etag})
    return None


def tagged(response: Response, etag: str) -> Response:
    response["ETag"] = etag
    return response
