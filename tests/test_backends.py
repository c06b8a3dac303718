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
