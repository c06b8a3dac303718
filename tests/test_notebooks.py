"""Notebooks are committed clean, run in the project's kernel, and are all in the book."""

from __future__ import annotations

import json
from pathlib import Path

import dev

ROOT = dev.ROOT
BOOK = ROOT / "book"

SUFFIXES = (".ipynb", ".md")


def test_notebook_has_no_outputs(notebook: Path):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    dirty = [
        index for index, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (f"{notebook.relative_to(ROOT)}: code cells {dirty} carry outputs or an "
                       "execution count; clear them before committing (the build executes every notebook)")


def test_notebook_kernel_is_python3(notebook: Path):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    kernelspec = nb.get("metadata", {}).get("kernelspec", {})
    assert kernelspec.get("name") == "python3", (
        f"{notebook.relative_to(ROOT)}: metadata.kernelspec.name is {kernelspec.get('name')!r}, "
        "expected 'python3' (the kernel of the project's .venv)")


def test_every_toc_entry_exists(toc_docnames: list[str]):
    missing = [name for name in toc_docnames
               if not any((ROOT / (name + suffix)).is_file() for suffix in SUFFIXES)]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"
    ambiguous = [name for name in toc_docnames
                 if sum((ROOT / (name + suffix)).is_file() for suffix in SUFFIXES) > 1]
    assert not ambiguous, f"_toc.yml entries with both a .md and an .ipynb: {ambiguous}"
    assert len(set(toc_docnames)) == len(toc_docnames), "_toc.yml lists a page twice"


def test_every_page_in_book_is_in_toc(toc_docnames: list[str]):
    """`only_build_toc_files: true` would silently leave out a page missing from _toc.yml."""
    listed = set(toc_docnames)
    pages = sorted(p for suffix in SUFFIXES for p in BOOK.rglob("*" + suffix)
                   if ".ipynb_checkpoints" not in p.parts)
    unlisted = [str(p.relative_to(ROOT)) for p in pages
                if p.relative_to(ROOT).with_suffix("").as_posix() not in listed]
    assert not unlisted, f"pages under book/ that _toc.yml does not list (they would not be built): {unlisted}"


# The rendered page shows a code cell without scrolling sideways up to this many characters.
MAX_CODE_LINE = 88


def test_code_lines_fit_the_page(notebook: Path):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    long = [(index, line) for index, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines() if len(line) > MAX_CODE_LINE]
    assert not long, (f"{notebook.relative_to(ROOT)}: code lines longer than {MAX_CODE_LINE} "
                      f"characters (cell, line): {long[:5]}")


def test_figures_have_captions_and_are_referred_to(notebook: Path):
    """A cell whose output is a figure carries myst-nb figure metadata (a caption and a name),
    and the text points to it with {numref}; the browser test checks the rendered page."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    prose = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for index, cell in enumerate(nb["cells"]):
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
        if figure is None:
            continue
        assert len(figure.get("caption", "")) > 20, (
            f"{notebook.relative_to(ROOT)}: cell {index}: a figure needs a caption")
        name = figure.get("name", "")
        assert name.startswith("fig-"), (
            f"{notebook.relative_to(ROOT)}: cell {index}: figure name {name!r} should start with fig-")
        assert f"{{numref}}`{name}`" in prose, (
            f"{notebook.relative_to(ROOT)}: figure {name} is never referred to "
            f"({{numref}}`{name}` in the text)")


def test_plumbing_cells_are_hidden(notebook: Path):
    """A cell that only glues values into the prose or asserts claims runs, but the page does
    not show it (tag remove-cell): the reader sees prose, teaching code, figures and tables."""
    import ast

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        body = ast.parse("".join(cell["source"])).body
        plumbing = all(
            isinstance(s, ast.Assert) or (
                isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                and getattr(s.value.func, "id", None) == "glue")
            for s in body)
        if body and plumbing:
            assert "remove-cell" in tags or "remove-input" in tags, (
                f"{notebook.relative_to(ROOT)}: cell {index} only glues or asserts; tag it "
                "remove-cell")
