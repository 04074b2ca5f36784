"""The applicant's proactive services page: what falls due, reminders, prepared dossiers,
and the switch to refuse them (issue 17). Helper A builds it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render


@login_required
def overview(request):
    return render(request, "proactive/overview.html", {})


@login_required
def choice(request):
    raise Http404
