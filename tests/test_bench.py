"""companion.experiments.bench: rows, parameter counts, CSV, command line and argument errors (tiny sizes)."""

import csv
import math
import os
import subprocess
import sys

import keras
import pytest
from companion.experiments import bench

TINY = (4, 5, 8)      # batch, time steps, units
FEATURES = 3


@pytest.fixture(scope="module")
def rows():
    return bench.run_benchmark(cells=bench.CELL_NAMES, sizes=[TINY], features=FEATURES,
                               repeats=2, warmup=1)


def test_one_row_per_cell_and_implementation_with_every_column(rows):
    assert [(r["cell"], r["implementation"]) for r in rows] == [
        (cell, impl) for cell in bench.CELL_NAMES for impl in bench.IMPLEMENTATIONS]
    for row in rows:
        assert tuple(row) == bench.COLUMNS
        assert (row["batch"], row["time_steps"], row["units"], row["features"]) == (*TINY, FEATURES)


def test_params_match_keras_and_the_formulas(rows):
    d, u = FEATURES, TINY[2]
    formulas = {"simple_rnn": u * (d + u) + u, "lstm": 4 * (u * (d + u) + u),
                "gru": 3 * (u * (d + u) + 2 * u)}
    builtins = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                "gru": keras.layers.GRU}
    for row in rows:
        layer = builtins[row["cell"]](u)
        layer.build((None, TINY[1], d))
        assert row["params"] == layer.count_params() == formulas[row["cell"]]
        assert bench.expected_params(row["cell"], d, u) == formulas[row["cell"]]


def test_measurements_are_positive_and_finite(rows):
    for row in rows:
        for key in ("fwd_ms", "train_ms", "fwd_us_per_step", "train_us_per_step", "fwd_cpu_ms",
                    "train_cpu_ms", "fwd_ratio",
                    "train_ratio", "train_GFLOPs", "matmul_GFLOPs", "pct_of_matmul",
                    "peak_GFLOPs", "pct_of_peak"):
            assert math.isfinite(row[key]) and row[key] > 0, (key, row)
        assert row["train_us_per_step"] == pytest.approx(row["train_ms"] * 1e3 / TINY[1])
        if row["implementation"] == "built-in":
            assert row["fwd_ratio"] == row["train_ratio"] == 1.0


def test_flops_and_memory_follow_the_stated_formulas(rows):
    b, t, u = TINY
    for row in rows:
        gates = bench.GATE_BLOCKS[row["cell"]]
        flops = 3 * 2 * b * t * (FEATURES + u) * gates * u
        assert row["train_GFLOPs"] == pytest.approx(flops / (row["train_ms"] * 1e-3) / 1e9)
        cached = bench.CACHED_TENSORS_PER_STEP[row["cell"]]
        assert row["act_MiB_estimate"] == pytest.approx(b * t * u * cached * 4 / 2**20)


def test_device_and_cudnn_are_reported(rows):
    import tensorflow as tf

    on_gpu = bool(tf.config.list_physical_devices("GPU"))
    for row in rows:
        assert row["device"].startswith("GPU: " if on_gpu else "CPU: ")
        if not on_gpu:
            assert row["cudnn"] == "no (CPU)"
        elif row["implementation"] == "companion":
            assert row["cudnn"].startswith("no")


def test_peak_memory_only_where_the_allocator_counts_everything(rows):
    # This process did not set TF_CPU_ALLOCATOR_USE_BFC before TensorFlow started (unless the
    # environment did): then the CPU allocator misses small tensors and the column stays empty.
    device = bench.memory_stats_device(on_gpu=False)
    assert device in ("CPU:0", None)
    for row in rows:
        if device is None:
            assert row["peak_MiB"] == ""
        else:
            assert row["peak_MiB"] > 0


def test_cudnn_conditions_read_from_the_layer():
    assert bench.cudnn_status(keras.layers.LSTM(4), on_gpu=True) == "eligible"
    assert bench.cudnn_status(keras.layers.GRU(4), on_gpu=True) == "eligible"
    assert bench.cudnn_status(keras.layers.GRU(4, reset_after=False), on_gpu=True) == "not eligible"
    assert bench.cudnn_status(keras.layers.LSTM(4, activation="relu"), on_gpu=True) == "not eligible"
    assert bench.cudnn_status(keras.layers.LSTM(4, recurrent_dropout=0.1), on_gpu=True) == "not eligible"
    assert bench.cudnn_status(bench.make_layer("lstm", "companion", 4), on_gpu=True) == "no (custom cell)"
    assert bench.cudnn_status(keras.layers.SimpleRNN(4), on_gpu=True).startswith("no")


