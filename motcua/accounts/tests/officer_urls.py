"""The site's URLs plus one officer-only page, for the tests of officer_required."""

from django.http import HttpResponse
from django.urls import path

from motcua.accounts.decorators import officer_required
from motcua.urls import urlpatterns as site_urlpatterns


@officer_required
def officer_home(request):
    return HttpResponse("Trang cán bộ")


urlpatterns = [path("officer/", officer_home), *site_urlpatterns]
