"""The built book: clean build, every page present, offline (nothing loaded from another host),
MathJax served locally, and every notebook fast enough.

The `built_book` fixture (tests/conftest.py) builds the book once per session with the command
of `python3 dev.py book`.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import dev
import pytest

NOTEBOOK_SECONDS_MAX = 90.0


def test_build_has_no_warnings(built_book):
    log = dev.ANSI.sub("", built_book.log)
    assert "build succeeded." in log, "jupyter-book did not report 'build succeeded.'"
    assert "build finished with problems" not in log
    assert dev.build_problems(built_book.log) == []


# --- pages -------------------------------------------------------------------------------

def test_every_toc_page_has_html(built_book, toc_docnames):
    missing = [name for name in toc_docnames if not (built_book.html / f"{name}.html").is_file()]
    assert not missing, f"pages of _toc.yml with no HTML in {built_book.html}: {missing}"
    assert (built_book.html / "index.html").is_file()


# --- nothing loaded from another host ----------------------------------------------------

# Attributes through which a browser fetches something by itself. <a href> is a link the reader
# may follow, not a load, and is allowed to point anywhere.
LOADING_ATTRIBUTES = {
    "script": ("src",), "link": ("href",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "embed": ("src",), "object": ("data",), "video": ("src", "poster"),
    "audio": ("src",), "track": ("src",), "input": ("src",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"), "frame": ("src",),
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'");\s]+)""", re.I)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
JS_URL = re.compile(r"""https?://([A-Za-z0-9.-]+\.[A-Za-z]{2,})""")

# Absolute URLs that may appear inside JavaScript because they are not loads; each entry was
# read in the file it names. Anything else found in a .js file or an inline <script> fails.
XML_NAMESPACES = {"www.w3.org", "exslt.org"}   # namespace identifiers, never fetched
JS_URLS_NOT_LOADED = {
    # MathJax 3 (sphinx-mathjax-offline): links of its About/help menu, error messages that point
    # at the docs, licence text, and the speech-rule-engine defaults (cdn.jsdelivr.net) that
    # MathJax replaces in a browser with its local [mathjax]/sre/mathmaps (window.SREfeature.json)
    # or that only Internet Explorer uses (XPath polyfill).
    "_static/mathjax/*": {"www.mathjax.org", "github.com", "www.apache.org", "cdn.jsdelivr.net"},
    # text of a console message about the version switcher (which this book does not use)
    "_static/scripts/pydata-sphinx-theme.js": {"pydata-sphinx-theme.readthedocs.io"},
    "_static/searchtools.js": {"developer.mozilla.org"},    # a comment
    "_static/clipboard.min.js": {"clipboardjs.com"},         # licence banner
}
# MathJax's latest.js loads "the latest MathJax" from public CDNs. It is copied with the rest of
# MathJax but nothing may reference it; test_no_page_loads_from_another_host checks that.
UNREFERENCED_CDN_LOADERS = {"_static/mathjax/latest.js"}


