# English pages keep the Vietnamese formats: dates dd/mm/yyyy, amounts 135.000 ₫.
from motcua.formats.vi.formats import *  # noqa: F403
