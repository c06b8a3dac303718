"""Small display helpers shared by the chapters."""

import html
import inspect

from IPython.display import HTML, Markdown, display


def table_html(header, rows):
    """An HTML table of ``rows`` under ``header``, every value escaped.

    HTML renders the same in Jupyter and in the built book, where a Markdown table printed by
    a cell would stay raw text.
    """
    header = list(header)
    rows = [list(row) for row in rows]
    for number, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(
                f"Argument `rows`: row {number} has {len(row)} values but `header` has "
                f"{len(header)} columns; expected one value per column."
            )

    def cells(tag, row):
        return "".join(f"<{tag}>{html.escape(str(value))}</{tag}>" for value in row)

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', header)}</tr></thead><tbody>{body}</tbody></table>"


def show_table(header, rows):
    """Display ``rows`` under ``header`` as an HTML table (see ``table_html``)."""
    display(HTML(table_html(header, rows)))


def source_markdown(obj):
    """A fenced Python block of ``obj``'s source (a function, class or module), or of ``obj``
    itself when it is already source text (an excerpt chosen by a chapter)."""
    text = obj if isinstance(obj, str) else inspect.getsource(obj)
    return f"```python\n{text.rstrip()}\n```"


def show_source(obj):
    """Display the package's own source, highlighted: the book shows it, never a copy of it."""
    display(Markdown(source_markdown(obj)))
