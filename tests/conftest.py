"""Fixtures shared by the test suite, and the rule that nothing is skipped silently.

- `built_book`: the book built once per session, with the very command `python3 dev.py book`
  runs (`dev.build_command`), into _build/html.
- `notebook`: tests that take this argument run once per notebook under book/; finding no
  notebook is a collection error (pyproject: empty_parameter_set_mark = fail_at_collect).
- `toc_docnames`: every page listed in _toc.yml, as a path without suffix ("book/intro").
- `build_summary`: lines that are printed at the end of the run (build time, notebook times).
- A skipped or xfailed test fails the session: every check here is meant to run.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import dev

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
    return BuiltBook(html=dev.HTML_DIR, log=log, seconds=seconds)


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
