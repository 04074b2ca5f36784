"""The applicant's proactive services page: what falls due, reminders, prepared dossiers,
and the switch to refuse them (issue 17)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def overview(request):
    return render(request, "proactive/overview.html", {})
