"""Canaries are found however a stealer encodes them on the way out."""

from __future__ import annotations

import base64
import json

import pytest

from analyzer.baits import Canary
from analyzer.models import DnsQuery, HttpRequest, NetworkActivity, PhaseTrace
from analyzer.trace.leaks import find_leaks

SECRET = Canary("aws-access-key-id", "AKIAQWERTYUIOPASDFGH")
ENV = json.dumps({"HOME": "/home/dev", "AWS_ACCESS_KEY_ID": SECRET.value, "PATH": "/usr/bin"})


def _get(url: str, body: str = "") -> PhaseTrace:
    request = HttpRequest("POST" if body else "GET", url, "collect.example", (), body, "", False)
    return PhaseTrace(network=NetworkActivity(http=(request,)))


@pytest.mark.parametrize("url", [
    # ctx (2022): the environment, base64'd, as a path segment
    "https://collect.example/hacked/" + base64.b64encode(ENV.encode()).decode(),
    "https://collect.example/a/b/" + base64.urlsafe_b64encode(ENV.encode()).decode() + "/x",
    "https://collect.example/?d=" + ENV.encode().hex(),
    "https://collect.example/?k=AKIAQWERTYUIOPASDFGH",
])
def test_a_canary_in_a_url_is_found(url: str) -> None:
    (leak,) = find_leaks(_get(url), [SECRET])
    assert (leak.token, leak.channel) == (SECRET.token, "http")


def test_a_canary_in_a_form_body_and_in_dns_labels_is_found() -> None:
    form = _get("https://collect.example/f", "k=" + base64.b64encode(ENV.encode()).decode()
                .replace("+", "%2B").replace("/", "%2F"))
    assert [leak.channel for leak in find_leaks(form, [SECRET])] == ["http"]
    labels = SECRET.value.encode().hex()
    dns = PhaseTrace(network=NetworkActivity(dns=(
        DnsQuery(f"{labels[:20]}.{labels[20:]}.t.example", "A", 7, "trace"),)))
    assert [leak.channel for leak in find_leaks(dns, [SECRET])] == ["dns"]


def test_text_without_the_canary_is_no_leak() -> None:
    other = json.dumps({"HOME": "/home/dev"}).encode()
    url = "https://collect.example/hacked/" + base64.b64encode(other).decode()
    assert find_leaks(_get(url), [SECRET]) == ()
