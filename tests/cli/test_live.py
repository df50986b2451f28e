"""Progress on a terminal (rich, redrawn in place) and as plain lines elsewhere."""

from __future__ import annotations

import io

import pytest

from analyzer.live import Activity, Bar, LiveLine


class Terminal(io.StringIO):
    """What rich sees as a terminal: output is kept for the test to read."""

    def isatty(self) -> bool:
        return True


def test_off_a_terminal_every_step_is_a_plain_line() -> None:
    out = io.StringIO()
    with Activity("pkgsandbox: ", out) as activity:
        activity.step("fetching pypi:x")
        activity.step("install phase")
    with Bar(2, out) as bar:
        bar.start("pypi:a 1.0")
        bar.advance()
        bar.start("pypi:b 2.0")
        bar.advance()
    with LiveLine(out) as live:
        live.show("queue 3")
        live.show("queue 2")
    assert out.getvalue().splitlines() == [
        "pkgsandbox: fetching pypi:x", "pkgsandbox: install phase",
        "pkgsandbox: [1/2] analysing pypi:a 1.0", "pkgsandbox: [2/2] analysing pypi:b 2.0",
        "queue 3", "queue 2"]
    assert "\x1b" not in out.getvalue()


def test_on_a_terminal_it_is_drawn_in_place_and_package_text_is_not_markup(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")  # a dumb terminal (CI's TERM=dumb) gets no redraws
    screen = Terminal()
    with Activity("pkgsandbox: ", screen) as activity:
        activity.step("analysing [bold]evil[/bold] 1.0")
    with LiveLine(screen) as live:
        live.show("queue [red]3[/red]")
        live.show("queue 2")
    drawn = screen.getvalue()
    assert "\x1b[" in drawn  # cursor movement: redrawn, not appended
    assert "[bold]evil[/bold]" in drawn and "[red]3[/red]" in drawn
