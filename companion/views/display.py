"""What the chapters display besides figures: tables, and the package's own source.

Tables are pandas ``Styler`` HTML with the theme's ``table`` class: a header row, padding
between columns, and numbers (including "3.48 \u00b1 1.51", "0.95x", "12 %") right-aligned
in their column. HTML renders the same in Jupyter and in the built book, where a Markdown
table printed by a cell would stay raw text.
"""

import hashlib
import inspect
import re

import pandas as pd
from IPython.display import HTML, Markdown, display

# A cell reads as a number when it is one, or a string of numbers with units and signs
# ("1.2e-05", "3.48 \u00b1 1.51", "0.76x", "-12 %", "2,400"): such a column is right-aligned.
_NUMBER = re.compile(
    r"^[\s(]*[-+\u2212]?[$\u00a3]?[\d.,]+(e[-+]?\d+)?(\s*(\u00b1|\+-|to|/|x|%|\u00d7|ms|s|MiB|k|M)"
    r"\s*[-+]?[\d.,]*(e[-+]?\d+)?)*[\s)%x]*$",
    re.IGNORECASE,
)
# padding inside every cell; the Chromium test of the built book measures the gaps it leaves
CELL_PADDING = "0.3em 0.9em"


def _is_number(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return bool(_NUMBER.match(str(value))) and any(ch.isdigit() for ch in str(value))


def table_html(header, rows):
    """An HTML table of ``rows`` under ``header``: every value escaped and shown as ``str``
    gives it, numbers right-aligned (a column whose values are all numbers is right-aligned,
    header included), cells padded."""
    header = [str(name) for name in header]
    rows = [list(row) for row in rows]
    for number, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(
                f"Argument `rows`: row {number} has {len(row)} values but `header` has "
                f"{len(header)} columns; expected one value per column."
            )
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype=object)
    numeric = [bool(rows) and all(_is_number(row[j]) or str(row[j]) in {"", "-", "\u2013"}
                                  for row in rows) for j in range(len(header))]
    # the same table gets the same element ids on every run (a rerun prints the same page)
    uuid = hashlib.sha256(repr((header, rows)).encode()).hexdigest()[:10]
    styler = (
        frame.style.hide(axis="index")
        .format(str, escape="html")
        .format_index(lambda j: header[j], axis=1, escape="html")
        .set_uuid(uuid)
        .set_table_attributes('class="table companion-table"')
        .set_table_styles(
            [{"selector": "th, td", "props": f"padding: {CELL_PADDING}; vertical-align: top;"}]
            + [{"selector": f".col{j}", "props": "text-align: right;"}
               for j in range(len(header)) if numeric[j]]
            + [{"selector": f".col{j}", "props": "text-align: left;"}
               for j in range(len(header)) if not numeric[j]]
        )
    )
    return styler.to_html()


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
