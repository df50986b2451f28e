"""Fast iteration, caching and retry helpers."""
import functools
import time

from ._vendor import six_compat as _six  # noqa: F401  (py2/py3 shims kept for old callers)

__version__ = "2.1.0"


def chunked(items, size: int = 100):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def retry(times: int = 3, delay: float = 0.1):
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            for attempt in range(times):
                try:
                    return fn(*args, **kwargs)
                except Exception:
                    if attempt == times - 1:
                        raise
                    time.sleep(delay)
        return inner
    return wrap
