"""Argument checks shared by the companion cells.

Keras clamps or silently accepts some bad arguments (a dropout of 1.5 becomes 1.0,
``units=2.5`` fails deep inside ``build``). The companion cells check at the boundary
instead and raise a ``ValueError`` that names the argument, the value and what is allowed.
"""

import numbers

import keras


def check_units(units):
    """Return ``units`` as an ``int`` if it is a positive integer, else raise."""
    if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
        raise ValueError(
            f"Argument `units` must be a positive integer, got {units!r} "
            f"(of type {type(units).__name__})."
        )
    return int(units)


def check_rate(name, rate):
    """Return a dropout ``rate`` as a ``float`` if it lies in [0, 1), else raise."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0.0 <= rate < 1.0:
        raise ValueError(
            f"Argument `{name}` must be a float in [0, 1) (the fraction of units to "
            f"drop), got {rate!r}."
        )
    return float(rate)


def check_bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"Argument `{name}` must be True or False, got {value!r}.")
    return value


def check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise ValueError(f"Argument `seed` must be an integer or None, got {seed!r}.")
    return None if seed is None else int(seed)


def _resolve(kind, getter, name, value):
    try:
        return getter(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"Argument `{name}` got {value!r}, which is not a known Keras {kind}: "
            f"expected a {kind} name such as "
            f"{_EXAMPLES[kind]}, an instance or callable, or None. ({error})"
        ) from None


_EXAMPLES = {
    "activation": "'tanh', 'sigmoid', 'relu' or 'linear'",
    "initializer": "'glorot_uniform', 'orthogonal' or 'zeros'",
    "regularizer": "'l2'",
    "constraint": "'max_norm' or 'non_neg'",
}


def resolve_activation(name, value):
    return _resolve("activation", keras.activations.get, name, value)


def resolve_initializer(name, value):
    return _resolve("initializer", keras.initializers.get, name, value)


def resolve_regularizer(name, value):
    return _resolve("regularizer", keras.regularizers.get, name, value)


def resolve_constraint(name, value):
    return _resolve("constraint", keras.constraints.get, name, value)


def check_step_shape(cell_name, step_shape):
    """A cell sees one time step at a time: a 2-D ``(batch, features)`` tensor."""
    step_shape = tuple(step_shape)
    if len(step_shape) != 2 or step_shape[-1] is None:
        raise ValueError(
            f"{cell_name} expects each time step as a 2-D tensor of shape "
            f"(batch, features) with a known number of features, so the input of "
            f"`keras.layers.RNN` must be 3-D (batch, time, features); the cell got a "
            f"step of shape {step_shape}."
        )
