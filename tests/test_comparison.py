"""companion.experiments.comparison: verdicts follow the measurements, bad input is refused."""

import pytest
from companion.experiments import comparison
from companion.experiments.comparison import (
    CONTRADICTED,
    NO_CLEAR_DIFFERENCE,
    SUPPORTED,
)


def measurements(**changes):
    base = dict(
        params={"tanh RNN": 1_000, "LSTM": 4_000, "GRU": 3_100},
        step_ms={"tanh RNN": 1.0, "LSTM": 3.0, "GRU": 2.0},
        peak_mib={"tanh RNN": 1.0, "LSTM": 7.0, "GRU": 5.0},
        steps_to_solve={"tanh RNN": None, "LSTM": 300, "GRU": 150},
        seconds_to_solve={"tanh RNN": None, "LSTM": 6.0, "GRU": 2.5},
        budget=400,
    )
    for key, value in changes.items():
        base[key] = base[key] | value if isinstance(value, dict) else value
    return base


def verdicts(**changes):
    rows = comparison.claim_verdicts(**measurements(**changes))
    keys = [key for key, _ in comparison.SEED_CLAIMS]
    assert [row[0] for row in rows] == [claim for _, claim in comparison.SEED_CLAIMS]
    return dict(zip(keys, (row[2] for row in rows))), dict(zip(keys, (row[1] for row in rows)))


def test_the_seeds_picture_is_supported_throughout():
    verdict, measured = verdicts()
    assert set(verdict.values()) == {SUPPORTED, CONTRADICTED}
    assert verdict["lstm_long_dependencies"] == CONTRADICTED    # the GRU solved in fewer steps
    assert all(v == SUPPORTED for k, v in verdict.items() if k != "lstm_long_dependencies")
    assert "not in 400 steps" in measured["rnn_short_memory"]
    assert "3,100" in measured["fewer_parameters"]


def test_timings_within_the_tolerance_are_no_clear_difference():
    verdict, _ = verdicts(step_ms={"GRU": 3.2})
    assert verdict["gru_faster_per_step"] == NO_CLEAR_DIFFERENCE
    verdict, _ = verdicts(step_ms={"GRU": 4.0})
    assert verdict["gru_faster_per_step"] == CONTRADICTED
    verdict, _ = verdicts(peak_mib={"GRU": 8.0})
    assert verdict["lstm_more_memory"] == CONTRADICTED


def test_solving_verdicts_follow_who_reached_the_target():
    verdict, _ = verdicts(steps_to_solve={"LSTM": 100}, seconds_to_solve={"LSTM": 1.0})
    assert verdict["lstm_long_dependencies"] == SUPPORTED
    assert verdict["gru_faster_to_solve"] == CONTRADICTED
    verdict, measured = verdicts(steps_to_solve={"LSTM": None}, seconds_to_solve={"LSTM": None})
    assert verdict["gru_comparable"] == CONTRADICTED and verdict["gru_faster_to_solve"] == SUPPORTED
    assert "LSTM not in 400 steps" in measured["lstm_long_dependencies"]
    verdict, _ = verdicts(steps_to_solve={"tanh RNN": 150}, seconds_to_solve={"tanh RNN": 1.0})
    assert verdict["rnn_short_memory"] == CONTRADICTED
    verdict, _ = verdicts(steps_to_solve={"tanh RNN": 1000}, seconds_to_solve={"tanh RNN": 9.0})
    assert verdict["rnn_short_memory"] == SUPPORTED
    nobody = {"tanh RNN": None, "LSTM": None, "GRU": None}
    verdict, _ = verdicts(steps_to_solve=nobody, seconds_to_solve=nobody)
    assert verdict["gru_comparable"] == verdict["rnn_short_memory"] == NO_CLEAR_DIFFERENCE


def test_parameters():
    verdict, _ = verdicts(params={"tanh RNN": 5_000})
    assert verdict["rnn_simplest"] == CONTRADICTED


@pytest.mark.parametrize("ratio, expected, verdict", [
    (0.5, "lower", SUPPORTED), (0.5, "higher", CONTRADICTED), (1.05, "lower", NO_CLEAR_DIFFERENCE),
    (1.5, "higher", SUPPORTED), (0.95, "higher", NO_CLEAR_DIFFERENCE),
])
def test_ratio_verdict(ratio, expected, verdict):
    assert comparison.ratio_verdict(ratio, expected) == verdict


@pytest.mark.parametrize("changes, named", [
    (dict(params={"LSTM": 0}), "params"),
    (dict(step_ms={"GRU": float("nan")}), "step_ms"),
    (dict(peak_mib={"GRU": None}), "peak_mib"),
    (dict(steps_to_solve={"GRU": None}), "steps_to_solve"),
    (dict(budget=0), "budget"),
])
def test_bad_measurements_raise_value_error_naming_them(changes, named):
    with pytest.raises(ValueError, match=f"`{named}`"):
        comparison.claim_verdicts(**measurements(**changes))


def test_missing_cell_and_bad_ratio_arguments():
    args = measurements()
    args["params"] = {"LSTM": 1, "GRU": 1}
    with pytest.raises(ValueError, match="`params`"):
        comparison.claim_verdicts(**args)
    with pytest.raises(ValueError, match="`expected`"):
        comparison.ratio_verdict(0.5, "smaller")
    with pytest.raises(ValueError, match="`ratio`"):
        comparison.ratio_verdict(-1.0)


def test_cell_step_operations_counts_the_gates():
    import companion
    import keras

    counts = {}
    for name, layer in [("rnn", keras.layers.RNN(companion.SimpleRNNCell(8))),
                        ("lstm", keras.layers.RNN(companion.LSTMCell(8))),
                        ("gru", keras.layers.GRU(8))]:
        layer.build((None, 5, 3))
        counts[name] = comparison.cell_step_operations(layer.cell, batch=4, features=3)
    # A tanh RNN step is a few products, a sum and a tanh; the gated cells add gates.
    assert 3 <= counts["rnn"] < counts["lstm"] and counts["rnn"] < counts["gru"]
    # The count does not depend on the batch: operations, not arithmetic.
    cell = keras.layers.LSTM(8).cell
    cell.build((None, 3))
    assert (comparison.cell_step_operations(cell, batch=8, features=3)
            == comparison.cell_step_operations(cell, batch=64, features=3))
    with pytest.raises(ValueError, match="`cell`"):
        comparison.cell_step_operations(companion.GRUCell(8), batch=4, features=3)
    with pytest.raises(ValueError, match="`batch`"):
        comparison.cell_step_operations(cell, batch=0, features=3)
