"""A tiny Chrome DevTools Protocol client for the browser tests (no browser download).

Starts Debian's headless Chromium with ``--remote-debugging-port=0`` and every non-loopback
host blackholed (``--host-resolver-rules``), reads the DevTools address from its stderr,
connects to the first page target with ``websocket-client`` and records every network
request, console error and uncaught exception while pages load. It can resize the viewport
(desktop or phone), press keys and capture the page or one element.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import websocket

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--window-size=1280,900",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    # offline: every host but the loopback resolves to nothing
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium process and one page, driven over CDP."""

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="gamelib-chromium-")
        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        port = self._read_port()
        deadline = time.monotonic() + timeout
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                targets = [t for t in json.load(r) if t.get("type") == "page"]
            if targets or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.ws = websocket.create_connection(
            targets[0]["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True,
        )
        self._id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")

    def _read_port(self) -> int:
        box: dict[str, int] = {}

        def reader() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
                if m and "port" not in box:
                    box["port"] = int(m.group(1))
            # keep draining so Chromium never blocks on a full pipe

        threading.Thread(target=reader, daemon=True).start()
        deadline = time.monotonic() + self.timeout
        while "port" not in box:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start its DevTools server")
            time.sleep(0.05)
        return box["port"]

    # -- protocol ----------------------------------------------------------------------
    def call(self, method: str, **params):
        self._id += 1
        my_id = self._id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def pump(self, seconds: float) -> None:
        """Collect events for ``seconds``."""
        end = time.monotonic() + seconds
        self.ws.settimeout(0.05)
        try:
            while time.monotonic() < end:
                try:
                    msg = json.loads(self.ws.recv())
                except websocket.WebSocketTimeoutException:
                    continue
                if "method" in msg:
                    self.events.append(msg)
        finally:
            self.ws.settimeout(self.timeout)

    def evaluate(self, expression: str, await_promise: bool = False):
        res = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True,
            awaitPromise=await_promise,
        )
        if "exceptionDetails" in res:
            raise RuntimeError(f"JS error in {expression[:80]!r}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 20.0) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.evaluate(expression):
                return True
            self.pump(0.2)
        return False

    # -- pages -----------------------------------------------------------------------------
    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            if any(e["method"] == "Page.loadEventFired" for e in self.events):
                return
            self.pump(0.1)
        raise TimeoutError(f"page did not load: {url}")

    def screenshot(self, path: Path, full_page: bool = True, width: int = 1400,
                   height: int = 1000, max_height: int = 8000) -> None:
        """Save a PNG: the viewport, or the whole page (viewport stretched to its height)."""
        if full_page:
            metrics = self.call("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            tall = max(height, min(int(size["height"]) + 1, max_height))
            self.call("Emulation.setDeviceMetricsOverride", width=width, height=tall,
                      deviceScaleFactor=1, mobile=False)
            self.evaluate("window.scrollTo(0, 0)")
            self.pump(0.5)
        try:
            data = self.call("Page.captureScreenshot", format="png")["data"]
        finally:
            if full_page:
                self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                          deviceScaleFactor=1, mobile=False)
        Path(path).write_bytes(base64.b64decode(data))

    def viewport(self, width: int, height: int = 900, mobile: bool = False) -> None:
        """Emulate a desktop window or (``mobile``) a phone of 2x pixel density."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=2 if mobile else 1, mobile=mobile)
        self._viewport = (width, height, mobile)

    def press(self, key: str) -> None:
        """Press and release one key (``ArrowRight``, ``ArrowDown``...) in the focused element."""
        codes = {"ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40}
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=key,
                      windowsVirtualKeyCode=codes[key], nativeVirtualKeyCode=codes[key])

    def capture(self, path: Path, selector: str, index: int = 0) -> None:
        """Save a PNG of one element (the ``index``-th match of ``selector``), scrolled into the
        middle of the viewport (which must be taller than the element)."""
        rect = self.evaluate(
            f"(() => {{ const e = document.querySelectorAll({json.dumps(selector)})[{index}];"
            "e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            "return {x: r.left + window.scrollX, y: r.top + window.scrollY, "
            "width: r.width, height: r.height}; })()")
        self.pump(0.2)
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False,
                         clip={**rect, "scale": 1})["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def loaded_bytes(self) -> int:
        """Bytes received for every request since the page was opened."""
        return int(sum(e["params"].get("encodedDataLength", 0) for e in self.events
                       if e["method"] == "Network.loadingFinished"))

    # -- what happened -------------------------------------------------------------------
    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]

    def failed_requests(self) -> list[str]:
        ids = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in self.events
               if e["method"] == "Network.requestWillBeSent"}
        bad = [ids.get(e["params"]["requestId"], "?") + " " + e["params"].get("errorText", "")
               for e in self.events if e["method"] == "Network.loadingFailed"]
        bad += [e["params"]["response"]["url"] + f" HTTP {e['params']['response']['status']}"
                for e in self.events if e["method"] == "Network.responseReceived"
                and e["params"]["response"]["status"] >= 400]
        return bad

    def js_errors(self) -> list[str]:
        errors = []
        for e in self.events:
            p = e["params"]
            if e["method"] == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                errors.append(d.get("exception", {}).get("description") or d.get("text"))
            elif e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                       for a in p["args"]))
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                errors.append(f"{p['entry'].get('url', '')}: {p['entry']['text']}")
        return errors

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.ws.close()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self._profile, ignore_errors=True)
