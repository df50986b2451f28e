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
