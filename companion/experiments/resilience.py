"""Not losing work: simulate a crash in the middle of ``fit`` and resume from a backup.

``CrashAt`` is a Keras callback that raises ``SimulatedCrash`` at a chosen epoch and batch,
as a killed process or a lost machine would stop a run. ``train_with_crash_and_resume``
runs ``fit`` with ``keras.callbacks.BackupAndRestore`` (and, optionally, a
``ModelCheckpoint``) until the crash, then builds a *new* model, as a restarted process
would, and calls the same ``fit`` again: the backup restores the weights, the optimizer's
state and the epoch counter, and training continues where the last backup was taken.
"""

import dataclasses
import json
import os

import keras

from companion import checks


class SimulatedCrash(RuntimeError):
    """Raised by ``CrashAt`` to stand for a process that died during training."""


class CrashAt(keras.callbacks.Callback):
    """Raise ``SimulatedCrash`` when training reaches (0-based) ``epoch`` and ``batch``.

    The crash happens at the *start* of that batch, before its update, so ``batch=0``
    stops the run as it enters ``epoch``. It fires once per callback instance.
    """

    def __init__(self, epoch, batch=0):
        super().__init__()
        for name, value in [("epoch", epoch), ("batch", batch)]:
            checks.positive_int(name, value, minimum=0)
        self.epoch, self.batch = int(epoch), int(batch)
        self._current_epoch = None
        self.fired = False

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if not self.fired and self._current_epoch == self.epoch and batch == self.batch:
            self.fired = True
            raise SimulatedCrash(f"simulated crash at epoch {self.epoch}, batch {self.batch}")


@dataclasses.dataclass
class ResumedRun:
    """What ``train_with_crash_and_resume`` did.

    Attributes:
        model: the model of the second (resumed) ``fit``, trained to the end.
        crashed_model: the model of the first ``fit``, as it was when it crashed.
        backup_at_crash: the backup's metadata when the crash happened, e.g.
            ``{"epoch": 3, "batch": 0}``: the number of finished epochs it holds.
        epochs_run_after_resume: how many epochs the second ``fit`` ran.
        history_before_crash: ``fit``'s per-epoch logs up to the crash (from a History
            callback, since the crashed ``fit`` returns nothing).
        history_after_resume: ``fit``'s returned history of the resumed run.
    """

    model: keras.Model
    crashed_model: keras.Model
    backup_at_crash: dict
    epochs_run_after_resume: int
    history_before_crash: dict
    history_after_resume: dict


def train_with_crash_and_resume(
    build_model, fit_kwargs, backup_dir, crash_epoch, crash_batch=0, checkpoint_path=None
):
    """Train, crash at ``(crash_epoch, crash_batch)``, rebuild the model and resume.

    Args:
        build_model: ``build_model() -> keras.Model``, compiled and built (BackupAndRestore
            needs built weights to load into). Called twice: once per process.
        fit_kwargs: keyword arguments of ``model.fit`` (data, ``epochs``, ``batch_size``,
            ``shuffle``...), the same for both runs. For the resumed run to match an
            uninterrupted one exactly, the data order must not depend on the run: pass
            ``shuffle=False`` or data shuffled once beforehand.
        backup_dir: directory of ``BackupAndRestore`` (must not exist or be empty).
        crash_epoch, crash_batch: where ``CrashAt`` stops the first run (0-based).
        checkpoint_path: if given, a ``ModelCheckpoint`` also saves the weights there at
            every epoch end, e.g. ``".../epoch{epoch:02d}.weights.h5"``.

    Returns:
        A ``ResumedRun``.
    """
    if os.path.isdir(backup_dir) and os.listdir(backup_dir):
        raise ValueError(
            f"Argument `backup_dir` must be a new or empty directory, got {backup_dir!r} "
            f"which holds {sorted(os.listdir(backup_dir))}: an old backup would be restored."
        )
    epochs = fit_kwargs.get("epochs", 1)
    if not 0 <= crash_epoch < epochs:
        raise ValueError(
            f"Argument `crash_epoch` must be in [0, epochs={epochs}), got {crash_epoch!r}."
        )

    def callbacks(*extra):
        found = [keras.callbacks.BackupAndRestore(backup_dir)]
        if checkpoint_path is not None:
            found.append(
                keras.callbacks.ModelCheckpoint(checkpoint_path, save_weights_only=True)
            )
        return found + list(extra)

    crashed_model = build_model()
    history = keras.callbacks.History()
    try:
        crashed_model.fit(
            **fit_kwargs, callbacks=callbacks(history, CrashAt(crash_epoch, crash_batch))
        )
    except SimulatedCrash:
        pass
    else:
        raise RuntimeError(f"training ended without reaching the crash at epoch {crash_epoch}")
    metadata_path = os.path.join(backup_dir, "training_metadata.json")
    backup_at_crash = {"epoch": 0, "batch": 0}
    if os.path.exists(metadata_path):
        with open(metadata_path, encoding="utf-8") as file:
            backup_at_crash = json.load(file)

    model = build_model()  # a new process: fresh weights, fresh optimizer
    resumed = model.fit(**fit_kwargs, callbacks=callbacks())
    return ResumedRun(
        model=model,
        crashed_model=crashed_model,
        backup_at_crash=backup_at_crash,
        epochs_run_after_resume=len(resumed.epoch),
        history_before_crash=dict(history.history),
        history_after_resume=dict(resumed.history),
    )


def max_weight_difference(model_a, model_b):
    """Largest absolute difference between the weights of two models of the same architecture."""
    weights_a, weights_b = model_a.get_weights(), model_b.get_weights()
    if [w.shape for w in weights_a] != [w.shape for w in weights_b]:
        raise ValueError("Arguments `model_a` and `model_b` must have weights of the same shapes.")
    return max(float(abs(a - b).max()) for a, b in zip(weights_a, weights_b))
