#!/usr/bin/env python3
"""Drives headless Chromium through the recorder's web console, for the console tests.

Chromium is controlled over its DevTools protocol on a pipe (--remote-debugging-pipe: JSON
messages separated by NUL bytes, commands on fd 3, answers and events on fd 4), so nothing
but python3's standard library is needed. The script:

  1. opens the console at URL (with --token: expects the login form with 401, logs in
     through it, which sets the HttpOnly cookie);
  2. waits until the page has rendered the recordings of --stream, and reads them back;
  3. plays the first finished recording in the page's <video>, seeks to the middle and checks
     that it keeps playing (currentTime advances, no error);
  4. with --actions: records and stops a config through the page's forms, confirmations
     declined then accepted;
  5. with --export START END: plays /export of that range the same way, through the page's
     export form;
  6. with --screenshot PATH: saves a PNG of the page.

It prints one JSON object (what it saw) and exits 0, or prints {"error": ...} and exits 1.
usage: console-browser.py --url http://127.0.0.1:PORT --stream NAME [--token TOKEN]
                          [--actions] [--export START END] [--screenshot PATH]
                          [--chromium PATH]
"""
import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEADLINE_SECONDS = 50


class Browser:
    """One Chromium process and one page of it, attached in flat session mode."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="console-browser-")
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()

        def wire_pipes():
            # Chromium reads commands from fd 3 and writes to fd 4. Moved out of the way first
            # (a pipe may already be fd 3 or 4), and made inheritable: os.pipe's ends are not.
            high = [os.dup(to_browser_read), os.dup(from_browser_write)]
            for target, source in zip((3, 4), high):
                os.dup2(source, target)
                os.set_inheritable(target, True)

        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--no-first-run",
             "--disable-background-networking", "--disable-extensions", "--hide-scrollbars",
             "--window-size=1200,1000", "--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # Not close_fds: it would close fds 3 and 4 after wire_pipes made them (Python's own
            # descriptors are close-on-exec anyway, PEP 446).
            close_fds=False, preexec_fn=wire_pipes)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.pending = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.call(domain + ".enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1200, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session=True)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(method + ": " + json.dumps(reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def receive(self):
        while b"\0" not in self.pending:
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self.pending += chunk
        message, self.pending = self.pending.split(b"\0", 1)
        return json.loads(message)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           session=True)
        if "exceptionDetails" in result:
            raise RuntimeError("page script failed: " + json.dumps(result["exceptionDetails"])[:500])
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise RuntimeError("timed out waiting for " + what)

    def document_statuses(self):
        """HTTP statuses of the documents loaded so far (Network events), oldest first."""
        self.call("Runtime.evaluate", {"expression": "1"}, session=True)  # flushes pending events
        return [e["params"]["response"]["status"] for e in self.events
                if e.get("method") == "Network.responseReceived" and e["params"].get("type") == "Document"]

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


# How the page's player is watched: plays from the start, then from the middle.
WATCH_PLAYER = """
(async () => {
  const video = document.getElementById("player");
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const state = () => ({ currentTime: video.currentTime, duration: video.duration, paused: video.paused,
                         ended: video.ended, readyState: video.readyState,
                         error: video.error ? (video.error.code + " " + video.error.message) : null,
                         width: video.videoWidth, height: video.videoHeight, src: video.currentSrc });
  for (let i = 0; i < 100 && !(video.readyState >= 3 && video.currentTime > 0.2) && !video.error; i++) await sleep(100);
  const start = state();
  if (video.error || !(video.duration > 0)) return { start };
  const middle = video.duration / 2;
  video.currentTime = middle;
  for (let i = 0; i < 50 && (video.seeking || video.currentTime < middle); i++) await sleep(100);
  const afterSeek = state();
  await sleep(1200);
  const later = state();
  return { start, middle, afterSeek, later };
})()
"""


def play_and_watch(browser, start_script):
    browser.evaluate(start_script)
    return browser.evaluate(WATCH_PLAYER)


# Record and stop through the page: a declined confirmation changes nothing; an accepted one
# adds the config, whose Stop (confirmed) removes it again.
TRY_ACTIONS = """
(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const rows = () => [...document.querySelectorAll('#configs tr[data-config]')].filter(r => r.innerText.includes('console-check'));
  const asked = [];
  let answer = false;
  window.confirm = message => { asked.push(message); return answer; };
  const form = document.getElementById('record-form');
  form.localStreamName.value = 'console-check';
  form.pathToFile.value = 'console-check';
  form.requestSubmit();
  await sleep(1000);
  const afterDecline = rows().length;
  answer = true;
  form.requestSubmit();
  for (let i = 0; i < 50 && rows().length === 0; i++) await sleep(100);
  const afterAccept = rows().length;
  if (afterAccept) rows()[0].querySelector('button.danger').click();
  for (let i = 0; i < 50 && rows().length > 0; i++) await sleep(100);
  return { asked, afterDecline, afterAccept, afterStop: rows().length };
})()
"""


def try_actions(browser):
    return browser.evaluate(TRY_ACTIONS)


def run(arguments):
    started = time.monotonic()
    browser = Browser(arguments.chromium)
    report = {}
    try:
        browser.call("Page.navigate", {"url": arguments.url + "/"}, session=True)
        if arguments.token:
            browser.wait_for("document.readyState === 'complete' && !!document.getElementById('token')", "the login form")
            report["loginStatus"] = browser.document_statuses()[-1]
            report["loginTitle"] = browser.evaluate("document.title")
            browser.evaluate("document.getElementById('token').value = %s; document.forms[0].submit(); true"
                             % json.dumps(arguments.token))
            time.sleep(0.3)
        browser.wait_for("document.body && document.body.dataset.loaded === '1'", "the console to load")
        report["consoleStatus"] = browser.document_statuses()[-1]
        report["cookieVisibleToScript"] = "recorder_token" in (browser.evaluate("document.cookie") or "")
        stream = json.dumps(arguments.stream)
        browser.wait_for("!!document.querySelector('.tabs button[data-stream=' + JSON.stringify(%s) + ']')" % stream,
                         "the stream's recordings")
        browser.evaluate("document.querySelector('.tabs button[data-stream=' + JSON.stringify(%s) + ']').click(); true" % stream)
        report["recordings"] = browser.evaluate("""[...document.querySelectorAll('tr.recording')].map(row => ({
            file: row.dataset.file, state: row.dataset.state, text: row.innerText.replace(/\\s+/g, ' ').trim(),
            playable: !!row.querySelector('button.play') }))""")
        report["days"] = browser.evaluate("[...document.querySelectorAll('details.day summary')].map(s => s.innerText)")
        report["liveStreams"] = browser.evaluate("[...document.querySelectorAll('#streams tr[data-stream]')].map(r => r.dataset.stream)")
        report["configs"] = browser.evaluate("[...document.querySelectorAll('#configs tr[data-config]')].map(r => r.innerText.replace(/\\s+/g, ' '))")
        report["storage"] = browser.evaluate("[...document.querySelectorAll('#storage tr[data-root]')].map(r => r.innerText.replace(/\\s+/g, ' '))")
        if arguments.actions:
            report["actions"] = try_actions(browser)
        report["recordingPlayback"] = play_and_watch(
            browser, "document.querySelector('tr.recording button.play').click(); true")
        if arguments.export:
            start, end = arguments.export
            report["exportPlayback"] = play_and_watch(browser, """(() => {
                const form = document.getElementById('export-form');
                const local = t => { const d = new Date(t * 1000), p = n => String(n).padStart(2, '0');
                  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds()); };
                form.localStreamName.value = %s;
                form.start.value = local(%d);
                form.end.value = local(%d);
                form.requestSubmit();
                return true; })()""" % (stream, start, end))
        report["pageErrors"] = [e["params"]["exceptionDetails"].get("text") for e in browser.events
                                if e.get("method") == "Runtime.exceptionThrown"]
        if arguments.screenshot:
            # The whole page, at 3/4 scale: small enough for docs/ (< 300 KB).
            browser.evaluate("document.getElementById('player').pause(); window.scrollTo(0, 0); true")
            height = browser.evaluate("document.documentElement.scrollHeight")
            shot = browser.call("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1200, "height": height, "scale": 0.75}}, session=True)
            with open(arguments.screenshot, "wb") as out:
                out.write(base64.b64decode(shot["data"]))
            report["screenshot"] = arguments.screenshot
    finally:
        browser.close()
    report["seconds"] = round(time.monotonic() - started, 2)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--token")
    parser.add_argument("--export", nargs=2, type=int, metavar=("START", "END"))
    parser.add_argument("--screenshot")
    parser.add_argument("--actions", action="store_true", help="record and stop a config 'console-check' through the page")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    arguments = parser.parse_args()

    def give_up(signum, frame):
        raise RuntimeError("gave up after %d s" % DEADLINE_SECONDS)

    # A page or a browser that hangs ends the run, not the test suite.
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(DEADLINE_SECONDS)
    try:
        print(json.dumps(run(arguments), indent=1))
    except Exception as error:  # the test shows what went wrong
        print(json.dumps({"error": str(error)}))
        sys.exit(1)


if __name__ == "__main__":
    main()
