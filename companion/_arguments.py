"""Argument checks shared by the companion's modules (the cells have their own, in cells/_validation)."""

import numbers


def positive_int(name, value, minimum=1):
    """Return ``value`` as an ``int`` if it is an integer >= ``minimum``, else raise a ValueError
    naming the argument, the value and what is allowed (``True`` is not accepted as 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"Argument `{name}` must be {expected}, got {value!r}.")
    return int(value)
