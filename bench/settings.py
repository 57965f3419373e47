"""Settings used only by the benchmarks (bench/run, bench/load.py): the project's settings, plus the
floor view's URL (bench/urls.py) and a static folder of the benchmark's own.

Everything else — DEBUG, the database, the secure-cookie switches — comes from the environment that
bench/http.py's server_env() sets, exactly as in production.
"""

import os
from pathlib import Path

from cchc_inspection.settings import *  # noqa: F403
from cchc_inspection.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
# collectstatic writes here so that the benchmark never touches the project's own staticfiles/.
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "bench" / ".staticfiles")))
