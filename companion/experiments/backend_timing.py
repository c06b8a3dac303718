"""The same training step timed on each installed Keras backend.

Keras fixes its backend when it is first imported, so each backend is measured in a fresh
Python process (``KERAS_BACKEND=...``): ``compare_backends`` starts one per backend and
collects what ``time_training_step`` measured there. The step is ``model.train_on_batch`` on a
``keras.layers.RNN`` of a companion cell (or a built-in layer) and a ``Dense`` head, compiled
as each backend compiles by default (a ``tf.function``, ``jax.jit``, PyTorch's eager mode), so
the timing includes what a reader's own ``fit`` would pay per step.

    python -m companion.experiments.backend_timing --backends tensorflow,jax,torch
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

from companion import checks

BACKENDS = ("tensorflow", "jax", "torch")
CELLS = ("simple_rnn", "lstm", "gru")
_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def installed_backends():
    """The backends whose package is importable here, in ``BACKENDS`` order."""
    return [b for b in BACKENDS if importlib.util.find_spec(_MODULES[b]) is not None]


def time_training_step(cell="lstm", implementation="companion", batch=32, time_steps=50,
                       units=64, features=16, repeats=20, warmup=3):
    """Median wall and CPU milliseconds of one ``train_on_batch`` on the running backend."""
    import keras
    import numpy as np

    import companion

    checks.choice("cell", cell, CELLS)
    checks.choice("implementation", implementation, ("companion", "built-in"))
    batch, time_steps, units, features, repeats = (
        checks.positive_int(name, value) for name, value in
        [("batch", batch), ("time_steps", time_steps), ("units", units),
         ("features", features), ("repeats", repeats)])
    warmup = checks.positive_int("warmup", warmup, minimum=0)
    keras.utils.set_random_seed(0)
    if implementation == "companion":
        cell_class = {"simple_rnn": companion.SimpleRNNCell, "lstm": companion.LSTMCell,
                      "gru": companion.GRUCell}[cell]
        recurrent = keras.layers.RNN(cell_class(units))
    else:
        recurrent = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                     "gru": keras.layers.GRU}[cell](units)
    model = keras.Sequential([keras.Input((time_steps, features)), recurrent,
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, time_steps, features)).astype("float32")
    y = rng.standard_normal((batch, 1)).astype("float32")
    for _ in range(warmup):
        model.train_on_batch(x, y)
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        model.train_on_batch(x, y)  # returns the loss as a number: the step has finished
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - start_cpu) * 1e3)
    return {"backend": keras.backend.backend(), "cell": cell, "implementation": implementation,
            "batch": batch, "time_steps": time_steps, "units": units, "features": features,
            "train_ms": statistics.median(wall), "train_cpu_ms": statistics.median(cpu)}


def compare_backends(backends=None, timeout=600, **settings):
    """``time_training_step(**settings)`` on each of ``backends`` (default: every installed
    one), each in its own process; returns one result dict per backend."""
    backends = installed_backends() if backends is None else list(backends)
    for backend in backends:
        checks.choice("backends", backend, BACKENDS)
    results = []
    for backend in backends:
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        command = [sys.executable, "-m", "companion.experiments.backend_timing", "--one",
                   json.dumps(settings)]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"timing on backend {backend!r} failed:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["process_seconds"] = time.perf_counter() - started  # import + compile + timing
        results.append(result)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m companion.experiments.backend_timing",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default=",".join(installed_backends()),
                        help="comma-separated (default: every installed one)")
    parser.add_argument("--cell", default="lstm", choices=CELLS)
    parser.add_argument("--implementation", default="companion",
                        choices=("companion", "built-in"))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: time here, print JSON
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(time_training_step(**json.loads(args.one))))
        return 0
    results = compare_backends(args.backends.split(","), cell=args.cell,
                               implementation=args.implementation)
    print(f"{'backend':<12} {'train ms':>9} {'CPU ms':>8}  (median train_on_batch, "
          f"{args.implementation} {args.cell})")
    for r in results:
        print(f"{r['backend']:<12} {r['train_ms']:>9.2f} {r['train_cpu_ms']:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
