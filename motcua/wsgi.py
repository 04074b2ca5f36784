import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()

# Import what the URL conf imports (every view, WeasyPrint and its fonts) and build the
# resolver's tables now, not in each worker's first request: that request took 1.2-1.6 s.
from django.urls import get_resolver  # noqa: E402

get_resolver().reverse_dict  # noqa: B018 - populates the resolver

# What start-up loaded (Django, the apps, the URL conf) lives as long as the process: freeze
# it out of the garbage collector's way, and collect the young generation less often. Full
# collections over it were the officer pages' p99 outliers (docs/benchmarks.md).
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 50, 100)
