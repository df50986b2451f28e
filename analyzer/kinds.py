"""The few names every stage and every command line uses: ecosystems, verdicts, severities.

Apart from `models` so that a command's parser can name them without importing every
typed object of the pipeline (and the protocol behind them) at each start.
"""

from __future__ import annotations

import enum


class Ecosystem(enum.StrEnum):
    PYPI = "pypi"
    NPM = "npm"

    @property
    def osv_name(self) -> str:
        """The ecosystem name as OSV spells it."""
        return {"pypi": "PyPI", "npm": "npm"}[self.value]


class Verdict(enum.StrEnum):
    MALICIOUS = "malicious"
    SUSPICIOUS = "suspicious"
    BENIGN = "benign"
    ERROR = "error"


# The verdicts a person reviews: reports, the index's flag, the status summary.
FLAGGED = frozenset({Verdict.MALICIOUS, Verdict.SUSPICIOUS})


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
