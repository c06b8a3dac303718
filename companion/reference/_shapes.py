"""Shape checks shared by the NumPy reference cells.

Every check converts its argument to a float64 array and raises ``ValueError``
with a message that names the offending shape and the shape it was compared
against, so that a wrong weight layout is reported at the call site instead of
surfacing later as an obscure broadcasting error.
"""

import numpy as np


def as_float64(array):
    """Return ``array`` as a NumPy float64 array (no copy if already one)."""
    return np.asarray(array, dtype=np.float64)


def check_sequence(x):
    """Check that ``x`` is (batch, time, features); return the float64 array."""
    x = as_float64(x)
    if x.ndim != 3:
        raise ValueError(
            f"x has shape {x.shape}: expected a 3-D array of shape "
            "(batch, time, features)"
        )
    return x


def check_weights(x, kernel, recurrent_kernel, n_gates):
    """Check Keras' kernel layout against ``x``; return (kernel, recurrent_kernel, units).

    ``kernel`` must be (features, n_gates*units) and ``recurrent_kernel``
    (units, n_gates*units); ``units`` is read off ``recurrent_kernel``.
    """
    kernel = as_float64(kernel)
    recurrent_kernel = as_float64(recurrent_kernel)
    gates = f"{n_gates}*units" if n_gates > 1 else "units"
    features = x.shape[2]

    if recurrent_kernel.ndim != 2 or recurrent_kernel.shape[1] != (
        n_gates * recurrent_kernel.shape[0]
    ):
        units = recurrent_kernel.shape[0] if recurrent_kernel.ndim >= 1 else 0
        raise ValueError(
            f"recurrent_kernel has shape {recurrent_kernel.shape}: expected "
            f"(units, {gates}), e.g. {(units, n_gates * units)} for units={units}"
        )
    units = recurrent_kernel.shape[0]

    if kernel.ndim != 2 or kernel.shape[0] != features:
        raise ValueError(
            f"kernel has shape {kernel.shape} but x has shape {x.shape} "
            f"({features} features): expected kernel of shape "
            f"({features}, {gates})"
        )
    if kernel.shape[1] != n_gates * units:
        raise ValueError(
            f"kernel has shape {kernel.shape} but recurrent_kernel has shape "
            f"{recurrent_kernel.shape}: expected kernel of shape "
            f"{(features, n_gates * units)}"
        )
    return kernel, recurrent_kernel, units


def check_bias(bias, recurrent_kernel, expected_shape, note=""):
    """Check ``bias`` (``None`` allowed, meaning use_bias=False); return it as float64."""
    if bias is None:
        return None
    bias = as_float64(bias)
    if bias.shape != tuple(expected_shape):
        raise ValueError(
            f"bias has shape {bias.shape} but recurrent_kernel has shape "
            f"{recurrent_kernel.shape}: expected bias of shape "
            f"{tuple(expected_shape)}{note}"
        )
    return bias


def check_state(state, name, x, units):
    """Check an initial state (h0 or c0) is (batch, units); ``None`` gives zeros."""
    batch = x.shape[0]
    if state is None:
        return np.zeros((batch, units))
    state = as_float64(state)
    if state.shape != (batch, units):
        raise ValueError(
            f"{name} has shape {state.shape} but x has shape {x.shape} and "
            f"units={units}: expected {name} of shape {(batch, units)}"
        )
    return state


def check_d_outputs(d_outputs, outputs_shape):
    """Check that dLoss/d outputs has the shape of the forward outputs."""
    d_outputs = as_float64(d_outputs)
    if d_outputs.shape != tuple(outputs_shape):
        raise ValueError(
            f"d_outputs has shape {d_outputs.shape} but the forward outputs "
            f"have shape {tuple(outputs_shape)}: they must match"
        )
    return d_outputs
