from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from motcua.accounts import views as accounts_views

urlpatterns = [
    path("", include("motcua.core.urls")),
    path("", include("motcua.catalogue.urls")),
    path("accounts/", include("motcua.accounts.urls")),
    path("officer/api-clients/", include("motcua.api.urls_officer")),
    path("officer/national-portal/", include("motcua.nationalportal.urls")),
    path("officer/", include("motcua.workflow.urls")),
    path("", include("motcua.dossiers.urls")),
    path("", include("motcua.workflow.applicant_urls")),
    path("", include("motcua.documents.urls")),
    path("", include("motcua.payments.urls")),
    path("", include("motcua.results.urls")),
    path("", include("motcua.delivery.urls")),
    path("", include("motcua.feedback.urls")),
    path("", include("motcua.reports.urls")),
    path("proactive/", include("motcua.proactive.urls")),
    path("notifications/sms/", include("motcua.notifications.contrib.sms.urls")),
    # The language switch also remembers the choice on the account (notifications use it).
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("notifications/", include("motcua.notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("motcua.api.urls")),
]

if settings.SANDBOX_ENABLED:
    urlpatterns += [
        path("sandbox/vnpay/", include("motcua.payments.contrib.sandbox.urls")),
        path("sandbox/post/", include("motcua.delivery.contrib.sandbox.urls")),
        path("sandbox/sms/", include("motcua.notifications.contrib.sms_sandbox.urls")),
        # The state's systems (issue 16, decision 0073).
        path("sandbox/vneid/", include("motcua.accounts.contrib.vneid_sandbox.urls")),
        path("sandbox/registers/", include("motcua.registers.contrib.sandbox.urls")),
        path("sandbox/dvcqg/", include("motcua.nationalportal.contrib.sandbox.urls")),
        path("sandbox/paygov/", include("motcua.payments.contrib.paygov_sandbox.urls")),
    ]

if settings.BENCH_ENDPOINTS:
    urlpatterns.append(path("bench/", include("motcua.core.bench_urls")))

# Last: the Vietnamese paths of before decision 19, moved permanently (every other pattern is
# tried first, so they cost nothing to the pages people use now).
urlpatterns.append(path("", include("motcua.old_paths")))
