"""Default endpoints, names and limits, in one light module the CLI's parsers can import.

The stage modules take their defaults from here too, so a value is written once; this
module imports nothing of the project, so `pkgsandbox --help` stays fast.
"""

from __future__ import annotations

PYPI_URL = "https://pypi.org"
NPM_REGISTRY_URL = "https://registry.npmjs.org"
NPM_CHANGES_URL = "https://replicate.npmjs.com/registry"
DB_ENV_VAR = "PKGSANDBOX_DB"
DEFAULT_DB_URL = "sqlite:///reports/pkgsandbox.db"
FEED_NAMES = ("pypi", "npm")
BACKEND_NAMES = ("local", "celery")
START_CHOICES = ("now", "beginning")
SANDBOX_MEMORY_MB = 2048  # also bounds disk: gVisor keeps the rootfs overlay in memory
# Seconds each phase may take; what they add up to is the sandbox's own budget.
PHASE_TIMEOUTS_S = (("install", 300.0), ("import", 60.0), ("execute", 60.0), ("persona", 60.0))
DEPENDENCY_BUDGET_S = 60.0  # every dependency download of one package together
DEPENDENCY_CACHE_MB = 2048  # this host's shared cache of dependency wheels; 0: none
JOB_TIMEOUT_S = 900.0  # one queued analysis: fetch, dependencies, the phases, scoring
