"""Small display helpers shared by the chapters."""

import html

from IPython.display import HTML, display


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
