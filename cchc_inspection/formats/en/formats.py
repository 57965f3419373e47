# English UI: dates stay day-first (dd/mm/yyyy) as the users expect; numbers use English separators.
from cchc_inspection.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
