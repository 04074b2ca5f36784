"""What proactive shows on the pages of the apps below it (motcua.core.panels): the prepared
dossier's banner on the draft's pages and on "check your answers", and the line on the
officer's dossier page saying the dossier was started proactively (decision 0085)."""

from datetime import datetime

from django.template.loader import render_to_string

from motcua.core.panels import panels
from motcua.dossiers.expiry import draft_expires_at
from motcua.proactive import recommend

# The draft's own home page (its task list) shows the whole banner (as "check your answers"
# does, through its own slot); the form's sections and the attachments a line linking to it.
FULL_ON = {"detail"}


def _when(text: str):
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def banner_context(dossier) -> dict:
    """What the banner shows; the recommendation's sentences are made here, from the
    figures kept with the draft, in the language of the page."""
    proactive = dossier.proactive or {}
    alternatives = [
        {**a, "reasons": recommend.reasons_text(a)} for a in proactive.get("alternatives") or []
    ]
    by_code = {a.get("code"): a for a in alternatives}
    current = dossier.procedure.code
    others = [a for a in alternatives if a.get("code") != current]
    # Choosing another procedure prepares the draft again: say what would not go with it.
    uploads = dossier.attachments.filter(reused_result_id__isnull=True).count() if others else 0
    edited = dossier.prepared_at is not None and not dossier.is_untouched_prepared
    return {
        "dossier": dossier,
        "p": proactive,
        "expires_at": draft_expires_at(dossier),
        "recommended": by_code.get(proactive.get("recommended")),
        "why": recommend.why_text(proactive),
        "chose_other": bool(alternatives) and proactive.get("recommended") != current,
        "others": others,
        "switch_loses": bool(others) and (uploads > 0 or edited),
        "uploads": uploads,
    }


def _banner(request, dossier, *, full: bool) -> str:
    if not dossier.is_draft or dossier.prepared_at is None:
        return ""
    context = banner_context(dossier)
    context["full"] = full
    return render_to_string("proactive/_prepared_banner.html", context, request=request)


@panels.register("applicant_draft", order=5)
def prepared_banner(request, dossier) -> str:
    match = getattr(request, "resolver_match", None)
    return _banner(request, dossier, full=bool(match and match.url_name in FULL_ON))


@panels.register("applicant_review", order=5)
def prepared_banner_on_review(request, dossier) -> str:
    return _banner(request, dossier, full=True)


@panels.register("officer_dossier", order=5)
def started_proactively(request, dossier) -> str:
    """ "Khởi tạo chủ động — mức độ N ..." for the desk."""
    if not dossier.proactive_level:
        return ""
    proactive = dossier.proactive or {}
    return render_to_string(
        "proactive/_officer_line.html",
        {
            "dossier": dossier,
            "p": proactive,
            "confirmed_at": _when(proactive.get("confirmed_at", "")),
        },
        request=request,
    )