def test_table_and_csv(rows, tmp_path):
    table = bench.format_table(rows).splitlines()
    assert table[0].startswith("device: ")
    assert "fwd+bwd ms" in table[1] and "companion" in "\n".join(table)
    assert len(table) == 3 + len(rows)
    rule = table[2]
    gaps = [i for i, ch in enumerate(rule) if ch == " "]
    assert len(rule.split()) == len(bench.TABLE_COLUMNS)
    for line in [table[1], *table[3:]]:    # columns aligned: the rule's gaps are blank everywhere
        assert all(i >= len(line) or line[i] == " " for i in gaps), line

    path = tmp_path / "bench.csv"
    bench.write_csv(rows, path)
    with open(path, newline="", encoding="utf-8") as f:
        read = list(csv.DictReader(f))
    assert tuple(read[0]) == bench.COLUMNS
    assert [float(r["train_ms"]) for r in read] == pytest.approx([r["train_ms"] for r in rows])
    assert [int(r["params"]) for r in read] == [r["params"] for r in rows]


@pytest.mark.parametrize("kwargs, named", [
    (dict(cells=["lstm", "rnn"]), "cells"),
    (dict(cells=[]), "cells"),
    (dict(sizes=["4x5"]), "sizes"),
    (dict(sizes=[(4, 0, 8)]), "sizes"),
    (dict(sizes=[]), "sizes"),
    (dict(features=0), "features"),
    (dict(repeats=1.5), "repeats"),
    (dict(warmup=-1), "warmup"),
    (dict(implementations=["cudnn"]), "implementations"),
    (dict(implementations=[]), "implementations"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, named):
    args = dict(cells=["gru"], sizes=[TINY], features=FEATURES, repeats=1, warmup=0) | kwargs
    with pytest.raises(ValueError, match=f"`{named}`"):
        bench.run_benchmark(**args)


def test_one_implementation_leaves_the_ratios_empty():
    rows = bench.run_benchmark(cells="gru", sizes=[TINY], features=FEATURES, repeats=1, warmup=0,
                               implementations="companion")
    assert [(r["cell"], r["implementation"]) for r in rows] == [("gru", "companion")]
    assert rows[0]["fwd_ratio"] == rows[0]["train_ratio"] == ""
    assert rows[0]["train_ms"] > 0
    assert " - " in bench.format_table(rows).splitlines()[-1]


def test_parse_size():
    assert bench.parse_size("32x50x64") == (32, 50, 64)
    with pytest.raises(ValueError, match="32x50"):
        bench.parse_size("32x50")


def _cli(*args, env=None):
    env = dict(os.environ if env is None else env, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "companion.experiments.bench", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_command_line_prints_table_writes_csv_and_measures_peak_memory(tmp_path):
    path = tmp_path / "out.csv"
    env = {key: value for key, value in os.environ.items() if key != bench.CPU_ALLOCATOR_STATS_VARIABLE}
    done = _cli("--quick", "--cells", "lstm,gru", "--sizes", "32x20x32,64x20x32", "--csv", str(path),
                env=env)
    assert done.returncode == 0, done.stderr
    assert "fwd+bwd ms" in done.stdout and "gru" in done.stdout
    assert "[1/8] lstm 32x20x32 built-in ..." in done.stderr
    with open(path, newline="", encoding="utf-8") as f:
        read = list(csv.DictReader(f))
    assert [r["implementation"] for r in read] == ["built-in", "companion"] * 4
    # The command line makes the CPU allocator count every tensor, so the step's peak is measured:
    # at least the activations of the estimate, and doubling the batch adds about what the
    # estimate adds (the GRU keeps more than the five tensors counted; the order in which
    # TensorFlow's threads run operations moves the peak by a few per cent between processes).
    peak = {(r["cell"], r["implementation"], int(r["batch"])): float(r["peak_MiB"]) for r in read}
    estimate = {(r["cell"], int(r["batch"])): float(r["act_MiB_estimate"]) for r in read}
    for (cell, impl, batch), value in peak.items():
        assert value >= 0.9 * estimate[cell, batch], (cell, impl, batch, value)
    for cell in ("lstm", "gru"):
        added = estimate[cell, 64] - estimate[cell, 32]
        for impl in bench.IMPLEMENTATIONS:
            assert 0.8 < (peak[cell, impl, 64] - peak[cell, impl, 32]) / added < 2.5, peak


@pytest.mark.parametrize("args, named", [
    (["--cells", "lstm,transformer"], "transformer"),
    (["--sizes", "4x5"], "--sizes"),
    (["--repeats", "0"], "--repeats"),
    (["--features", "many"], "--features"),
])
def test_command_line_rejects_bad_arguments(args, named, capsys):
    # In-process: argparse exits before anything is measured (a subprocess costs a TF import).
    with pytest.raises(SystemExit) as exit_info:
        bench.main(args)
    assert exit_info.value.code == 2
    assert named in capsys.readouterr().err
