"""The host's shared wheel cache, with real pip against a local PEP 503 index."""

from __future__ import annotations

import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from analyzer.fetch.interface import DependencyPrep, Target
from analyzer.fetch.pypi import PypiFetcher
from analyzer.fetch.wheel_cache import WheelCache, cacheable, restore_names
from analyzer.fetch.wheelhouse import _pip_download, download_wheels

from .conftest import Builder, FakeRegistry


def _wheel_hits(registry: FakeRegistry) -> list[str]:
    return [hit for hit in registry.hits if hit.endswith(".whl")]


def _publish_pair(registry: FakeRegistry, make_wheel: Builder) -> None:
    registry.add_pypi("leafdep", "2.0", [make_wheel("leafdep", "2.0")])
    registry.add_pypi("tinydep", "1.2", [make_wheel("tinydep", "1.2", requires=("leafdep",))])


WANTED = ["leafdep-2.0-py3-none-any.whl", "tinydep-1.2-py3-none-any.whl"]


def test_a_second_preparation_downloads_nothing(registry: FakeRegistry, make_wheel: Builder,
                                                tmp_path: Path) -> None:
    _publish_pair(registry, make_wheel)
    cache = WheelCache(tmp_path / "cache", 10 * 2**20)
    assert download_wheels(["tinydep"], tmp_path / "one", registry.urls.pypi, cache=cache) == []
    assert len(_wheel_hits(registry)) == 2
    part = cache.for_index(registry.urls.pypi)
    assert sorted(part.names()) == WANTED

    registry.hits.clear()
    assert download_wheels(["tinydep"], tmp_path / "two", registry.urls.pypi, cache=cache) == []
    assert _wheel_hits(registry) == []  # the index was read, no wheel fetched
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == WANTED
    for name in WANTED:
        copy = tmp_path / "two" / name
        assert copy.read_bytes() == (tmp_path / "one" / name).read_bytes()
        assert copy.stat().st_mode & stat.S_IROTH  # the sandbox's user reads it
    assert list((part.root / "views").iterdir()) == []

    # Without the cache, the same preparation downloads again: the count above can fail.
    assert download_wheels(["tinydep"], tmp_path / "three", registry.urls.pypi) == []
    assert len(_wheel_hits(registry)) == 2


def test_the_cache_is_per_index(registry: FakeRegistry, make_wheel: Builder,
                                tmp_path: Path) -> None:
    _publish_pair(registry, make_wheel)
    cache = WheelCache(tmp_path / "cache", 10 * 2**20)
    download_wheels(["tinydep"], tmp_path / "one", registry.urls.pypi, cache=cache)
    assert cache.for_index("https://mirror.example").names() == frozenset()


def test_two_workers_at_once_leave_one_good_copy(registry: FakeRegistry, make_wheel: Builder,
                                                 tmp_path: Path) -> None:
    _publish_pair(registry, make_wheel)
    served = {name: (tmp_path / "built" / name).read_bytes() for name in WANTED}
    cache = WheelCache(tmp_path / "cache", 10 * 2**20)
    start = threading.Barrier(2)

    def worker(index: int) -> list[str]:
        start.wait()
        missing = download_wheels(["tinydep"], tmp_path / f"w{index}", registry.urls.pypi,
                                  cache=cache)
        return [d.name for d in missing]

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(worker, range(2))) == [[], []]
    part = cache.for_index(registry.urls.pypi)
    assert sorted(p.name for p in part.wheels.iterdir()) == WANTED  # no temporary left
    for name, data in served.items():
        assert (part.wheels / name).read_bytes() == data
        assert (tmp_path / "w0" / name).read_bytes() == data
        assert (tmp_path / "w1" / name).read_bytes() == data


