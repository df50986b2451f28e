"""The one HTTP client of the project, for the feeds and the fetchers."""

from analyzer.httpclient.bounds import MIB, LimitExceeded, Stopped, TooLarge
from analyzer.httpclient.client import (
    FETCH_POLICY,
    Download,
    HttpClient,
    Malformed,
    NotFound,
    RefusedHost,
    RetryPolicy,
)

__all__ = ["FETCH_POLICY", "MIB", "Download", "HttpClient", "LimitExceeded", "Malformed",
           "NotFound", "RefusedHost", "RetryPolicy", "Stopped", "TooLarge"]
