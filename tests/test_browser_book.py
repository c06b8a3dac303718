"""The built book in a real browser (Debian's Chromium through Playwright), served over http on
127.0.0.1: every page of _toc.yml loads without console errors and without a request to another
host, MathJax typesets its equations, every image loads, and the links between chapters resolve.

Each page is opened once (`page_report`) and the tests below read what that visit recorded.
A screenshot of the first chapter lands in _build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

import pytest
from conftest import LOCAL_HOST, SCREENSHOTS

# What the page looks like to the test, after MathJax has finished its first typesetting.
# Text inside code, MathJax output and hidden elements is not prose and is left out: a code cell
# may well print "$$" (the companion's docstrings hold equations).
PAGE_FACTS_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  for (const img of document.images) {
    img.loading = "eager";
    try { await img.decode(); } catch (error) { /* reported through naturalWidth */ }
  }
  const article = document.querySelector("article") || document.body;
  const skip = "pre, code, script, style, mjx-container, .highlight, .MathJax, textarea, [hidden]";
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const prose = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest(skip) || parent.getClientRects().length === 0) continue;
    prose.push(walker.currentNode.textContent);
  }
  const link = (selector) => { const a = document.querySelector(selector); return a ? a.href : null; };
  return {
    mathjaxLoaded: Boolean(window.MathJax && MathJax.startup),
    mathElements: document.querySelectorAll(".math").length,
    mathTypeset: Array.from(document.querySelectorAll(".math"))
      .filter((el) => el.querySelector("mjx-container")).length,
    mjxContainers: document.querySelectorAll("mjx-container").length,
    prose: prose.join(" "),
    images: Array.from(document.images).map((img) => ({
      src: img.currentSrc || img.src, width: img.naturalWidth, complete: img.complete })),
    // every table of the page: rows of cells, each with the box of its text (not the cell's
    // box, which padding and borders widen), so that two neighbouring texts' gap is measured
    tables: Array.from(article.querySelectorAll("table")).filter((t) => !t.closest(skip))
      .map((table) => ({
        header: table.querySelectorAll("thead th").length,
        rows: Array.from(table.querySelectorAll("tr")).map((row) =>
          Array.from(row.children).map((cell) => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const box = range.getBoundingClientRect();
            return { text: cell.textContent.trim(), left: box.left, right: box.right,
                     align: getComputedStyle(cell).textAlign };
          })),
      })),
    // every image a cell printed: is it a captioned figure, and does the text point to it?
    outputImages: Array.from(article.querySelectorAll(".cell_output img, .output img"))
      .map((img) => {
        const figure = img.closest("figure");
        const caption = figure ? figure.querySelector("figcaption") : null;
        const id = figure ? (figure.id || (figure.querySelector("[id]") || {}).id) : null;
        return {
          src: img.currentSrc || img.src,
          captioned: Boolean(caption && caption.textContent.trim().length > 10),
          id: id,
          referenced: Boolean(id && document.querySelector(`a[href$="#${id}"]`)),
        };
      }),
    prev: link("a.left-prev"),
    next: link("a.right-next"),
    links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.href),
  };
}
"""

# Math delimiters that MathJax would have replaced had it typeset the page.
RAW_MATH = ["$$", "\\(", "\\)", "\\[", "\\]", "\\begin{", "\\frac", "\\tilde", "\\sigma"]


@dataclass
class PageReport:
    docname: str
    url: str
    problems: list            # console errors, page errors, foreign requests, failed loads
    facts: dict


def _visit(open_page, docname: str) -> PageReport:
    guarded = open_page(f"{docname}.html")
    try:
        facts = guarded.page.evaluate(PAGE_FACTS_JS)
        guarded.page.wait_for_timeout(200)   # late console messages of the page's own scripts
        return PageReport(docname, guarded.page.url, guarded.problems(), facts)
    finally:
        guarded.page.context.close()


@pytest.fixture(scope="session")
def page_report(open_page):
    cache: dict[str, PageReport] = {}

    def report(docname: str) -> PageReport:
        if docname not in cache:
            cache[docname] = _visit(open_page, docname)
        return cache[docname]

    return report


def test_page_loads_without_errors_or_other_hosts(toc_page, page_report):
    report = page_report(toc_page)
    assert not report.problems, f"{report.url}:\n" + "\n".join(report.problems)


def test_page_equations_are_typeset(toc_page, page_report):
    facts = page_report(toc_page).facts
    if facts["mathElements"]:
        assert facts["mathjaxLoaded"], f"{toc_page} has {facts['mathElements']} equations but no MathJax"
        assert facts["mathTypeset"] == facts["mathElements"], (
            f"{toc_page}: MathJax typeset {facts['mathTypeset']} of {facts['mathElements']} equations")
    left = [token for token in RAW_MATH if token in facts["prose"]]
    assert not left, f"{toc_page}: raw TeX left in the visible text: {left}"


