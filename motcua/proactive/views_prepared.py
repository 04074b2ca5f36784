"""A reminder's link and the prepared dossier's own actions (issue 17). Helper B builds it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def follow(request, reminder):
    raise Http404


@login_required
def discard(request, dossier):
    raise Http404


@login_required
def switch(request, dossier):
    raise Http404
