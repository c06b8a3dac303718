"""Tables shown by the chapters are well-formed and escaped."""

import re

import pytest
from companion.views.display import source_markdown, table_html


def test_table_has_one_cell_per_value_and_escapes_markup():
    html = table_html(["model", "MSE"], [["<b>GRU</b>", 0.5], ["LSTM & co", 1]])
    assert html.count("<tr>") == 3 and html.count("<th ") == 2 and html.count("<td ") == 4
    assert "&lt;b&gt;GRU&lt;/b&gt;" in html and "LSTM &amp; co" in html
    assert re.search(r"<td [^>]*>0\.5</td>", html)
    assert 'class="table companion-table"' in html and "padding:" in html


def _alignment(html, column):
    rule = re.search(r"\.col%d \{\s*text-align: (\w+);" % column, html)
    return rule.group(1)


def test_number_columns_are_right_aligned_and_text_columns_left():
    html = table_html(["model", "RMSE", "ratio", "note"],
                      [["GRU", "3.48 \u00b1 1.51", "0.76x", "fast"], ["LSTM", 2.9, "1.2e-05", "12 %"]])
    assert [_alignment(html, j) for j in range(4)] == ["left", "right", "right", "left"]


def test_the_same_table_gets_the_same_html_on_every_call():
    rows = [["a", 1.5], ["b", 2]]
    assert table_html(["x", "y"], rows) == table_html(["x", "y"], rows)
    assert table_html(["x", "y"], rows) != table_html(["x", "y"], rows[:1])


def test_ragged_rows_are_refused():
    with pytest.raises(ValueError, match=r"row 1 has 3 values but `header` has 2 columns"):
        table_html(["a", "b"], [[1, 2], [1, 2, 3]])


def test_source_is_the_installed_code_in_a_fenced_block():
    block = source_markdown(table_html)
    assert block.startswith("```python\ndef table_html(header, rows):")
    assert block.endswith("\n```") and "escape=\"html\"" in block
    assert source_markdown("x = 1\n\n") == "```python\nx = 1\n```"  # an excerpt, as given
