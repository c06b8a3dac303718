r"""Benchmark of the companion cells against Keras' built-in recurrent layers.

``python -m companion.experiments.bench --help`` for the command line; ``run_benchmark`` and
``format_table`` for notebooks. For each cell (SimpleRNN, LSTM, GRU) and each size
(batch $B$ x time steps $T$ x units $U$, with $D$ input features) it measures, in one run,
``keras.layers.RNN(companion.XCell(U))`` and the built-in ``keras.layers.X(U)``:

- ``params``: ``layer.count_params()``; $U(D+U)+U$ (SimpleRNN), $4(U(D+U)+U)$ (LSTM),
  $3(U(D+U)+2U)$ (GRU, ``reset_after=True``).
- ``fwd_ms`` / ``train_ms``: median wall time (``time.perf_counter``) of one call of a
  ``tf.function``-compiled forward pass, and of forward + backward (gradients of a mean-square
  loss with respect to the layer's weights; no optimizer update), after ``warmup`` untimed
  calls; ``*_us_per_step`` divides by $T$.
- ``fwd_cpu_ms`` / ``train_cpu_ms``: the same calls' median process CPU time
  (``time.process_time``, all threads): less disturbed than wall time when other programs share
  the machine; meaningless on a GPU, whose work it does not count.
- ``fwd_ratio`` / ``train_ratio``: companion time / built-in time (1.0 on built-in rows).
- ``act_MiB_estimate``: an analytic estimate, not a measurement, of the activations kept for
  backpropagation: $B \cdot T \cdot U \cdot k \cdot 4$ bytes with $k$ tensors of width $U$
  cached per step (SimpleRNN 1: $h_t$; LSTM 7: four gates, $c_t$, $\tanh c_t$, $h_t$;
  GRU 5: two gates, candidate, $h_{t-1}U_h$, $h_t$).
- ``peak_MiB``: measured: the peak of TensorFlow's allocator during a training step, minus
  what was allocated before it (weights, input), the smallest over ``repeats`` steps (the order
  in which TensorFlow's threads run operations can add a temporary to the peak), read with
  ``tf.config.experimental.get_memory_info`` after ``reset_memory_stats`` on ``GPU:0``, or on
  ``CPU:0`` when TensorFlow's CPU allocator counts every tensor. It does so only when
  ``TF_CPU_ALLOCATOR_USE_BFC=true`` was set before TensorFlow's first operation
  (``python -m companion.experiments.bench`` sets it); by default it counts only large blocks, and the
  column is left empty. ``tracemalloc`` and the process's resident size do not see this memory:
  the allocator keeps freed blocks for reuse.
- ``train_GFLOPs``: achieved matrix-multiply throughput of the training step, counting only
  the matmuls: forward $2 B T (D+U)(G U)$ FLOPs with $G$ gate blocks (1, 4, 3), and
  forward + backward $\approx 3\times$ that (one product for the activations, two for the
  gradients with respect to inputs and weights).
- ``matmul_GFLOPs``: this machine's throughput for the same shapes: $T$ products
  $(B, D+U) \times (D+U, G U)$ in a compiled ``tf.while_loop``; ``pct_of_matmul`` is
  ``train_GFLOPs / matmul_GFLOPs`` in percent. Small batches leave most of it idle: the
  recurrence forces $T$ small sequential products.
- ``peak_GFLOPs``: the machine's throughput on one large product
  ($1024 \times 1024$ by $1024 \times 1024$), measured once per run; ``pct_of_peak`` is
  ``train_GFLOPs / peak_GFLOPs`` in percent.
- ``cudnn``: for built-in LSTM/GRU on a GPU, ``eligible`` when Keras 3's conditions for its
  cuDNN kernel hold (tanh, sigmoid, ``recurrent_dropout=0``, ``unroll=False``,
  ``use_bias=True``, and for GRU ``reset_after=True``); custom cells and SimpleRNN never use
  cuDNN; on a CPU there is no cuDNN.
"""

