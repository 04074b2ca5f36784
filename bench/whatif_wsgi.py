"""WSGI entry point for `bench/back_office.py --what-if`: the application with the selector
changes of bench/whatif_patches.py applied, to measure what they would give. Benchmark only.
"""

from motcua.wsgi import application  # noqa: F401 - sets Django up before the patches

# isort: split
import whatif_patches

whatif_patches.install()
