"""The production analyser: the gVisor `Analyzer`, built inside each worker process."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.fetch.interface import RegistryUrls
from analyzer.scheduler.interface import Analyse


@dataclass(frozen=True)
class SandboxAnalyser:
    """A picklable factory of `Analyzer(...).analyze`, for `AnalyserFactory`."""

    urls: RegistryUrls

    def __call__(self) -> Analyse:
        # Imported here: the Docker SDK and the sandbox stack load only in workers.
        from analyzer.analysis import Analyzer

        return Analyzer(urls=self.urls).analyze