from __future__ import annotations

import argparse
import csv
import numbers
import os
import platform
import sys
import time

from companion import checks
from companion.experiments.timing import block, median_ms

CELL_NAMES = ("simple_rnn", "lstm", "gru")
GATE_BLOCKS = {"simple_rnn": 1, "lstm": 4, "gru": 3}
CACHED_TENSORS_PER_STEP = {"simple_rnn": 1, "lstm": 7, "gru": 5}
IMPLEMENTATIONS = ("built-in", "companion")
DEFAULT_SIZES = ((32, 50, 64), (128, 50, 128))
QUICK_SIZES = ((8, 10, 16),)

COLUMNS = (
    "cell", "implementation", "batch", "time_steps", "units", "features", "params",
    "fwd_ms", "train_ms", "fwd_us_per_step", "train_us_per_step", "fwd_cpu_ms", "train_cpu_ms",
    "fwd_ratio", "train_ratio", "act_MiB_estimate", "peak_MiB", "train_GFLOPs", "matmul_GFLOPs",
    "pct_of_matmul", "peak_GFLOPs", "pct_of_peak", "cudnn", "device",
)


# --- arguments ------------------------------------------------------------------------------


def check_cells(cells):
    """Return ``cells`` as a tuple of known names (``simple_rnn``, ``lstm``, ``gru``)."""
    if isinstance(cells, str):
        cells = [c.strip() for c in cells.split(",") if c.strip()]
    cells = tuple(cells)
    if not cells:
        raise ValueError(f"Argument `cells` must name at least one of {list(CELL_NAMES)}, got none.")
    for cell in cells:
        if cell not in CELL_NAMES:
            raise ValueError(f"Argument `cells`: unknown cell {cell!r}; expected one of {list(CELL_NAMES)}.")
    return cells


def parse_size(text):
    """``"32x50x64"`` -> ``(32, 50, 64)`` (batch, time steps, units)."""
    parts = str(text).lower().split("x")
    try:
        size = tuple(int(p) for p in parts)
    except ValueError:
        size = ()
    if len(size) != 3 or min(size) < 1:
        raise ValueError(f"Argument `sizes`: {text!r} is not BATCHxTIMExUNITS with three positive "
                         f"integers (e.g. 32x50x64).")
    return size


def check_sizes(sizes):
    """Return ``sizes`` as a tuple of (batch, time, units) triples of positive ints."""
    if isinstance(sizes, str):
        sizes = [s for s in sizes.split(",") if s.strip()]
    checked = []
    for size in sizes:
        if isinstance(size, str):
            checked.append(parse_size(size.strip()))
            continue
        if (not isinstance(size, (tuple, list)) or len(size) != 3
                or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 for v in size)):
            raise ValueError(f"Argument `sizes`: {size!r} is not a (batch, time_steps, units) "
                             f"triple of positive integers.")
        checked.append(tuple(int(v) for v in size))
    if not checked:
        raise ValueError("Argument `sizes` must hold at least one (batch, time_steps, units), got none.")
    return tuple(checked)


# --- formulas -------------------------------------------------------------------------------

def expected_params(cell, features, units):
    """Weights of one layer: $G(U(D+U) + U)$, plus $3U$ recurrent biases for GRU."""
    blocks = GATE_BLOCKS[cell]
    extra = blocks * units if cell == "gru" else 0    # GRU reset_after=True: second bias row
    return blocks * (units * (features + units) + units) + extra


def forward_flops(cell, batch, time_steps, units, features):
    """Matmul FLOPs of the forward pass: $2 B T (D+U)(G U)$."""
    return 2 * batch * time_steps * (features + units) * GATE_BLOCKS[cell] * units


def activation_bytes_estimate(cell, batch, time_steps, units):
    """$B T U k \\cdot 4$ bytes, $k$ float32 tensors of width $U$ cached per step."""
    return batch * time_steps * units * CACHED_TENSORS_PER_STEP[cell] * 4


