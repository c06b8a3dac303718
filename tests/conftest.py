"""Fixtures shared by the test suite, and the rule that nothing is skipped silently.

- `built_book`: the book built once per session, with the very command `python3 dev.py book`
  runs (`dev.build_command`), into _build/html.
- `notebook`: tests that take this argument run once per notebook under book/; finding no
  notebook is a collection error (pyproject: empty_parameter_set_mark = fail_at_collect).
- `toc_docnames`: every page listed in _toc.yml, as a path without suffix ("book/intro").
- `build_summary`: lines that are printed at the end of the run (build time, notebook times).
- `toc_page`: tests that take this argument run once per page of _toc.yml ("book/intro").
- `book_server`: _build/html served over http on 127.0.0.1 (a free port) from a thread.
- `open_page`: opens a page of that server in Debian's Chromium (Playwright) with every request
  to another host aborted and recorded, and console errors, page errors and failed responses
  recorded (`GuardedPage.problems()`).
- A skipped or xfailed test fails the session: every check here is meant to run.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import dev
import nbval_outputs
import pytest
import yaml

ROOT = dev.ROOT
BOOK = ROOT / "book"
TOC = ROOT / "_toc.yml"


def book_notebooks() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def toc_entries(toc_path: Path = TOC) -> list[str]:
    """Every `file:` of _toc.yml (root, parts, chapters, sections), in order."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    found: list[str] = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return found


def pytest_generate_tests(metafunc):
    if "notebook" in metafunc.fixturenames:
        notebooks = book_notebooks()
        metafunc.parametrize("notebook", notebooks,
                             ids=[str(p.relative_to(ROOT)) for p in notebooks])
    if "toc_page" in metafunc.fixturenames:
        metafunc.parametrize("toc_page", toc_entries())


@pytest.fixture(scope="session")
def toc_docnames() -> list[str]:
    entries = toc_entries()
    assert entries, "_toc.yml lists no page"
    return entries


_summary: list[str] = []


@pytest.fixture(scope="session")
def build_summary() -> list[str]:
    return _summary


@dataclass(frozen=True)
class BuiltBook:
    html: Path          # _build/html
    log: str            # everything jupyter-book printed
    seconds: float      # wall time of the build


def log_tail(text: str, lines: int = 60) -> str:
    return "\n".join(dev.ANSI.sub("", line) for line in text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def built_book() -> BuiltBook:
    started = time.perf_counter()
    status = dev.build_book(sys.executable, echo=False)
    seconds = time.perf_counter() - started
    log = dev.BUILD_LOG.read_text(encoding="utf-8", errors="replace") if dev.BUILD_LOG.exists() else ""
    if status != 0:
        problems = "\n".join(dev.build_problems(log)) or "(none found in the log)"
        pytest.fail(f"`{' '.join(dev.build_command(sys.executable))}` failed (exit {status}) "
                    f"after {seconds:.0f} s.\nWarnings and errors:\n{problems}\n"
                    f"Last lines of {dev.BUILD_LOG}:\n{log_tail(log)}", pytrace=False)
    _summary.append(f"built the book in {seconds:.1f} s into {dev.HTML_DIR.relative_to(ROOT)}")
    nbval_outputs.TIMES["build"] = seconds
    return BuiltBook(html=dev.HTML_DIR, log=log, seconds=seconds)


# --- the built book in a real browser ------------------------------------------------------

# Debian's Chromium (dev.CHROMIUM; `python3 dev.py test` installs it), never a browser that
# Playwright would download; no first-run, sync, update or other background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOST = "127.0.0.1"
SCREENSHOTS = dev.BUILD_DIR / "screenshots"


@dataclass(frozen=True)
class BookServer:
    url: str            # http://127.0.0.1:PORT/ serving _build/html
    html: Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):   # no line per request in the test output
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # Chromium drops connections it no longer needs (a page left mid-load): not an error of
        # the book, and its traceback would drown the test output. Anything else is printed.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def book_server(built_book) -> BookServer:
    handler = functools.partial(_QuietHandler, directory=str(built_book.html))
    server = _QuietServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-http-server", daemon=True)
    thread.start()
    try:
        yield BookServer(url=f"http://{LOCAL_HOST}:{server.server_address[1]}/", html=built_book.html)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not dev.CHROMIUM.exists():
        pytest.fail(f"the browser tests need Debian's Chromium at {dev.CHROMIUM}; "
                    "`python3 dev.py test` installs it (apt-get install -y chromium)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(dev.CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class GuardedPage:
    """A Playwright page and what went wrong while it was open."""

    page: object
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    foreign_requests: list = field(default_factory=list)   # aborted: not to 127.0.0.1
    failed_responses: list = field(default_factory=list)   # HTTP >= 400, or no response

    def problems(self) -> list[str]:
        return ([f"console error: {text}" for text in self.console_errors]
                + [f"page error: {text}" for text in self.page_errors]
                + [f"request to another host (aborted): {url}" for url in self.foreign_requests]
                + [f"failed: {text}" for text in self.failed_responses])


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname == LOCAL_HOST


@pytest.fixture(scope="session")
def open_page(chromium, book_server):
    """`open_page("book/intro.html")` -> GuardedPage, loaded (the `load` event has fired).
    Each call gets a fresh browser context; close it with `guarded.page.context.close()`."""
    contexts = []

    def open_(path: str, *, width: int = 1280, height: int = 900) -> GuardedPage:
        context = chromium.new_context(viewport={"width": width, "height": height},
                                       service_workers="block")
        contexts.append(context)
        page = context.new_page()
        guarded = GuardedPage(page)

        def route(route):
            if _is_local(route.request.url):
                route.continue_()
            else:
                guarded.foreign_requests.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page.on("websocket", lambda ws: None if _is_local(ws.url) else guarded.foreign_requests.append(ws.url))
        page.on("console", lambda message: guarded.console_errors.append(
            f"{message.text} ({message.location.get('url')}:{message.location.get('lineNumber')})")
            if message.type == "error" else None)
        page.on("pageerror", lambda error: guarded.page_errors.append(str(error)))
        page.on("response", lambda response: guarded.failed_responses.append(
            f"HTTP {response.status} {response.url}") if response.status >= 400 else None)
        page.on("requestfailed", lambda request: None if not _is_local(request.url) else
                guarded.failed_responses.append(f"{request.failure} {request.url}"))
        page.goto(book_server.url + path, wait_until="load")
        return guarded

    yield open_
    for context in contexts:
        context.close()


# --- nothing is skipped silently ---------------------------------------------------------

_not_run: list[str] = []

def pytest_runtest_logreport(report):
    if report.skipped:
        if hasattr(report, "wasxfail"):
            _not_run.append(f"{report.nodeid} (xfailed: {report.wasxfail})")
        else:
            reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
            _not_run.append(f"{report.nodeid} (skipped: {reason})")


def pytest_collectreport(report):
    if report.skipped:
        _not_run.append(f"{report.nodeid or 'collection'} (skipped at collection: {report.longrepr})")


def pytest_sessionfinish(session, exitstatus):
    if _not_run and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _summary:
        terminalreporter.section("the book")
        for line in _summary:
            terminalreporter.line(line)
    if _not_run:
        terminalreporter.section("not run, which fails this session", red=True)
        for line in _not_run:
            terminalreporter.line(line)
