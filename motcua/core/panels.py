"""Places on a lower app's page where a higher app shows a part of its own: a slot registry.

A page low on the staircase (the applicant's dossier page in `dossiers`, the officer's in
`workflow`, a procedure's page in `catalogue`) cannot import the apps above it, yet some of
what they keep belongs on that page: the rating form of `feedback`, the failed deliveries of
`notifications`, the questions and answers of a procedure. The page names a slot

    {% panels "applicant_dossier" dossier %}

and each higher app registers a function for it in its AppConfig.ready():

    @panels.register("applicant_dossier", order=30)
    def rating_panel(request, dossier) -> str: ...   # safe HTML, or "" to show nothing

Panels are shown in `order`, each rendering its own template with render_to_string(...,
request=request), reading what it needs with one or two queries.

Slots in use (keep this list up to date):
- "applicant_dossier": the applicant's dossier page (dossiers/detail.html), obj = Dossier
- "officer_dossier": the officer's dossier page (workflow/dossier.html), obj = Dossier
- "procedure": a procedure's public page (catalogue/procedure_detail.html), obj = Procedure
- "applicant_review": "check your answers" before submitting (dossiers/review.html), obj =
  Dossier (a draft)
- "applicant_draft": the pages of a draft (dossiers/task_list.html, section.html,
  attachments.html), obj = Dossier (a draft): the prepared dossier's banner (proactive)
- "applicant_component": one component on a draft's attachments page
  (dossiers/attachments.html), obj = dossiers.views.ComponentRow (dossier, component, files,
  errors, required)
- "officer_nav": the officer workspace's navigation (workflow/base.html), obj = the page's
  `workspace` dict; each panel returns `<li class="nav-item">` links
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.html import format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    slot: str
    order: int
    render: Callable


class Panels:
    def __init__(self):
        self._slots: dict[str, list[Panel]] = {}

    def register(self, slot: str, *, order: int = 50):
        def decorator(render):
            panels = self._slots.setdefault(slot, [])
            if any(p.render is render for p in panels):
                raise ImproperlyConfigured(
                    f"{render.__qualname__} is registered twice in {slot!r}."
                )
            panels.append(Panel(slot, order, render))
            panels.sort(key=lambda p: p.order)
            return render

        return decorator

    def render(self, slot: str, request, obj) -> SafeString:
        parts = [p.render(request, obj) for p in self._slots.get(slot, [])]
        # A panel returns safe HTML (a rendered template); anything else is escaped.
        return format_html_join("", "{}", ((part,) for part in parts if part))


panels = Panels()
