"""The one error hierarchy: every failure a person should read is an `Error`."""

from __future__ import annotations


class Error(Exception):
    """Base class: `str(error)` is one line a person can act on."""

    def diagnostics(self) -> str:
        """One line for the terminal, without a traceback."""
        text = " ".join(str(self).split())
        return text or type(self).__name__


class UsageError(Error):
    """The command line or a target string is wrong."""


class RegistryError(Error):
    """A registry could not be read: down, refusing, too slow, too large or malformed."""


class FetchError(Error):
    """A package could not be fetched, or its archive is unsafe or malformed."""


class UnsafeArchiveError(FetchError):
    """An archive tries path traversal, links out, device files, or is a bomb."""


class SandboxError(Error):
    """The Docker daemon, the gVisor runtime or the sandbox images are not usable."""


class TraceError(Error):
    """A trace could not be read at all (single unparsable lines are counted, not raised)."""


class RuleError(Error):
    """The rule set is invalid."""


class FeedError(Error):
    """A registry feed failed."""
