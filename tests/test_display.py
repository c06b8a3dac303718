"""Tables shown by the chapters are well-formed and escaped."""

import re

import pytest

from companion.display import source_markdown, table_html


def test_table_has_one_cell_per_value_and_escapes_markup():
    html = table_html(["model", "MSE"], [["<b>GRU</b>", 0.5], ["LSTM & co", 1]])
    assert html.count("<tr>") == 3 and html.count("<th>") == 2 and html.count("<td>") == 4
    assert "&lt;b&gt;GRU&lt;/b&gt;" in html and "LSTM &amp; co" in html
    assert re.search(r"<td>0\.5</td>", html)


def test_ragged_rows_are_refused():
    with pytest.raises(ValueError, match=r"row 1 has 3 values but `header` has 2 columns"):
        table_html(["a", "b"], [[1, 2], [1, 2, 3]])


def test_source_is_the_installed_code_in_a_fenced_block():
    block = source_markdown(table_html)
    assert block.startswith("```python\ndef table_html(header, rows):")
    assert block.endswith("\n```") and "html.escape" in block
    assert source_markdown("x = 1\n\n") == "```python\nx = 1\n```"  # an excerpt, as given