# --- device ---------------------------------------------------------------------------------

def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_description():
    """``"GPU: <name>"`` when TensorFlow sees a GPU, else ``"CPU: <model> (<n> cores)"``."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"GPU: {details.get('device_name', gpus[0].name)}"
    return f"CPU: {_cpu_model()} ({os.cpu_count()} cores)"


def cudnn_status(layer, on_gpu):
    """Whether a layer could take Keras 3's cuDNN path (read from the layer's settings)."""
    if not on_gpu:
        return "no (CPU)"
    name = type(layer).__name__
    if name not in ("LSTM", "GRU"):
        return "no (custom cell)" if name == "RNN" else "no (no cuDNN kernel)"
    cell = layer.cell
    conditions = [
        keras_activation_name(cell.activation) == "tanh",
        keras_activation_name(cell.recurrent_activation) == "sigmoid",
        cell.recurrent_dropout == 0,
        not layer.unroll,
        cell.use_bias,
        name == "LSTM" or getattr(cell, "reset_after", False),
    ]
    return "eligible" if all(conditions) else "not eligible"


#: Set to "true" before TensorFlow's first operation so that its CPU allocator counts every tensor.
CPU_ALLOCATOR_STATS_VARIABLE = "TF_CPU_ALLOCATOR_USE_BFC"


def memory_stats_device(on_gpu):
    """``"GPU:0"``, ``"CPU:0"`` if the CPU allocator counts small tensors too, else ``None``."""
    import tensorflow as tf

    if on_gpu:
        return "GPU:0"
    try:
        tf.config.experimental.reset_memory_stats("CPU:0")
        before = tf.config.experimental.get_memory_info("CPU:0")["current"]
        probe = tf.fill((64,), 1.0)    # 256 bytes: below what the default allocator counts
        counted = tf.config.experimental.get_memory_info("CPU:0")["current"] - before
    except (ValueError, RuntimeError):
        return None
    del probe
    return "CPU:0" if counted >= 256 else None


def keras_activation_name(fn):
    import keras

    return keras.activations.serialize(fn) if not isinstance(fn, str) else fn


# --- measurements ---------------------------------------------------------------------------


def make_layer(cell, implementation, units):
    import keras

    import companion

    if implementation == "built-in":
        cls = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
               "gru": keras.layers.GRU}[cell]
        return cls(units)
    cell_cls = {"simple_rnn": companion.SimpleRNNCell, "lstm": companion.LSTMCell,
                "gru": companion.GRUCell}[cell]
    return keras.layers.RNN(cell_cls(units))


def matmul_gflops(batch, time_steps, in_width, out_width, repeats, warmup):
    """GFLOP/s of $T$ products (B, in) x (in, out) in a compiled while loop."""
    import tensorflow as tf

    xs = tf.random.normal((time_steps, batch, in_width), seed=1)
    w = tf.random.normal((in_width, out_width), seed=2)

    @tf.function
    def loop(xs):
        def body(i, acc):
            return i + 1, acc + tf.matmul(xs[i], w)
        _, acc = tf.while_loop(lambda i, acc: i < time_steps, body,
                               (tf.constant(0), tf.zeros((batch, out_width))))
        return acc

    ms = median_ms(loop, xs, repeats, warmup)[0]
    return 2 * batch * time_steps * in_width * out_width / (ms * 1e-3) / 1e9


def peak_gflops(repeats, warmup, n=1024):
    """GFLOP/s of one large (n, n) x (n, n) product: what the machine can do at best."""
    import tensorflow as tf

    a = tf.random.normal((n, n), seed=3)
    b = tf.random.normal((n, n), seed=4)
    product = tf.function(lambda a: tf.matmul(a, b))
    ms = median_ms(product, a, repeats, warmup)[0]
    return 2 * n**3 / (ms * 1e-3) / 1e9


def step_peak_mib(step, argument, device, repeats=1):
    """The peak of TensorFlow's allocator on ``device`` during ``step(argument)``, above what
    was allocated before it, in MiB: the smallest of ``repeats`` steps' peaks, since what
    coexists in memory depends on the order in which TensorFlow's threads happen to run
    operations, and only the minimum is needed."""
    import tensorflow as tf

    peaks = []
    for _ in range(repeats):
        tf.config.experimental.reset_memory_stats(device)
        before = tf.config.experimental.get_memory_info(device)["current"]
        block(step(argument))
        peaks.append(tf.config.experimental.get_memory_info(device)["peak"] - before)
    return min(peaks) / 2**20


def measure_layer(cell, implementation, batch, time_steps, units, features, repeats, warmup,
                  on_gpu=False, memory_device=None):
    """One row without ratios: params, times, memory, throughput and cuDNN status.

    ``memory_device`` (from ``memory_stats_device``): where to read the step's peak memory;
    ``None`` leaves ``peak_MiB`` empty.
    """
    import tensorflow as tf

    layer = make_layer(cell, implementation, units)
    x = tf.random.normal((batch, time_steps, features), seed=0)
    layer(x)    # build
    weights = layer.trainable_variables

    @tf.function
    def forward(x):
        return layer(x, training=True)

    @tf.function
    def train_step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x, training=True)))
        return tape.gradient(loss, weights)

    fwd_ms, fwd_cpu_ms = median_ms(forward, x, repeats, warmup)
    train_ms, train_cpu_ms = median_ms(train_step, x, repeats, warmup)
    peak = ""
    if memory_device is not None:
        peak = step_peak_mib(train_step, x, memory_device, repeats)
    train_flops = 3 * forward_flops(cell, batch, time_steps, units, features)
    return {
        "cell": cell, "implementation": implementation, "batch": batch,
        "time_steps": time_steps, "units": units, "features": features,
        "params": int(layer.count_params()),
        "fwd_ms": fwd_ms, "train_ms": train_ms,
        "fwd_us_per_step": fwd_ms * 1e3 / time_steps,
        "train_us_per_step": train_ms * 1e3 / time_steps,
        "fwd_cpu_ms": fwd_cpu_ms, "train_cpu_ms": train_cpu_ms,
        "act_MiB_estimate": activation_bytes_estimate(cell, batch, time_steps, units) / 2**20,
        "peak_MiB": peak,
        "train_GFLOPs": train_flops / (train_ms * 1e-3) / 1e9,
        "cudnn": cudnn_status(layer, on_gpu),
    }


def run_benchmark(cells=CELL_NAMES, sizes=DEFAULT_SIZES, features=16, repeats=5, warmup=2,
                  progress=False, implementations=IMPLEMENTATIONS):
    """Measure every cell at every size, built-in and companion; return a list of row dicts.

    Args:
        cells: names from ``("simple_rnn", "lstm", "gru")`` (list or comma-separated string).
        sizes: (batch, time_steps, units) triples, or strings like ``"32x50x64"``.
        features: input features $D$ per time step.
        repeats: timed calls per measurement (the median is reported).
        warmup: untimed calls before timing (the first also traces the tf.function).
        progress: print ``[i/n] cell size implementation ... (elapsed s)`` lines to stderr.
        implementations: ``("built-in", "companion")`` or one of them; the ratio columns need
            the built-in layer and are left empty without it.

    Returns:
        One dict per (cell, size, implementation) with the keys of ``COLUMNS``.
    """
    cells = check_cells(cells)
    sizes = check_sizes(sizes)
    features = checks.positive_int("features", features)
    repeats = checks.positive_int("repeats", repeats)
    warmup = checks.positive_int("warmup", warmup, minimum=0)
    if not isinstance(progress, bool):
        raise ValueError(f"Argument `progress` must be True or False, got {progress!r}.")
    implementations = (implementations,) if isinstance(implementations, str) else tuple(implementations)
    if not implementations or any(i not in IMPLEMENTATIONS for i in implementations):
        raise ValueError(f"Argument `implementations` must name one or both of "
                         f"{list(IMPLEMENTATIONS)}, got {implementations!r}.")
    implementations = tuple(i for i in IMPLEMENTATIONS if i in implementations)

    import tensorflow as tf

    on_gpu = bool(tf.config.list_physical_devices("GPU"))
    device = device_description()
    # Each layer gets its own tf.functions, which TF's retracing warning mistakes for
    # retracing of one function; silence it for the run only.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        return _run(cells, sizes, features, repeats, warmup, progress, on_gpu, device,
                    implementations)
    finally:
        logger.setLevel(level)


def _run(cells, sizes, features, repeats, warmup, progress, on_gpu, device, implementations):
    start = time.perf_counter()
    memory_device = memory_stats_device(on_gpu)
    peak = peak_gflops(repeats, warmup)
    rows = []
    total = len(cells) * len(sizes) * len(implementations)
    done = 0
    for cell in cells:
        for batch, time_steps, units in sizes:
            blocks = GATE_BLOCKS[cell]
            same_shapes = matmul_gflops(batch, time_steps, features + units, blocks * units,
                                        repeats, warmup)
            pair = {}
            for implementation in implementations:
                done += 1
                if progress:
                    print(f"[{done}/{total}] {cell} {batch}x{time_steps}x{units} {implementation} ... "
                          f"({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
                row = measure_layer(cell, implementation, batch, time_steps, units, features,
                                    repeats, warmup, on_gpu, memory_device)
                row["matmul_GFLOPs"] = same_shapes
                row["pct_of_matmul"] = 100 * row["train_GFLOPs"] / same_shapes
                row["peak_GFLOPs"] = peak
                row["pct_of_peak"] = 100 * row["train_GFLOPs"] / peak
                row["device"] = device
                pair[implementation] = row
            base = pair.get("built-in")
            for implementation in implementations:
                row = pair[implementation]
                row["fwd_ratio"] = row["fwd_ms"] / base["fwd_ms"] if base else ""
                row["train_ratio"] = row["train_ms"] / base["train_ms"] if base else ""
                rows.append({key: row[key] for key in COLUMNS})
    return rows


# --- output ---------------------------------------------------------------------------------

TABLE_COLUMNS = (
    ("cell", "cell", "{}"), ("implementation", "impl", "{}"), ("size", "BxTxU", "{}"),
    ("params", "params", "{:d}"), ("fwd_ms", "fwd ms", "{:.2f}"),
    ("train_ms", "fwd+bwd ms", "{:.2f}"), ("train_cpu_ms", "fwd+bwd CPU ms", "{:.2f}"),
    ("train_us_per_step", "fwd+bwd us/step", "{:.1f}"),
    ("fwd_ratio", "fwd ratio", "{:.2f}"), ("train_ratio", "fwd+bwd ratio", "{:.2f}"),
    ("act_MiB_estimate", "act MiB (est.)", "{:.2f}"), ("peak_MiB", "peak MiB", "{}"),
    ("train_GFLOPs", "GFLOP/s", "{:.2f}"), ("matmul_GFLOPs", "matmul GFLOP/s", "{:.2f}"),
    ("pct_of_matmul", "% of matmul", "{:.1f}"), ("peak_GFLOPs", "peak GFLOP/s", "{:.1f}"),
    ("pct_of_peak", "% of peak", "{:.1f}"), ("cudnn", "cuDNN", "{}"),
)


def _cell_text(row, key, fmt):
    if key == "size":
        return f"{row['batch']}x{row['time_steps']}x{row['units']}"
    value = row[key]
    if value == "" or value is None:
        return "-"
    if isinstance(value, float) and key == "peak_MiB":
        return f"{value:.2f}"
    return fmt.format(value)


def format_table(rows):
    """Plain-text table (aligned columns) of ``run_benchmark``'s rows, with the device on top.

    Ratios are companion / built-in, from the same run.
    """
    if not rows:
        raise ValueError("Argument `rows` must hold at least one row from run_benchmark, got none.")
    header = [title for _, title, _ in TABLE_COLUMNS]
    body = [[_cell_text(row, key, fmt) for key, _, fmt in TABLE_COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    numeric = {i for i, (key, _, fmt) in enumerate(TABLE_COLUMNS) if fmt != "{}" or key == "peak_MiB"}

    def line(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    devices = sorted({row["device"] for row in rows})
    features = sorted({row["features"] for row in rows})
    lines = [f"device: {', '.join(devices)}; input features D = {', '.join(map(str, features))}",
             line(header), line(["-" * w for w in widths])]
    lines += [line(cells) for cells in body]
    return "\n".join(lines)


def write_csv(rows, path):
    """Write the rows with the columns of ``COLUMNS`` (header first)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


