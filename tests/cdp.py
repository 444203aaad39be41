"""A minimal Chrome DevTools Protocol client over Chromium's ``--remote-debugging-pipe``.

Chromium reads JSON commands from file descriptor 3 and writes replies and events to file
descriptor 4, each message ending in a NUL byte: enough to drive a real page (navigate,
type into a form, submit, take a screenshot) with the standard library alone.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import subprocess
import tempfile
import threading
from typing import Any

#: Headless flags that work on these machines (no sandbox as root, no network beyond the page).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1000"]


def _above_4(fd: int) -> int:
    """``fd`` moved above 4, so that redirecting onto descriptors 3 and 4 cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class Browser:
    """Headless Chromium with one page, driven over the DevTools pipe."""

    def __init__(self, chromium: str, timeout: float = 60):
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        to_browser_read, from_browser_write = _above_4(to_browser_read), _above_4(from_browser_write)
        # bash (dash cannot name descriptors above 9) puts the pipe ends on 3 and 4 for Chromium
        self.log = open(os.path.join(self.profile.name, "chromium.log"), "wb")  # closed by close()
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{to_browser_read} 4>&{from_browser_write}', chromium,
             *FLAGS, f"--user-data-dir={self.profile.name}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(to_browser_read, from_browser_write), stdout=subprocess.DEVNULL, stderr=self.log)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._next_id = 0
        self.session = ""
        try:
            target = self.send("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.send("Page.enable", session=True)
        except BaseException:
            self.process.kill()
            self.close()
            raise

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._messages.put(json.loads(message))

    def _wait(self, matches: Any) -> dict[str, Any]:
        while True:
            try:
                message = self._messages.get(timeout=self.timeout)
            except queue.Empty:
                raise TimeoutError(f"no answer from chromium in {self.timeout} s; its log:\n{self._log_tail()}") from None
            if matches(message):
                return message

    def _log_tail(self) -> str:
        with open(self.log.name, encoding="utf-8", errors="replace") as log:
            return "".join(log.readlines()[-20:])

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        """Run one command and return its result (raises on a protocol error)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise RuntimeError(f"chromium has exited; its log:\n{self._log_tail()}") from None
        reply = self._wait(lambda m: m.get("id") == message["id"])
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def wait_for_load(self) -> None:
        self._wait(lambda m: m.get("method") == "Page.loadEventFired")

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", session=True, url=url)
        self.wait_for_load()

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        """Lay pages out as on a screen of ``width`` x ``height`` CSS pixels (a phone's with ``mobile``)."""
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)

    def screenshot(self, selectors: tuple[str, ...] = ("body",), max_height: int = 1200) -> bytes:
        """PNG of the page from the top of the first to the bottom of the last element that
        ``selectors`` name (each its first match), at most ``max_height`` pixels, full width."""
        box = self.evaluate(f"""(() => {{
            const boxes = {json.dumps(list(selectors))}.map(s => document.querySelector(s).getBoundingClientRect());
            const top = Math.min(...boxes.map(b => b.top)) + scrollY;
            const bottom = Math.max(...boxes.map(b => b.bottom)) + scrollY;
            return {{x: 0, y: top, width: document.documentElement.scrollWidth,
                     height: Math.min(bottom - top, {max_height}), scale: 1}};
        }})()""")
        data = self.send("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True,
                         clip=box)
        return base64.b64decode(data["data"])

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.send("Browser.close")
        finally:
            os.close(self._to_browser)
            self.process.wait(timeout=self.timeout)
            self._reader.join(timeout=self.timeout)
            self.log.close()
            self.profile.cleanup()
