r"""Tools for watching and taming gradients while a recurrent network trains.

* :func:`global_norm` -- the norm of all gradients together, :math:`\lVert g \rVert =
  \sqrt{\sum_v \lVert g_v \rVert^2}`, the number to watch for exploding gradients;
* :func:`clip_gradients` -- the three clipping rules of Keras' optimizers (``clipnorm``,
  ``clipvalue``, ``global_clipnorm``) written out in NumPy, so that they can be read and
  compared with what the optimizer does;
* :func:`train_with_gradient_norms` -- a training loop whose every step also reports the global
  norm of the gradient *before* the optimizer clips it, returned as a :class:`GradientTrace`;
* :func:`spectral_radius` and :func:`scale_to_spectral_radius` -- for setting a recurrent kernel
  to a chosen spectral radius, the knob that decides whether a linearised recurrence grows or
  decays.

The training step uses ``tf.GradientTape``, so it needs Keras' TensorFlow backend.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from companion import checks

__all__ = [
    "GradientTrace",
    "clip_gradients",
    "global_norm",
    "make_gradient_norm_step",
    "scale_to_spectral_radius",
    "spectral_radius",
    "train_with_gradient_norms",
]


def _as_arrays(gradients, name="gradients"):
    if isinstance(gradients, (str, bytes)) or not hasattr(gradients, "__iter__"):
        raise ValueError(
            f"Argument `{name}` must be a list of arrays (one per variable), got {gradients!r}."
        )
    arrays = [None if g is None else np.asarray(keras.ops.convert_to_numpy(g), dtype=np.float64)
              for g in gradients]
    if not arrays:
        raise ValueError(f"Argument `{name}` must hold at least one array, got an empty list.")
    return arrays


def global_norm(gradients):
    r"""The Euclidean norm of all gradients taken together, :math:`\sqrt{\sum_v \sum_i g_{v,i}^2}`.

    ``None`` entries (variables without a gradient) count as zero.

    >>> global_norm([np.array([3.0, 0.0]), np.array([[0.0], [4.0]])])
    5.0
    """
    arrays = _as_arrays(gradients)
    return float(np.sqrt(sum(np.sum(g**2) for g in arrays if g is not None)))


def _positive_or_none(name, value):
    return None if value is None else checks.positive_float(name, value)


def clip_gradients(gradients, *, clipnorm=None, clipvalue=None, global_clipnorm=None):
    r"""Clip a list of gradients the way a Keras optimizer does, in NumPy.

    With :math:`g_v` the gradient of variable :math:`v` and :math:`c` the threshold:

    * ``clipnorm`` (each variable on its own):
      :math:`g_v \leftarrow g_v \cdot c / \max(\lVert g_v \rVert, c)`;
    * ``clipvalue`` (each element on its own): :math:`g_{v,i} \leftarrow \min(\max(g_{v,i}, -c), c)`;
    * ``global_clipnorm`` (all variables together, Pascanu et al. 2013):
      :math:`g_v \leftarrow g_v \cdot c / \max(\lVert g \rVert, c)` with
      :math:`\lVert g \rVert` the :func:`global_norm`.

    Only ``global_clipnorm`` keeps the direction of the whole update; ``clipnorm`` keeps each
    variable's direction but changes their proportions, ``clipvalue`` changes both. As in Keras,
    at most one rule may be given; with none the gradients are returned unchanged (as copies).

    Returns:
        A list of float64 arrays (``None`` stays ``None``).
    """
    arrays = _as_arrays(gradients)
    rules = {"clipnorm": _positive_or_none("clipnorm", clipnorm),
             "clipvalue": _positive_or_none("clipvalue", clipvalue),
             "global_clipnorm": _positive_or_none("global_clipnorm", global_clipnorm)}
    given = {name: value for name, value in rules.items() if value is not None}
    if len(given) > 1:
        raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` may be set, "
                         f"got {given}.")
    if rules["clipnorm"] is not None:
        c = rules["clipnorm"]
        return [None if g is None else g * c / max(np.sqrt(np.sum(g**2)), c) for g in arrays]
    if rules["clipvalue"] is not None:
        c = rules["clipvalue"]
        return [None if g is None else np.clip(g, -c, c) for g in arrays]
    if rules["global_clipnorm"] is not None:
        c = rules["global_clipnorm"]
        scale = c / max(global_norm(arrays), c)
        return [None if g is None else g * scale for g in arrays]
    return [None if g is None else g.copy() for g in arrays]


def spectral_radius(matrix):
    """The largest absolute value of the eigenvalues of a square matrix."""
    matrix = _square_matrix(matrix)
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def _square_matrix(matrix):
    matrix = np.asarray(keras.ops.convert_to_numpy(matrix))
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"Argument `matrix` must be a square 2-D array, got shape {matrix.shape}.")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("Argument `matrix` must hold finite numbers only.")
    return matrix


def scale_to_spectral_radius(matrix, radius):
    r"""``matrix`` multiplied by the scalar that makes its spectral radius equal ``radius``.

    For a recurrent kernel :math:`U`, the linearised recurrence :math:`h_t = h_{t-1} U` grows
    like :math:`\rho(U)^t` along its leading eigenvector when :math:`\rho(U) > 1` and decays when
    :math:`\rho(U) < 1`; the same factors multiply the gradient on its way back through time.
    The result has the dtype of ``matrix``.

    >>> scale_to_spectral_radius(np.diag([0.5, -2.0]), 1.0).tolist()
    [[0.25, 0.0], [0.0, -1.0]]
    """
    matrix = _square_matrix(matrix)
    radius = checks.positive_float("radius", radius)
    current = spectral_radius(matrix)
    if current == 0:
        raise ValueError("Argument `matrix` has spectral radius 0 (it is nilpotent, e.g. all "
                         "zeros); no scaling can give it a positive radius.")
    return (matrix * (radius / current)).astype(matrix.dtype)


@dataclasses.dataclass
class GradientTrace:
    """What :func:`train_with_gradient_norms` recorded, one entry per optimiser step.

    Attributes:
        losses: the training loss of each step's batch (before that step's update).
        gradient_norms: the global norm of each step's gradient, before any clipping.
        seconds: wall time of the whole run.
        diverged: True if a loss or a gradient norm became NaN or infinite (training stopped
            at that step, which is the last entry).
        eval_steps, eval_losses: the held-out loss (``model.test_on_batch``, regularisation
            penalties included) before training (step 0) and every ``eval_every`` steps, when
            ``eval_data`` was given; empty otherwise.
    """

    losses: np.ndarray
    gradient_norms: np.ndarray
    seconds: float
    diverged: bool = False
    eval_steps: np.ndarray = dataclasses.field(default_factory=lambda: np.array([], dtype=int))
    eval_losses: np.ndarray = dataclasses.field(default_factory=lambda: np.array([]))

    @property
    def steps(self):
        """Step numbers 1, 2, ... of the recorded entries."""
        return np.arange(1, len(self.losses) + 1)


def make_gradient_norm_step(model):
    """One compiled training step of ``model`` that also returns the gradient's global norm.

    The step computes the compiled loss (plus any regularisation losses, via
    ``model.compute_loss``), its gradients, their global norm, and hands the gradients to
    ``model.optimizer``, which clips them if it was built with ``clipnorm``, ``clipvalue`` or
    ``global_clipnorm``. The norm returned is the one *before* clipping: the size of the
    gradient the loss surface produced, which clipping does not change.

    Args:
        model: a built and compiled ``keras.Model`` (TensorFlow backend).

    Returns:
        ``step(inputs, targets, sample_weight=None) -> (loss, gradient_norm)`` as floats.
    """
    if keras.backend.backend() != "tensorflow":
        raise ValueError("make_gradient_norm_step needs the TensorFlow backend, "
                         f"got KERAS_BACKEND={keras.backend.backend()!r}.")
    if not isinstance(model, keras.Model) or getattr(model, "optimizer", None) is None:
        raise ValueError(f"Argument `model` must be a compiled keras.Model, got {model!r}.")
    import tensorflow as tf  # only this backend is supported

    variables = model.trainable_variables

    @tf.function(reduce_retracing=True)
    def compiled_step(inputs, targets, sample_weight):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)
            loss = model.compute_loss(x=inputs, y=targets, y_pred=predictions,
                                      sample_weight=sample_weight, training=True)
        gradients = tape.gradient(loss, variables)
        norm = tf.linalg.global_norm([g for g in gradients if g is not None])
        model.optimizer.apply_gradients(zip(gradients, variables))
        return loss, norm

    def step(inputs, targets, sample_weight=None):
        loss, norm = compiled_step(inputs, targets, sample_weight)
        return float(loss), float(norm)

    return step


def train_with_gradient_norms(model, make_batch, max_steps, eval_data=None, eval_every=50):
    """Train a compiled ``model`` for ``max_steps`` steps, recording loss and gradient norm.

    Args:
        model: a compiled ``keras.Model`` (TensorFlow backend).
        make_batch: ``make_batch(step) -> (inputs, targets)`` or
            ``(inputs, targets, sample_weight)`` for steps 1, 2, ...
        max_steps: positive int.
        eval_data: optional ``(inputs, targets)`` held out, evaluated as one batch with
            ``model.test_on_batch`` (much cheaper than ``model.evaluate``) at step 0 and every
            ``eval_every`` steps.
        eval_every: positive int.

    Returns:
        A :class:`GradientTrace`. A step whose loss or gradient norm is NaN or infinite ends
        the run and marks it ``diverged``: divergence is a result, not an error.
    """
    for name, value in [("max_steps", max_steps), ("eval_every", eval_every)]:
        checks.positive_int(name, value)
    import time

    def held_out_loss():
        result = model.test_on_batch(*eval_data)
        return float(result[0] if isinstance(result, (list, tuple)) else result)

    step_fn = make_gradient_norm_step(model)
    losses, norms, eval_steps, eval_losses = [], [], [], []
    if eval_data is not None:
        eval_steps.append(0)
        eval_losses.append(held_out_loss())
    start = time.perf_counter()
    diverged = False
    for step in range(1, max_steps + 1):
        loss, norm = step_fn(*make_batch(step))
        losses.append(loss)
        norms.append(norm)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            diverged = True
            break
        if eval_data is not None and (step % eval_every == 0 or step == max_steps):
            eval_steps.append(step)
            eval_losses.append(held_out_loss())
    return GradientTrace(np.array(losses), np.array(norms), time.perf_counter() - start,
                         diverged, np.array(eval_steps, dtype=int), np.array(eval_losses))
