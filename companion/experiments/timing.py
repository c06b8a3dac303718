"""Timing a computation: the median wall and CPU time of repeated calls, waited for properly.

``companion.experiments.bench`` and ``companion.experiments.scan_timing`` both time with
``median_ms``. Wall time (``time.perf_counter``) is what a user waits; process CPU time
(``time.process_time``, every thread of this process) counts only this process's work, so
other programs on the machine disturb it much less, and with several threads busy it exceeds
wall time.
"""

import statistics
import time


def block(result):
    """Wait until every tensor of ``result`` is computed. TensorFlow runs an eagerly called
    ``tf.function`` synchronously on a CPU; converting to NumPy also waits on a GPU."""
    import keras

    for tensor in keras.tree.flatten(result):
        keras.ops.convert_to_numpy(tensor)


def median_ms(fn, arg, repeats=3, warmup=1, min_seconds=0.0, max_repeats=25):
    """Median wall time and median CPU time, in milliseconds, of ``fn(arg)``.

    ``warmup`` untimed calls first (the first also traces a ``tf.function``); then at least
    ``repeats`` timed calls, and more until they fill ``min_seconds`` (at most
    ``max_repeats``), so that a brief stall of a busy machine cannot decide the median of a
    fast computation.
    """
    for _ in range(warmup):
        block(fn(arg))
    wall, cpu = [], []
    while len(wall) < repeats or (sum(wall) < 1e3 * min_seconds and len(wall) < max_repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        block(fn(arg))
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - start_cpu) * 1e3)
    return statistics.median(wall), statistics.median(cpu)
