"""A link from a procedure's public page to its figures on the public statistics page."""

from django.template.loader import render_to_string

from motcua.core.panels import panels


@panels.register("procedure", order=90)
def statistics_link(request, procedure) -> str:
    return render_to_string(
        "reports/_procedure_statistics_link.html", {"procedure": procedure}, request=request
    )
