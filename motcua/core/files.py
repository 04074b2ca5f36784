"""Stored files sent back to the people who may read them."""

from django.http import FileResponse


def stored_file(file, *, content_type: str, filename: str, inline: bool = False) -> FileResponse:
    """`file` (a FieldFile) as a response: a download unless `inline`, with the type we checked
    at upload and never one the browser guesses (nosniff)."""
    response = FileResponse(
        file.open("rb"), content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
