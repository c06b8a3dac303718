r"""What an optimiser step does to the weights, compared with the gradient it was given.

Gradient clipping bounds the *gradient*. Whether it also bounds the *step* depends on the
optimiser. Plain SGD moves the weights by :math:`-\eta\, g`, so with ``global_clipnorm=c`` the
update has norm at most :math:`c\,\eta` and points straight down the clipped gradient. Adam
feeds the clipped gradient into running estimates of its mean and of its square, and moves
each weight by about :math:`\eta\, \hat m / \sqrt{\hat v}`: every coordinate moves by up to
about :math:`\eta`, so the whole update can reach about :math:`\eta \sqrt{N}` for :math:`N`
weights, whatever :math:`c`, and its direction is not the gradient's.

:func:`update_geometry` makes a few optimiser steps and measures, for each, the update's norm
relative to :math:`c\,\eta` and its cosine with the negative clipped gradient.

The gradient is computed with ``tf.GradientTape``, so this needs Keras' TensorFlow backend.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from companion.experiments.gradient_tools import clip_gradients, global_norm

__all__ = ["UpdateGeometry", "update_geometry"]


@dataclasses.dataclass
class UpdateGeometry:
    """What :func:`update_geometry` measured, one entry per optimiser step.

    Attributes:
        gradient_norms: the global norm of each step's gradient, before clipping.
        step_over_bound: the norm of the update :math:`\\Delta\\theta` (all weights together)
            divided by :math:`c\\,\\eta`, the clipping threshold times the learning rate.
            With plain SGD it is at most 1.
        cosines: the cosine between the update and the negative clipped gradient
            (1: the step goes straight down the clipped gradient, as with plain SGD).
    """

    gradient_norms: np.ndarray
    step_over_bound: np.ndarray
    cosines: np.ndarray


def _flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


def update_geometry(model, batches):
    r"""Make one step of ``model.optimizer`` per batch; measure each update against the gradient.

    Args:
        model: a compiled ``keras.Model`` (TensorFlow backend) whose optimizer was built with
            ``global_clipnorm``. Its weights are updated. With a learning-rate schedule,
            each step is measured against the rate of that step.
        batches: an iterable of ``(inputs, targets)``, one per step.

    Returns:
        An :class:`UpdateGeometry`.
    """
    if keras.backend.backend() != "tensorflow":
        raise ValueError("update_geometry needs the TensorFlow backend, "
                         f"got KERAS_BACKEND={keras.backend.backend()!r}.")
    if not isinstance(model, keras.Model) or getattr(model, "optimizer", None) is None:
        raise ValueError(f"Argument `model` must be a compiled keras.Model, got {model!r}.")
    optimizer = model.optimizer
    clip = getattr(optimizer, "global_clipnorm", None)
    if clip is None:
        raise ValueError("Argument `model` must be compiled with an optimizer built with "
                         "`global_clipnorm`, which sets the bound c * learning_rate that the "
                         f"update is measured against; got {type(optimizer).__name__} without it.")
    import tensorflow as tf  # only this backend is supported

    variables = model.trainable_variables

    @tf.function(reduce_retracing=True)
    def gradients_of(inputs, targets):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)
            loss = model.compute_loss(x=inputs, y=targets, y_pred=predictions, training=True)
        return tape.gradient(loss, variables)

    norms, ratios, cosines = [], [], []
    for inputs, targets in batches:
        gradients = gradients_of(inputs, targets)
        raw = [keras.ops.convert_to_numpy(g) for g in gradients]
        descent = -_flat(clip_gradients(raw, global_clipnorm=clip))
        # the rate this step uses (a schedule is evaluated at the current iteration)
        learning_rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        before = [np.asarray(v.numpy(), dtype=np.float64) for v in variables]
        optimizer.apply_gradients(zip(gradients, variables))
        update = _flat([np.asarray(v.numpy(), dtype=np.float64) - b
                        for v, b in zip(variables, before)])
        norms.append(global_norm(raw))
        ratios.append(float(np.linalg.norm(update) / (clip * learning_rate)))
        cosines.append(float(update @ descent
                             / (np.linalg.norm(update) * np.linalg.norm(descent))))
    return UpdateGeometry(np.array(norms), np.array(ratios), np.array(cosines))
