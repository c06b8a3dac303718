"""Data parallelism with the companion cells: MirroredStrategy on two logical CPU devices
trains exactly as one device with the same global batch.

TensorFlow can split the CPU into logical devices only before it initialises its devices, which
other tests in this session have already done, so the experiment runs in a fresh subprocess.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json
    import os

    import tensorflow as tf

    [cpu] = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    tf.config.experimental.enable_op_determinism()

    import keras
    import numpy as np

    import companion
    from companion.datasets import long_term_tasks

    GLOBAL_BATCH, EPOCHS, STEPS = 32, 2, 12
    x, y = long_term_tasks.adding_problem(192, STEPS, seed=0)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    batch = next(iter(strategy.experimental_distribute_dataset(
        tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH))))
    result = {
        "replicas": strategy.num_replicas_in_sync,
        "slices": [list(t.shape) for t in strategy.experimental_local_results(batch[0])],
        "cells": {},
    }


    def build(cell_class):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((STEPS, 2)), keras.layers.RNN(cell_class(8)),
                                  keras.layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.1, momentum=0.5), "mse")
        return model


    for cell_class in [companion.SimpleRNNCell, companion.LSTMCell, companion.GRUCell]:
        single = build(cell_class)
        initial = single.get_weights()
        single_losses = single.fit(x, y, batch_size=GLOBAL_BATCH, epochs=EPOCHS, shuffle=False,
                                   verbose=0).history["loss"]
        with strategy.scope():
            mirrored = build(cell_class)
            mirrored.set_weights(initial)
        mirrored_is_distributed = isinstance(mirrored.weights[0].value, tf.distribute.DistributedValues)
        mirrored_losses = mirrored.fit(x, y, batch_size=GLOBAL_BATCH, epochs=EPOCHS, shuffle=False,
                                       verbose=0).history["loss"]
        result["cells"][cell_class.__name__] = {
            "single": single_losses,
            "mirrored": mirrored_losses,
            "distributed_variables": mirrored_is_distributed,
            "weight_gap": max(float(np.abs(a - b).max())
                              for a, b in zip(single.get_weights(), mirrored.get_weights())),
            "steps": [int(single.optimizer.iterations.numpy()), int(mirrored.optimizer.iterations.numpy())],
        }
    print("RESULT " + json.dumps(result))
    """
)


@pytest.fixture(scope="module")
def distributed_run():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    completed = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                               env=env, timeout=540)
    assert completed.returncode == 0, completed.stderr[-3000:]
    [line] = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(line[len("RESULT "):])


def test_global_batch_is_split_across_two_replicas(distributed_run):
    assert distributed_run["replicas"] == 2
    assert distributed_run["slices"] == [[16, 12, 2], [16, 12, 2]]


@pytest.mark.parametrize("cell", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
def test_mirrored_training_matches_one_device(distributed_run, cell):
    run = distributed_run["cells"][cell]
    assert run["distributed_variables"]  # really one copy of each variable per device
    assert run["steps"][0] == run["steps"][1] == 2 * 6  # 192 / 32 steps per epoch, 2 epochs
    single, mirrored = run["single"], run["mirrored"]
    assert len(single) == len(mirrored) == 2 and single[-1] < single[0]
    for a, b in zip(single, mirrored):
        assert abs(a - b) <= 1e-5 * max(1.0, abs(a))
    assert run["weight_gap"] < 1e-5
