"""The experiments the book runs, one module each (listed in ``companion.experiments.catalogue``)."""