def test_eviction_keeps_the_bound_least_recently_used_first(make_wheel: Builder,
                                                             tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    wheels = [make_wheel(f"w{i}", "1.0") for i in range(4)]
    for wheel in wheels:
        (dest / wheel.name).write_bytes(wheel.read_bytes())
    size = wheels[0].stat().st_size
    cache = WheelCache(tmp_path / "cache", 10 * 2**20)
    assert len(cache.keep(dest, frozenset()).added) == 4
    for age, wheel in enumerate(wheels):  # w0 used longest ago
        os.utime(cache.wheels / wheel.name, (1e9 + age, 1e9 + age))
    bounded = WheelCache(cache.root, 2 * size + size // 2)
    bounded.evict()
    assert sorted(bounded.names()) == sorted(w.name for w in wheels[2:])
    assert sum((bounded.wheels / n).stat().st_size for n in bounded.names()) <= bounded.max_bytes


def test_eviction_never_takes_a_wheel_from_a_preparation_underway(
        registry: FakeRegistry, make_wheel: Builder, tmp_path: Path) -> None:
    _publish_pair(registry, make_wheel)
    cache = WheelCache(tmp_path / "cache", 10 * 2**20)
    download_wheels(["tinydep"], tmp_path / "one", registry.urls.pypi, cache=cache)
    part = cache.for_index(registry.urls.pypi)
    with part.view(["tinydep"]) as view:  # a preparation has started
        assert view is not None
        WheelCache(part.root, 0).evict()  # another one's eviction empties the cache
        assert part.names() == frozenset()
        for name in WANTED:
            registry.status[f"/files/{name}"] = 404  # only the view can supply them now
        assert _pip_download(["tinydep"], tmp_path / "two", registry.urls.pypi, 60.0,
                             view) is None
    restore_names(tmp_path / "two")
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == WANTED


def test_a_view_holds_only_what_the_requirements_may_need(make_wheel: Builder,
                                                          tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    for wheel in (make_wheel("top", "1.0", requires=("Mid_Dep>=1",)),
                  make_wheel("mid-dep", "1.0", requires=("leaf ; extra == 'x'",)),
                  make_wheel("leaf", "3.0"), make_wheel("unrelated", "1.0")):
        (dest / wheel.name).write_bytes(wheel.read_bytes())
    cache = WheelCache(tmp_path / "cache", 10 * 2**20)
    cache.keep(dest, frozenset())
    with cache.view(["top[extra]>=1"]) as view:
        assert view is not None
        assert sorted(p.name for p in view.iterdir()) == [
            "leaf-3.0-0cached-py3-none-any.whl", "mid_dep-1.0-0cached-py3-none-any.whl",
            "top-1.0-0cached-py3-none-any.whl"]


@pytest.mark.parametrize("name", [
    "../evil-1.0-py3-none-any.whl", "sub/evil-1.0-py3-none-any.whl", ".evil-1.0-py3-none-any.whl",
    "evil.whl", "evil-1.0-py3-none-any.whl\x00", "..\\evil-1.0-py3-none-any.whl",
    "e" * 250 + "-1.0-py3-none-any.whl"])
def test_hostile_names_are_never_cached(name: str) -> None:
    assert not cacheable(name)


def test_only_plain_wheel_files_enter(make_wheel: Builder, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    good = make_wheel("good", "1.0")
    (dest / good.name).write_bytes(good.read_bytes())
    (dest / "link-1.0-py3-none-any.whl").symlink_to(good)
    (dest / "junk.whl").write_bytes(b"x")
    cache = WheelCache(tmp_path / "cache", 10 * 2**20)
    assert cache.keep(dest, frozenset()).added == (good.name,)
    assert [p.name for p in cache.wheels.iterdir()] == [good.name]


def test_unresolvable_dependencies_within_the_budget_are_named(
        registry: FakeRegistry, make_wheel: Builder, tmp_path: Path) -> None:
    registry.add_pypi("needy", "1.0", [make_wheel("needy", "1.0")],
                      requires_dist=["slowdep>=1", "ghost"])
    registry.delay_s["/py/simple/slowdep"] = 30.0  # longer than the budget: pip is cut off
    prep = DependencyPrep(budget_s=3.0, wheel_cache=WheelCache(tmp_path / "cache", 10 * 2**20))
    fetched = PypiFetcher(registry.urls, deps=prep).fetch(Target(None, "needy", "1.0"),
                                                          tmp_path / "w")
    assert {d.name: d.missing_reason for d in fetched.dependencies} == {
        "slowdep": "not downloaded: the 3s budget for dependency downloads ran out",
        "ghost": "not downloaded: the 3s budget for dependency downloads ran out"}
