"""The one line that starts every chapter: seeds, a quiet TensorFlow, and what ran it.

    from companion.views.chapter import setup
    rng = setup(seed=3)

Keras picks its backend when it is first imported, from ``KERAS_BACKEND`` (TensorFlow when
unset), so choose it before starting Jupyter; ``setup`` reports the one in use. Everything else
a chapter needs before its first operation happens here, in one place, so that the chapters do
not carry copies of it:

- every seed (Python, NumPy, the backend) from ``seed``, and a NumPy ``Generator`` returned;
- TensorFlow's Python-side notices (retracing, deprecations) silenced, since each chapter
  builds and compiles new models on purpose;
- optionally, deterministic TensorFlow kernels, a CPU split into several logical devices, and
  the CPU allocator's statistics: all three only take effect before TensorFlow starts;
- the backend's runtime started, so that its start-up log lands in the setup cell, whose
  standard error the book does not show;
- one printed line: the versions, the backend and the devices.
"""

import logging
import os

import numpy as np

from companion import checks

# TensorFlow's CPU allocator counts every tensor (companion.experiments.bench reads its peak)
# only when this is set before the first operation.
CPU_ALLOCATOR_STATS_VARIABLE = "TF_CPU_ALLOCATOR_USE_BFC"


def setup(seed, deterministic=False, cpu_devices=1, allocator_stats=False):
    """Seed everything, quiet the logs, start the backend; return a seeded NumPy ``Generator``.

    Args:
        seed: integer seed for Python's ``random``, NumPy, the backend, and the returned
            generator.
        deterministic: TensorFlow only: deterministic kernels
            (``tf.config.experimental.enable_op_determinism``), so that a rerun reproduces
            every number, at some cost in speed.
        cpu_devices: TensorFlow only: split the CPU into this many logical devices (for a
            chapter that demonstrates training on several devices).
        allocator_stats: TensorFlow only: let the CPU allocator record its peak memory.

    Returns:
        ``np.random.default_rng(seed)``.
    """
    seed = checks.positive_int("seed", seed, minimum=0)
    deterministic = checks.flag("deterministic", deterministic)
    cpu_devices = checks.positive_int("cpu_devices", cpu_devices)
    allocator_stats = checks.flag("allocator_stats", allocator_stats)
    if allocator_stats:
        os.environ.setdefault(CPU_ALLOCATOR_STATS_VARIABLE, "true")

    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow" and (deterministic or cpu_devices > 1 or allocator_stats):
        raise ValueError(
            f"Arguments `deterministic`, `cpu_devices` and `allocator_stats` need the "
            f"TensorFlow backend; this kernel runs Keras on {backend!r} "
            "(set KERAS_BACKEND=tensorflow before starting Jupyter)."
        )
    devices = []
    if backend == "tensorflow":
        import tensorflow as tf

        tf.get_logger().setLevel(logging.ERROR)
        if cpu_devices > 1:
            [cpu] = tf.config.list_physical_devices("CPU")
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * cpu_devices
            )
        if deterministic:
            tf.config.experimental.enable_op_determinism()
        devices = [device.name.split(":", 1)[1] for device in tf.config.list_logical_devices()]
    keras.utils.set_random_seed(seed)
    np.asarray(keras.ops.zeros(1))  # start the runtime now: its start-up log stays in this cell
    on = f" on {', '.join(devices)}" if devices else ""
    print(f"Keras {keras.__version__}, backend {backend} {_backend_version(backend)}{on}; "
          f"seed {seed}")
    return np.random.default_rng(seed)


def _backend_version(backend):
    import importlib

    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend, backend)
    try:
        return importlib.import_module(module).__version__
    except (ImportError, AttributeError):
        return "(version unknown)"
