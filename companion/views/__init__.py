"""What the reader sees: tables, figures, the chapters' display helpers, the cell explorer.

``display`` (HTML tables, the package's source shown in a chapter), ``figures`` (drawings and
plots that are code), ``explorer`` (the LSTM/GRU cell explorer and its assets).

May import every sub-package.
"""
