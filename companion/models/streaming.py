r"""A causal frame labeller, and the same model run one frame at a time (streaming).

``frame_labeller`` is the smallest model that labels a stream of frames: a unidirectional GRU
and a dense layer giving, at every frame, logits over the output symbols (for CTC, the blank
and the labels). Because it is causal, its output at frame $t$ depends on frames $1 \dots t$
only, so it can run while the input is still arriving. ``streaming_copy`` builds the same
model with a *stateful* GRU for a batch of one: each call takes the next frames and starts
from the state the previous call left, until ``reset_state`` is called, between two
streams. ``stream`` feeds a sequence to it frame by frame.

``OnlineGreedyCTC`` turns the per-frame argmax into labels as they come: a symbol is emitted
when the argmax changes to a non-blank symbol, which is best-path decoding
(``companion.reference.ctc.best_path_decode``) done one frame at a time.
"""

import keras
import numpy as np

from companion import checks


def frame_labeller(n_features, n_symbols, units=32, stateful=False, batch_size=None):
    """``frames (batch, T, n_features) -> logits (batch, T, n_symbols)``: GRU, then Dense.

    With ``stateful=True`` the GRU keeps its state from call to call (Keras needs a fixed
    ``batch_size`` for that).
    """
    n_features = checks.positive_int("n_features", n_features)
    n_symbols = checks.positive_int("n_symbols", n_symbols, minimum=2)
    units = checks.positive_int("units", units)
    stateful = checks.flag("stateful", stateful)
    if stateful and batch_size is None:
        raise ValueError("Argument `batch_size` must be set for a stateful model (Keras keeps "
                         "one state per row of a fixed batch).")
    frames = keras.Input(batch_shape=(batch_size, None, n_features), name="frames")
    # use_cudnn=False: the same kernels in training, export and streaming
    states = keras.layers.GRU(units, return_sequences=True, stateful=stateful,
                              use_cudnn=False, name="recurrent")(frames)
    logits = keras.layers.Dense(n_symbols, name="logits")(states)
    return keras.Model(frames, logits, name="frame_labeller")


def streaming_copy(model):
    """A stateful copy of a ``frame_labeller`` for one stream, with the same weights."""
    recurrent, dense = model.get_layer("recurrent"), model.get_layer("logits")
    copy = frame_labeller(model.input_shape[-1], dense.units, recurrent.units, stateful=True,
                          batch_size=1)
    copy.set_weights(model.get_weights())
    return copy


def reset_state(model):
    """Zero the state of every stateful layer of ``model`` (between two streams)."""
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()


def stream(stateful_model, frames, reset=True):
    """Run ``frames (T, n_features)`` through ``stateful_model`` one frame per call; returns
    the logits ``(T, n_symbols)``. ``reset=False`` continues from the state the model holds."""
    frames = np.asarray(frames, dtype="float32")
    if reset:
        reset_state(stateful_model)
    # predict_on_batch runs a compiled function (traced once per input shape) and keeps the
    # state; an eager call would run the GRU's loop operation by operation
    outputs = [np.asarray(stateful_model.predict_on_batch(frames[None, t:t + 1]))[0, 0]
               for t in range(len(frames))]
    return np.stack(outputs)


class OnlineGreedyCTC:
    """Best-path CTC decoding, one frame at a time: ``push(logits)`` returns the label emitted
    at that frame, or ``None``."""

    def __init__(self, blank=0):
        self.blank = checks.positive_int("blank", blank, minimum=0)
        self.previous = self.blank
        self.labels = []

    def push(self, frame_logits):
        symbol = int(np.argmax(frame_logits))
        emitted = symbol if symbol not in (self.blank, self.previous) else None
        self.previous = symbol
        if emitted is not None:
            self.labels.append(emitted)
        return emitted
