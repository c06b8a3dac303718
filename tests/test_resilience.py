"""Crash and resume: a run interrupted by ``CrashAt`` and resumed from ``BackupAndRestore``
ends with the weights of a run that was never interrupted.

``tf.config.experimental.enable_op_determinism()`` is global and cannot be switched off, and
with it on, every unseeded random op raises; turning it on here would change every test that
runs after this module. The in-process tests therefore run without it (the CPU kernels these
small models use are deterministic, which the exact comparisons would expose otherwise), and
one test repeats the check in a subprocess with it on, as the chapter's notebook runs.
"""

import json
import os
import subprocess
import sys
import textwrap

import companion
import keras
import numpy as np
import pytest
import tensorflow as tf
from companion.datasets import long_term_tasks
from companion.experiments import resilience


def make_builder(cell_class, units=8, steps=12):
    def build():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((steps, 2)), keras.layers.RNN(cell_class(units)),
                                  keras.layers.Dense(1)])
        model.compile(keras.optimizers.Adam(1e-2), "mse")
        return model

    return build


def fit_kwargs(epochs=4, shuffle=False):
    x, y = long_term_tasks.adding_problem(96, 12, seed=3)
    return dict(x=x, y=y, batch_size=16, epochs=epochs, shuffle=shuffle, verbose=0)


