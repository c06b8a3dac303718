"""The companion on JAX and on PyTorch, as on TensorFlow (Keras 3's other backends).

Keras chooses its backend once, when it is first imported, so each backend runs in a fresh
Python process: tests/test_backend_agnostic.py (cells, attention, Transformer blocks, min-RNNs
against Keras' layers, outputs to 1e-5 and gradients to 1e-4 by the backend's own
differentiation; fit with dropout, masking, save and reload) under KERAS_BACKEND=jax and
KERAS_BACKEND=torch. A model saved by this TensorFlow process must load and predict the same
in each of them.
"""

import os
import subprocess
import sys
import time

import pytest
from test_backend_agnostic import write_cross_backend_model

import dev


@pytest.fixture(scope="module")
def saved_under_tensorflow(tmp_path_factory):
    import keras

    assert keras.backend.backend() == "tensorflow", "the suite itself runs on TensorFlow"
    return write_cross_backend_model(str(tmp_path_factory.mktemp("cross_backend")))


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_backend_agnostic_checks_pass_on(backend, saved_under_tensorflow):
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2",
           "COMPANION_CROSS_BACKEND_MODEL": saved_under_tensorflow}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_backend_agnostic.py", "-q",
         "-p", "no:cacheprovider", "-o", "addopts=", "-s", "-W", "ignore::DeprecationWarning"],
        cwd=dev.ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    seconds = time.perf_counter() - started
    report = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, f"{backend}: the checks failed\n{report}"
    assert f"{backend} lstm: outputs" in result.stdout, f"{backend}: did the cells run?\n{report}"
    print(f"{backend}: tests/test_backend_agnostic.py passed in {seconds:.0f} s")
    import re

    for line in re.findall(rf"{backend} \w+: outputs [^\n]*", result.stdout):
        print("  " + line)


DATA_PARALLEL_CHECK = """
import keras, numpy as np
import companion
from companion.experiments.data_parallel import fit_data_parallel

def build():
    model = keras.Sequential([keras.Input((10, 3)), keras.layers.RNN(companion.GRUCell(8)),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    return model

rng = np.random.default_rng(0)
x = rng.normal(size=(64, 10, 3)).astype("float32")
y = x[:, :, 0].sum(axis=1, keepdims=True)
model, history, devices = fit_data_parallel(build, x, y, epochs=3, batch_size=16)
losses = history.history["loss"]
assert len(devices) == 2, devices
assert losses[-1] < losses[0], losses
print("devices", devices, "losses", losses)
"""


def test_keras_distribution_data_parallel_on_two_jax_devices():
    """The book's data-parallel example (chapter 6b) trains on two devices: JAX shows the
    CPU as two when XLA is told so before it starts."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "2",
           "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    result = subprocess.run([sys.executable, "-c", DATA_PARALLEL_CHECK], cwd=dev.ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "devices ['cpu:0', 'cpu:1']" in result.stdout


def test_data_parallel_refuses_a_backend_without_keras_distribution():
    import keras

    from companion.experiments.data_parallel import fit_data_parallel

    with pytest.raises(ValueError, match="runs on the JAX backend; this process runs Keras on "
                                         "'tensorflow'"):
        fit_data_parallel(lambda: keras.Sequential(), None, None)
