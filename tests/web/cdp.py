"""A headless Chromium driven over the DevTools protocol: navigate, evaluate, click, wait.

Enough to sign in and submit the review forms as a reviewer would. `Runtime.evaluate`
runs in the page whatever its Content-Security-Policy says, like a person at the keyboard.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import websocket

START_TIMEOUT_S = 20.0
STEP_TIMEOUT_S = 15.0


class CdpError(Exception):
    """Chromium answered a command with an error, or not in time."""


class Page:
    """One tab: commands by id, events kept until a wait consumes them."""

    def __init__(self, socket: websocket.WebSocket) -> None:
        self._socket = socket
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        sent = self._next_id
        self._socket.send(json.dumps({"id": sent, "method": method, "params": params}))
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while time.monotonic() < deadline:
            message = self._receive(deadline)
            if message.get("id") == sent:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self._events.append(message)
        raise CdpError(f"{method}: no answer within {STEP_TIMEOUT_S:g} s")

    def wait_for(self, event: str) -> dict[str, Any]:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while True:
            for index, message in enumerate(self._events):
                if message["method"] == event:
                    del self._events[: index + 1]
                    return message
            self._events.clear()
            if time.monotonic() >= deadline:
                raise CdpError(f"no {event} within {STEP_TIMEOUT_S:g} s")
            message = self._receive(deadline)
            if "method" in message:
                self._events.append(message)

    def evaluate(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            raise CdpError(f"{expression!r}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def navigate(self, url: str) -> None:
        self._events.clear()
        answer = self.call("Page.navigate", url=url)
        if answer.get("errorText"):
            raise CdpError(f"{url}: {answer['errorText']}")
        self.wait_for("Page.loadEventFired")

    def submit(self, expression: str) -> None:
        """Run `expression` (which submits a form) and wait for the page it leads to."""
        self._events.clear()
        self.evaluate(expression)
        self.wait_for("Page.loadEventFired")

    def _receive(self, deadline: float) -> dict[str, Any]:
        self._socket.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            text = self._socket.recv()
        except websocket.WebSocketTimeoutException as exc:
            raise CdpError("Chromium went quiet") from exc
        message: dict[str, Any] = json.loads(text)
        return message


class Browser:
    """A Chromium process with a private profile under `workdir`; `close()` ends it."""

    def __init__(self, executable: str, workdir: Path) -> None:
        profile = workdir / "cdp-profile"
        self._log = (workdir / "chromium.log").open("wb")
        self._process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             "--disable-dev-shm-usage", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        self._sockets: list[websocket.WebSocket] = []
        try:
            self.port = self._wait_for_port(profile / "DevToolsActivePort")
        except BaseException:
            self.close()
            raise

    def new_page(self) -> Page:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=STEP_TIMEOUT_S)
        try:
            connection.request("PUT", "/json/new?about:blank")
            target = json.loads(connection.getresponse().read())
        finally:
            connection.close()
        socket = websocket.create_connection(target["webSocketDebuggerUrl"],
                                             timeout=STEP_TIMEOUT_S, suppress_origin=True)
        self._sockets.append(socket)
        page = Page(socket)
        page.call("Page.enable")
        page.call("Runtime.enable")
        return page

    def close(self) -> None:
        for socket in self._sockets:
            socket.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._log.close()

    def _wait_for_port(self, active_port: Path) -> int:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise CdpError(f"chromium exited with {self._process.returncode}")
            lines = active_port.read_text().splitlines() if active_port.exists() else []
            if lines and lines[0].isdigit():
                return int(lines[0])
            time.sleep(0.05)
        raise CdpError(f"chromium wrote no DevToolsActivePort within {START_TIMEOUT_S:g} s")