def test_crash_at_raises_at_the_chosen_batch_only_once():
    model = make_builder(companion.SimpleRNNCell)()
    seen = []

    class Recorder(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append((self.epoch, batch))

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    crash = resilience.CrashAt(epoch=1, batch=2)
    with pytest.raises(resilience.SimulatedCrash, match="epoch 1, batch 2"):
        model.fit(**fit_kwargs(), callbacks=[Recorder(), crash])
    assert crash.fired and seen[-1] == (1, 2)
    assert model.optimizer.iterations.numpy() == 6 + 2  # 6 batches per epoch, then 2 more


@pytest.mark.parametrize("argument, value", [("epoch", -1), ("batch", 1.5), ("epoch", True)])
def test_crash_at_rejects_bad_positions(argument, value):
    kwargs = {"epoch": 0, "batch": 0, argument: value}
    with pytest.raises(ValueError, match=f"`{argument}`"):
        resilience.CrashAt(**kwargs)


@pytest.mark.parametrize(
    "cell_class, crash_epoch, crash_batch",
    [(companion.LSTMCell, 2, 3), (companion.GRUCell, 1, 0), (companion.SimpleRNNCell, 3, 5)],
)
def test_resumed_run_matches_uninterrupted_run_exactly(tmp_path, cell_class, crash_epoch, crash_batch):
    build = make_builder(cell_class)
    reference = build()
    reference_losses = reference.fit(**fit_kwargs()).history["loss"]

    run = resilience.train_with_crash_and_resume(
        build, fit_kwargs(), str(tmp_path / "backup"), crash_epoch, crash_batch,
        checkpoint_path=str(tmp_path / "ckpt" / "e{epoch:02d}.weights.h5"))

    assert run.backup_at_crash["epoch"] == crash_epoch
    assert run.epochs_run_after_resume == 4 - crash_epoch
    assert resilience.max_weight_difference(reference, run.model) == 0.0
    assert run.history_before_crash["loss"] + run.history_after_resume["loss"] == reference_losses
    assert run.model.optimizer.iterations.numpy() == reference.optimizer.iterations.numpy()
    if crash_batch > 0:  # the crashed process had done part of an epoch that the backup lacks
        assert resilience.max_weight_difference(reference, run.crashed_model) > 0
    assert sorted(os.listdir(tmp_path / "ckpt")) == [f"e{i:02d}.weights.h5" for i in range(1, 5)]
    assert not (tmp_path / "backup").exists()  # BackupAndRestore removes it after success


def test_resuming_restores_the_optimizer_state(tmp_path):
    """Without Adam's moments the resumed run would differ: check the backup holds them."""
    build = make_builder(companion.GRUCell)
    crashed = build()
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"), delete_checkpoint=False)
    with pytest.raises(resilience.SimulatedCrash):
        crashed.fit(**fit_kwargs(), callbacks=[backup, resilience.CrashAt(2, 1)])
    with open(tmp_path / "backup" / "training_metadata.json", encoding="utf-8") as file:
        assert json.load(file)["epoch"] == 2
    restored = build()
    restored.optimizer.build(restored.trainable_variables)
    restored.load_weights(str(tmp_path / "backup" / "latest.weights.h5"))
    assert restored.optimizer.iterations.numpy() == 2 * 6
    moments = [v for v in restored.optimizer.variables if "momentum" in v.path or "velocity" in v.path]
    assert moments and max(float(np.abs(v.numpy()).max()) for v in moments) > 0


class RecordOrder(keras.layers.Layer):
    """Identity layer that records column 0 (a sample id) of every batch it sees."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def _record(self, ids):
        self.seen.extend(int(i) for i in ids.numpy()[:, 0])
        return 0

    def call(self, x):
        tf.py_function(self._record, [x], tf.int32)
        return x


def fit_orders(n_samples=12, epochs=3):
    ids = np.arange(n_samples, dtype="float32")[:, None]
    recorder = RecordOrder()
    model = keras.Sequential([keras.Input((1,)), recorder, keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(ids, ids, batch_size=4, epochs=epochs, shuffle=True, verbose=0)
    return [tuple(recorder.seen[e * n_samples:(e + 1) * n_samples]) for e in range(epochs)]


def test_seeded_fit_shuffle_repeats_one_permutation_and_unseeded_does_not():
    """What the chapter reports about ``fit(shuffle=True)`` (Keras 3, TensorFlow backend)."""
    keras.utils.set_random_seed(0)
    seeded = fit_orders()
    assert seeded[0] != tuple(range(12)) and len(set(seeded)) == 1
    tf.random.set_seed(None)
    try:
        assert len(set(fit_orders())) == 3
    finally:
        keras.utils.set_random_seed(0)


def test_seeded_shuffle_therefore_still_resumes_exactly(tmp_path):
    build = make_builder(companion.GRUCell)
    reference = build()
    reference.fit(**fit_kwargs(shuffle=True))
    run = resilience.train_with_crash_and_resume(
        build, fit_kwargs(shuffle=True), str(tmp_path / "backup"), crash_epoch=2, crash_batch=3)
    assert resilience.max_weight_difference(reference, run.model) == 0.0


def test_helper_rejects_a_used_backup_dir_and_an_unreachable_crash(tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "latest.weights.h5").write_text("old")
    build = make_builder(companion.SimpleRNNCell)
    with pytest.raises(ValueError, match="`backup_dir`"):
        resilience.train_with_crash_and_resume(build, fit_kwargs(), str(used), 1)
    with pytest.raises(ValueError, match="`crash_epoch`"):
        resilience.train_with_crash_and_resume(build, fit_kwargs(), str(tmp_path / "new"), 4)


def test_max_weight_difference_rejects_different_architectures():
    small, large = make_builder(companion.GRUCell, 4)(), make_builder(companion.GRUCell, 5)()
    with pytest.raises(ValueError, match="`model_a`"):
        resilience.max_weight_difference(small, large)


DETERMINISTIC_SCRIPT = textwrap.dedent(
    """
    import json, sys, tempfile

    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    import keras

    import companion
    from companion.datasets import long_term_tasks
    from companion.experiments import resilience

    x, y = long_term_tasks.adding_problem(96, 12, seed=3)
    fit_kwargs = dict(x=x, y=y, batch_size=16, epochs=4, shuffle=False, verbose=0)


    def build():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((12, 2)), keras.layers.RNN(companion.LSTMCell(8)),
                                  keras.layers.Dense(1)])
        model.compile(keras.optimizers.Adam(1e-2), "mse")
        return model


    reference = build()
    reference.fit(**fit_kwargs)
    with tempfile.TemporaryDirectory() as directory:
        run = resilience.train_with_crash_and_resume(build, fit_kwargs, directory + "/backup", 2, 3)
    print("RESULT " + json.dumps({
        "difference": resilience.max_weight_difference(reference, run.model),
        "epochs_after_resume": run.epochs_run_after_resume,
    }))
    """
)


def test_resumed_run_matches_with_deterministic_ops_enabled():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    completed = subprocess.run([sys.executable, "-c", DETERMINISTIC_SCRIPT], capture_output=True,
                               text=True, env=env, timeout=540)
    assert completed.returncode == 0, completed.stderr[-3000:]
    [line] = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line[len("RESULT "):])
    assert result == {"difference": 0.0, "epochs_after_resume": 2}
