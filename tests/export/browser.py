"""Headless Chromium driven over the DevTools protocol on a pipe (no network, no extra package).

Chromium started with ``--remote-debugging-pipe`` reads protocol messages from file
descriptor 3 and writes its replies to descriptor 4, each a JSON object ended by a NUL byte.
The page is opened with every network request refused (a dead proxy, no name resolution), and
the console and exceptions are recorded.

Run as a script to take a screenshot of a page, e.g. for the README:
``python -m tests.export.browser report.html docs/report.png --width 1280 --height 1500``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    # No network: every request goes to a closed port and no host name resolves.
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """The Chromium executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageLog:
    """What happened while a page was open."""

    console: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    exceptions: list[str] = field(default_factory=list)
    log_entries: list[tuple[str, str, str]] = field(default_factory=list)  # (level, source, text)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries, as lines."""
        lines = [f"console.{level}: {text}" for level, text in self.console if level == "error"]
        lines += [f"exception: {text}" for text in self.exceptions]
        lines += [
            f"log {source} {level}: {text}"
            for level, source, text in self.log_entries
            if level == "error"
        ]
        return lines


class Browser:
    """One headless Chromium with one page, driven over the DevTools pipe."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 900) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="graphkit-chromium-")
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()
        # The child finds the pipe on descriptors 3 (commands) and 4 (replies).
        self._process = subprocess.Popen(
            [
                executable,
                *FLAGS,
                f"--user-data-dir={self._profile.name}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,  # our descriptors are close-on-exec; only 3 and 4 are passed
            preexec_fn=_dup_pipes(to_browser_read, from_browser_write),
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._writer = os.fdopen(to_browser_write, "wb", buffering=0)
        self._reader = os.fdopen(from_browser_read, "rb", buffering=0)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self.log = PageLog()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._writer.close()
        self._reader.close()
        self._profile.cleanup()

    def call(
        self, method: str, *, session: bool = False, timeout: float = 30, **params: Any
    ) -> dict[str, Any]:
        """Send one protocol command and wait for its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        self._writer.write(json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self._record(reply)

    def open(self, url: str, *, timeout: float = 30) -> None:
        """Navigate to ``url`` and wait for its load event."""
        self._events.clear()
        self.call("Page.navigate", session=True, url=url)
        deadline = time.monotonic() + timeout
        while not any(event["method"] == "Page.loadEventFired" for event in self._events):
            self._record(self._receive(deadline))

    def evaluate(self, expression: str, *, timeout: float = 30) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate",
            session=True,
            timeout=timeout,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, *, timeout: float = 30) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"{expression!r} stayed false for {timeout} s")

    def screenshot(
        self,
        path: Path,
        *,
        full_page: bool = False,
        top: int = 0,
        height: int | None = None,
        scale: float = 1.0,
    ) -> None:
        """Save a PNG of the viewport, the whole page, or ``height`` pixels from ``top``."""
        params: dict[str, Any] = {"format": "png"}
        if full_page or height or top or scale != 1.0:
            width, page_height = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            shown = page_height - top if height is None else min(height, page_height - top)
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": top, "width": width, "height": shown, "scale": scale},
            )
        data = self.call("Page.captureScreenshot", session=True, timeout=60, **params)["data"]
        path.write_bytes(base64.b64decode(data))

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = self._reader.read(1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def _record(self, event: dict[str, Any]) -> None:
        method = event.get("method", "")
        params = event.get("params", {})
        self._events.append(event)
        if method == "Runtime.consoleAPICalled":
            text = " ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in params["args"]
            )
            self.log.console.append((params["type"], text))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            description = details.get("exception", {}).get("description", details.get("text", ""))
            self.log.exceptions.append(str(description))
        elif method == "Log.entryAdded":
            entry = params["entry"]
            self.log.log_entries.append((entry["level"], entry["source"], entry["text"]))
        elif method == "Network.requestWillBeSent":
            self.log.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            self.log.failed_requests.append((params.get("requestId", ""), params["errorText"]))


def _dup_pipes(read_end: int, write_end: int) -> Any:
    """Place the pipe ends on descriptors 3 and 4 of the child (inheritable there)."""

    def place() -> None:
        # Move both out of the way first: either may itself be descriptor 3 or 4.
        high_read = fcntl.fcntl(read_end, fcntl.F_DUPFD, 10)
        high_write = fcntl.fcntl(write_end, fcntl.F_DUPFD, 10)
        os.dup2(high_read, 3)
        os.dup2(high_write, 4)

    return place


def main() -> None:
    """Screenshot a page: ``python -m tests.export.browser PAGE PNG``."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900, help="viewport height")
    parser.add_argument("--top", type=int, default=0, help="start this far down the page")
    parser.add_argument("--clip", type=int, help="keep CLIP pixels of the page")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink (or enlarge) by this")
    parser.add_argument("--full", action="store_true", help="the whole page")
    options = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        raise SystemExit("chromium not found")
    with Browser(executable, width=options.width, height=options.height) as browser:
        browser.open(options.page.resolve().as_uri())
        browser.wait_for("document.documentElement.dataset.charts")
        browser.screenshot(
            options.png,
            full_page=options.full,
            top=options.top,
            height=options.clip,
            scale=options.scale,
        )
        for line in browser.log.errors():
            print(line)


if __name__ == "__main__":
    main()