def is_remote(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in {"http", "https", "ftp", "ws", "wss"} or url.strip().startswith("//")


def remote_urls_in_css(css: str) -> list[str]:
    css = CSS_COMMENT.sub("", css)
    found = [m.group(2) for m in CSS_URL.finditer(css)] + [m.group(1) for m in CSS_IMPORT.finditer(css)]
    return [url for url in found if is_remote(url)]


def hosts_in_js(js: str) -> set[str]:
    return {host.lower() for host in JS_URL.findall(js)}


class PageScan(HTMLParser):
    """Collects, for one HTML page, what the browser would load and the inline code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads: list[tuple[str, str, str]] = []     # (tag, attribute, url)
        self.inline_scripts: list[str] = []
        self.inline_styles: list[str] = []
        self._in: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attribute in LOADING_ATTRIBUTES.get(tag, ()):
            value = attrs.get(attribute)
            if not value:
                continue
            urls = [part.strip().split()[0] for part in value.split(",") if part.strip()] \
                if attribute == "srcset" else [value]
            self.loads.extend((tag, attribute, url) for url in urls)
        if attrs.get("style"):
            self.inline_styles.append(attrs["style"])
        if tag == "script" and not attrs.get("src"):
            kind = (attrs.get("type") or "text/javascript").lower()
            self._in = "script" if "javascript" in kind or kind == "module" else "data"
            self._buffer = []
        elif tag == "style":
            self._in, self._buffer = "style", []

    def handle_data(self, data):
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._in:
            text = "".join(self._buffer)
            if self._in == "script":
                self.inline_scripts.append(text)
            elif self._in == "style":
                self.inline_styles.append(text)
            self._in = None


def scan_page(path: Path) -> PageScan:
    scan = PageScan()
    scan.feed(path.read_text(encoding="utf-8", errors="replace"))
    return scan


def html_pages(root: Path) -> list[Path]:
    pages = sorted(root.rglob("*.html"))
    assert pages, f"no HTML under {root}"
    return pages


def allowed_js_hosts(relative: str) -> set[str]:
    allowed = set(XML_NAMESPACES)
    for pattern, hosts in JS_URLS_NOT_LOADED.items():
        if fnmatch.fnmatch(relative, pattern):
            allowed |= hosts
    return allowed


def test_no_page_loads_from_another_host(built_book):
    problems = []
    for page in html_pages(built_book.html):
        name = page.relative_to(built_book.html).as_posix()
        scan = scan_page(page)
        for tag, attribute, url in scan.loads:
            if is_remote(url):
                problems.append(f"{name}: <{tag} {attribute}={url!r}>")
            elif any(loader in url for loader in UNREFERENCED_CDN_LOADERS):
                problems.append(f"{name}: <{tag} {attribute}={url!r}> loads MathJax from public CDNs")
        for css in scan.inline_styles:
            problems += [f"{name}: inline CSS url({url})" for url in remote_urls_in_css(css)]
        for script in scan.inline_scripts:
            problems += [f"{name}: inline <script> names {host}"
                         for host in sorted(hosts_in_js(script) - XML_NAMESPACES)]
    assert not problems, "the built HTML loads from another host:\n" + "\n".join(problems)


def test_no_stylesheet_loads_from_another_host(built_book):
    sheets = sorted(built_book.html.rglob("*.css"))
    assert sheets, "no CSS in the build"
    problems = [f"{sheet.relative_to(built_book.html)}: {url}"
                for sheet in sheets
                for url in remote_urls_in_css(sheet.read_text(encoding="utf-8", errors="replace"))]
    assert not problems, "stylesheets load url()/@import/fonts from another host:\n" + "\n".join(problems)


def test_no_script_names_another_host(built_book):
    scripts = sorted(built_book.html.rglob("*.js"))
    assert scripts, "no JavaScript in the build"
    problems = []
    for script in scripts:
        relative = script.relative_to(built_book.html).as_posix()
        if relative in UNREFERENCED_CDN_LOADERS:
            continue
        unexpected = hosts_in_js(script.read_text(encoding="utf-8", errors="replace")) - allowed_js_hosts(relative)
        problems += [f"{relative}: {host}" for host in sorted(unexpected)]
    assert not problems, ("JavaScript names hosts that are not on the reviewed list of non-loads "
                          "(tests/test_built_book.py, JS_URLS_NOT_LOADED):\n" + "\n".join(problems))


def test_no_inline_script_declares_a_constant_twice(built_book):
    """A page whose inline scripts declare the same `const`/`let` twice stops with
    "Identifier ... has already been declared" in the browser (the sphinx-thebe symptom)."""
    declaration = re.compile(r"(?:^|[;{}\n])\s*(?:const|let)\s+([A-Za-z_$][\w$]*)")
    problems = []
    for page in html_pages(built_book.html):
        names = Counter(name for script in scan_page(page).inline_scripts
                        for name in declaration.findall(script))
        problems += [f"{page.relative_to(built_book.html)}: {name} x{count}"
                     for name, count in names.items() if count > 1]
    assert not problems, "inline scripts redeclare identifiers:\n" + "\n".join(problems)


def test_mathjax_is_served_locally(built_book):
    pages_with_math = 0
    for page in html_pages(built_book.html):
        for tag, attribute, url in scan_page(page).loads:
            if tag == "script" and "mathjax" in url.lower():
                assert not is_remote(url), f"{page.name}: MathJax from {url}"
                target = (page.parent / url.split("?")[0]).resolve()
                assert target.is_file(), f"{page.name}: {url} does not exist in the build"
                pages_with_math += 1
    assert pages_with_math, "no page references a MathJax script (the introduction has an equation)"
    assert (built_book.html / "_static" / "mathjax" / "tex-chtml.js").is_file()


# --- notebook execution times ------------------------------------------------------------

class ExecTable(HTMLParser):
    """Rows of the table that myst-nb's {nb-exec-table} writes (book/run_times)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None


def execution_table(html_dir: Path) -> dict[str, dict[str, str]]:
    page = html_dir / "book" / "run_times.html"
    assert page.is_file(), "book/run_times.html was not built"
    parser = ExecTable()
    parser.feed(page.read_text(encoding="utf-8"))
    assert parser.rows, "book/run_times.html has no execution table"
    header, *rows = parser.rows
    assert header == ["Document", "Modified", "Method", "Run Time (s)", "Status"], header
    return {row[0]: dict(zip(header, row)) for row in rows}


def test_notebook_execution_times(built_book, toc_docnames, build_summary):
    table = execution_table(built_book.html)
    notebooks = [name for name in toc_docnames if (dev.ROOT / f"{name}.ipynb").is_file()]
    assert notebooks, "no notebook in _toc.yml"
    build_summary.append(f"notebook execution times in that build (limit {NOTEBOOK_SECONDS_MAX:.0f} s each):")
    for name in notebooks:
        row = table.get(name)
        assert row is not None, f"{name} is not in the execution table: it was not executed"
        line = f"  {float(row['Run Time (s)']):7.2f} s  {name}  [{row['Method']}, {row['Status']}]"
        build_summary.append(line)
        print(line)
    failed = {name: row["Status"] for name, row in table.items() if row["Status"] != "✅"}
    assert not failed, f"notebooks whose execution failed: {failed}"
    # the outputs come from this test run's nbval execution, through jupyter-cache's store
    not_cached = {name: row["Method"] for name, row in table.items() if row["Method"] != "cache"}
    assert not not_cached, f"notebooks not taken from the cache: {not_cached}"
    slow = {name: float(table[name]["Run Time (s)"]) for name in notebooks
            if float(table[name]["Run Time (s)"]) > NOTEBOOK_SECONDS_MAX}
    assert not slow, f"notebooks over {NOTEBOOK_SECONDS_MAX:.0f} s: {slow}"


@pytest.mark.parametrize("text, expected", [
    ("a.html: WARNING: x", True),
    ("/work/book/x.ipynb:3: ERROR: bad", True),
    ("WARNING: unknown config", True),
    ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR", False),
    ("[IPKernelApp] WARNING | Kernel is running over TCP", False),
])
def test_warning_detector(text, expected):
    assert bool(dev.build_problems(text)) is expected
