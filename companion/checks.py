"""Argument checks shared by every module of the companion package.

Keras clamps or silently accepts some bad arguments (a dropout of 1.5 becomes 1.0,
``units=2.5`` fails deep inside ``build``). The companion checks at the boundary instead:
each function returns the value in its canonical type, or raises a ``ValueError`` that names
the argument, the value and what is allowed. This module imports nothing else from the
package, so every layer of it may use these checks.
"""

import numbers

import keras


def _fail(name, value, expected):
    raise ValueError(f"Argument `{name}` must be {expected}, got {value!r}.")


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def positive_int(name, value, minimum=1):
    """``value`` as an ``int`` if it is an integer >= ``minimum`` (``True`` is not 1)."""
    if not _is_integer(value) or value < minimum:
        _fail(name, value, "a positive integer" if minimum == 1 else f"an integer >= {minimum}")
    return int(value)


def optional_positive_int(name, value, minimum=1):
    """``None``, or ``value`` checked by :func:`positive_int`."""
    return None if value is None else positive_int(name, value, minimum)


def rate(name, value):
    """A dropout rate: a float in [0, 1), the fraction of units to drop."""
    if not _is_real(value) or not 0.0 <= value < 1.0:
        _fail(name, value, "a float in [0, 1) (the fraction of units to drop)")
    return float(value)


def positive_float(name, value):
    """A finite real number > 0."""
    if not _is_real(value) or not 0.0 < value < float("inf"):
        _fail(name, value, "a finite number > 0")
    return float(value)


def flag(name, value):
    """``True`` or ``False`` (not 0, 1 or a string)."""
    if not isinstance(value, bool):
        _fail(name, value, "True or False")
    return value


def seed(name, value):
    """An integer seed, or ``None`` for an unseeded draw."""
    if value is not None and not _is_integer(value):
        _fail(name, value, "an integer or None")
    return None if value is None else int(value)


def choice(name, value, allowed):
    """One of ``allowed``."""
    if value not in allowed:
        _fail(name, value, "one of " + ", ".join(repr(a) for a in allowed))
    return value


def _resolve(kind, getter, name, value):
    try:
        return getter(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"Argument `{name}` got {value!r}, which is not a known Keras {kind}: "
            f"expected a {kind} name such as {_EXAMPLES[kind]}, an instance or callable, "
            f"or None. ({error})"
        ) from None


_EXAMPLES = {
    "activation": "'tanh', 'sigmoid', 'relu' or 'linear'",
    "initializer": "'glorot_uniform', 'orthogonal' or 'zeros'",
    "regularizer": "'l2'",
    "constraint": "'max_norm' or 'non_neg'",
}


def activation(name, value):
    """A Keras activation, resolved with ``keras.activations.get``."""
    return _resolve("activation", keras.activations.get, name, value)


def initializer(name, value):
    """A Keras initializer, resolved with ``keras.initializers.get``."""
    return _resolve("initializer", keras.initializers.get, name, value)


def regularizer(name, value):
    """A Keras regularizer (or ``None``), resolved with ``keras.regularizers.get``."""
    return _resolve("regularizer", keras.regularizers.get, name, value)


def constraint(name, value):
    """A Keras constraint (or ``None``), resolved with ``keras.constraints.get``."""
    return _resolve("constraint", keras.constraints.get, name, value)