def test_the_introduction_has_typeset_math(toc_docnames, page_report):
    """The per-page check passes trivially on a page without math; the introduction has some."""
    facts = page_report(toc_docnames[0]).facts
    assert facts["mathElements"] > 0 and facts["mjxContainers"] > 0, (
        f"{toc_docnames[0]}: {facts['mathElements']} equations, {facts['mjxContainers']} typeset")


def test_page_images_load(toc_page, page_report):
    images = page_report(toc_page).facts["images"]
    broken = [image["src"] for image in images if not image["complete"] or image["width"] == 0]
    assert not broken, f"{toc_page}: images that did not load: {broken}"


# The least space between the texts of two neighbouring cells of a rendered table.
MIN_CELL_GAP_PX = 8


def test_page_tables_have_a_header_and_space_between_columns(toc_page, page_report):
    for number, table in enumerate(page_report(toc_page).facts["tables"]):
        assert table["header"] > 0, f"{toc_page}: table {number} has no header row"
        for row in table["rows"]:
            cells = [cell for cell in row if cell["text"]]
            for left, right in zip(cells, cells[1:]):
                gap = right["left"] - left["right"]
                assert gap >= MIN_CELL_GAP_PX, (
                    f"{toc_page}: table {number}: {left['text']!r} and {right['text']!r} are "
                    f"{gap:.1f} px apart (at least {MIN_CELL_GAP_PX} px expected)")


def test_page_figures_are_captioned_and_referenced(toc_page, page_report):
    for image in page_report(toc_page).facts["outputImages"]:
        assert image["captioned"], f"{toc_page}: a figure without a caption: {image['src'][:80]}"
        assert image["referenced"], (
            f"{toc_page}: figure {image['id']!r} is not referred to from the text "
            "(add {numref}`its-name` where the text discusses it)")


def test_previous_and_next_links_follow_the_toc(toc_page, toc_docnames, page_report, book_server):
    index = toc_docnames.index(toc_page)
    facts = page_report(toc_page).facts
    expected = {"prev": toc_docnames[index - 1] if index > 0 else None,
                "next": toc_docnames[index + 1] if index + 1 < len(toc_docnames) else None}
    for direction, target in expected.items():
        href = facts[direction]
        if target is None:
            assert href is None, f"{toc_page}: a {direction} link to {href} on the {direction}most page"
            continue
        assert href is not None, f"{toc_page}: no {direction} link (expected {target})"
        assert urlsplit(href).path == f"/{target}.html", f"{toc_page}: {direction} is {href}, expected {target}"
        assert _status(href) == 200, f"{toc_page}: {direction} link {href} does not resolve"


_statuses: dict[str, int] = {}


def _status(url: str) -> int:
    url = urldefrag(url)[0]
    if url not in _statuses:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                _statuses[url] = response.status
        except urllib.error.HTTPError as error:
            _statuses[url] = error.code
    return _statuses[url]


def test_page_links_within_the_book_resolve(toc_page, page_report):
    links = {urldefrag(href)[0] for href in page_report(toc_page).facts["links"]
             if urlsplit(href).hostname == LOCAL_HOST}
    assert links, f"{toc_page} links to no other page of the book"
    broken = sorted(f"{url} (HTTP {_status(url)})" for url in links if _status(url) != 200)
    assert not broken, f"{toc_page}: links within the book that do not resolve: {broken}"


def test_screenshot_of_a_chapter(toc_docnames, open_page):
    """A chapter as a reader sees it: its top, and its first figure."""
    chapters = [name for name in toc_docnames[1:] if name.split("/")[-1][:2].isdigit()]
    assert chapters, f"no numbered chapter in _toc.yml: {toc_docnames}"
    docname = chapters[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = docname.split("/")[-1]
    guarded = open_page(f"{docname}.html", width=1280, height=1000)
    try:
        page = guarded.page
        page.evaluate("() => (window.MathJax && MathJax.startup) ? MathJax.startup.promise : null")
        top = SCREENSHOTS / f"chapter-{stem}.png"
        page.screenshot(path=str(top))
        figure = page.locator("article img").first
        assert figure.count() == 1, f"{docname} has no figure"
        figure.scroll_into_view_if_needed()
        figure_shot = SCREENSHOTS / f"chapter-{stem}-figure.png"
        figure.screenshot(path=str(figure_shot))
        assert not guarded.problems(), "\n".join(guarded.problems())
    finally:
        guarded.page.context.close()
    for shot in (top, figure_shot):
        assert shot.stat().st_size > 10_000, f"{shot} looks empty"