# --- command line ---------------------------------------------------------------------------

def _argparse_type(check, name):
    def convert(text):
        try:
            return check(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    convert.__name__ = name
    return convert


def _int_at_least(minimum):
    def convert(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
        return value
    return convert


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m companion.experiments.bench",
        description="Time the companion cells (keras.layers.RNN(companion.XCell)) against "
                    "Keras' built-in SimpleRNN/LSTM/GRU: parameters, forward and forward+backward "
                    "time, activation memory (estimate and measured peak), GFLOP/s against plain matmul, cuDNN.")
    parser.add_argument("--cells", type=_argparse_type(check_cells, "cells"), default=CELL_NAMES,
                        help="comma-separated: lstm,gru,simple_rnn (default: all)")
    parser.add_argument("--sizes", type=_argparse_type(check_sizes, "sizes"), default=None,
                        help="comma-separated BATCHxTIMExUNITS (default: 32x50x64,128x50x128; "
                             "with --quick 8x10x16)")
    parser.add_argument("--features", type=_int_at_least(1), default=16,
                        help="input features per time step (default 16)")
    parser.add_argument("--repeats", type=_int_at_least(1), default=None,
                        help="timed calls per measurement, median reported (default 5; --quick 2)")
    parser.add_argument("--warmup", type=_int_at_least(0), default=None,
                        help="untimed calls before timing (default 2; --quick 1)")
    parser.add_argument("--csv", metavar="PATH", default=None, help="also write the rows to PATH")
    parser.add_argument("--quick", action="store_true",
                        help="small default size, 2 repeats, 1 warm-up (a smoke test)")
    parser.add_argument("--backends", default=None,
                        help="instead: time a training step of each cell on each of these "
                             "Keras backends, comma-separated (e.g. tensorflow,jax,torch), each "
                             "in its own process (companion.experiments.backend_timing)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.backends:
        from companion.experiments import backend_timing

        print(f"{'cell':<11} {'backend':<11} {'train ms':>9} {'CPU ms':>8}")
        for cell in args.cells:
            for r in backend_timing.compare_backends(args.backends.split(","), cell=cell):
                print(f"{cell:<11} {r['backend']:<11} {r['train_ms']:>9.2f} "
                      f"{r['train_cpu_ms']:>8.2f}")
        return 0
    # Before TensorFlow's first operation, or the CPU allocator counts only large blocks.
    os.environ.setdefault(CPU_ALLOCATOR_STATS_VARIABLE, "true")
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    repeats = args.repeats if args.repeats is not None else (2 if args.quick else 5)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    rows = run_benchmark(args.cells, sizes, args.features, repeats, warmup, progress=True)
    print(format_table(rows))
    if args.csv:
        write_csv(rows, args.csv)
        print(f"wrote {len(rows)} rows to {args.csv}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
