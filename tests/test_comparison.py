"""companion.experiments.comparison: verdicts follow the measurements, bad input is refused."""

import pytest

from companion.experiments import comparison
from companion.experiments.comparison import (
    CONTRADICTED,
    NO_CLEAR_DIFFERENCE,
    NOT_TESTED,
    SUPPORTED,
)

RESOURCES = dict(
    params={"tanh RNN": 1_000, "LSTM": 4_000, "GRU": 3_100},
    step_ms={"tanh RNN": 1.0, "LSTM": 3.0, "GRU": 2.0},
    peak_mib={"tanh RNN": 1.0, "LSTM": 7.0, "GRU": 5.0},
)
# steps to solve per seed, None for a run that did not solve within the budget
TASK = {
    100: {"tanh RNN": [None] * 3, "LSTM": [2600, 2800, 3700], "GRU": [1300, 1400, 1500]},
    1000: {"tanh RNN": [None] * 3, "LSTM": [None] * 3, "GRU": [4800, 5200, 6000]},
}


def resource_verdicts(**changes):
    arguments = {key: value | changes.get(key, {}) for key, value in RESOURCES.items()}
    return {key: verdict for key, (_, verdict) in
            comparison.resource_verdicts(**arguments).items()}


def task_verdicts(task=TASK, comparisons=(), budget=10_000):
    rows = comparison.task_verdicts(task, budget, comparisons)
    return {key: verdict for key, (_, verdict) in rows.items()}, rows


def test_resource_claims_follow_the_ratios():
    verdict = resource_verdicts()
    assert set(verdict.values()) == {SUPPORTED}
    assert resource_verdicts(step_ms={"GRU": 3.2})["gru_faster_per_step"] == NO_CLEAR_DIFFERENCE
    assert resource_verdicts(step_ms={"GRU": 4.0})["gru_faster_per_step"] == CONTRADICTED
    assert resource_verdicts(peak_mib={"GRU": 8.0})["lstm_more_memory"] == CONTRADICTED
    assert resource_verdicts(params={"tanh RNN": 5_000})["rnn_simplest"] == CONTRADICTED


def test_task_claims_on_a_gru_that_solves_everything_faster():
    verdict, rows = task_verdicts()
    assert verdict["gru_faster_to_solve"] == SUPPORTED
    assert verdict["lstm_long_dependencies"] == CONTRADICTED
    assert verdict["gates_fix_vanishing"] == SUPPORTED
    assert verdict["rnn_short_memory"] == SUPPORTED
    assert verdict["gru_comparable"] == CONTRADICTED  # separated at both lengths
    assert "T = 1,000: LSTM solved 0/3, GRU 3/3" == rows["lstm_long_dependencies"][0]
    assert "-" in rows["gru_faster_to_solve"][0]


def test_overlapping_seeds_are_no_clear_difference_and_similar():
    task = {100: {"tanh RNN": [None] * 3, "LSTM": [1200, 1500, 2000], "GRU": [1300, 1400, 2100]}}
    verdict, rows = task_verdicts(task, comparisons=[("music", [8.6, 8.7, 8.5],
                                                      [8.55, 8.65, 8.8], True)])
    assert verdict["gru_faster_to_solve"] == NO_CLEAR_DIFFERENCE
    assert verdict["gru_comparable"] == SUPPORTED and rows["gru_comparable"][0].startswith("2 of 2")
    # a claim about very long sequences cannot be judged at T = 100
    assert verdict["lstm_long_dependencies"] == NOT_TESTED


def test_an_lstm_that_wins_at_length_supports_the_claim():
    task = {1000: {"tanh RNN": [None] * 3, "LSTM": [5000, None, 6000], "GRU": [None] * 3}}
    verdict, _ = task_verdicts(task)
    assert verdict["lstm_long_dependencies"] == SUPPORTED
    # one LSTM run failed like every GRU run: the sets overlap at the budget
    assert verdict["gru_faster_to_solve"] == NO_CLEAR_DIFFERENCE
    task[1000]["LSTM"] = [5000, 5500, 6000]
    assert task_verdicts(task)[0]["gru_faster_to_solve"] == CONTRADICTED


def test_a_tanh_rnn_that_solves_contradicts_short_memory():
    task = dict(TASK)
    task[1000] = {"tanh RNN": [9000, 9500, 9900], "LSTM": [None] * 3, "GRU": [None] * 3}
    verdict, _ = task_verdicts(task)
    assert verdict["rnn_short_memory"] == CONTRADICTED


def test_separation_needs_every_run_of_one_side_to_beat_every_run_of_the_other():
    assert comparison.separation([1, 2], [3, 4]) == "first"
    assert comparison.separation([1, 2], [3, 4], lower_is_better=False) == "second"
    assert comparison.separation([1, 5], [3, 4]) is None
    with pytest.raises(ValueError, match="at least one value"):
        comparison.separation([], [1])


@pytest.mark.parametrize("ratio, expected, verdict", [
    (0.5, "lower", SUPPORTED), (0.5, "higher", CONTRADICTED), (1.05, "lower", NO_CLEAR_DIFFERENCE),
    (1.5, "higher", SUPPORTED), (0.95, "higher", NO_CLEAR_DIFFERENCE),
])
def test_ratio_verdict(ratio, expected, verdict):
    assert comparison.ratio_verdict(ratio, expected) == verdict


def test_bad_arguments_raise_value_error_naming_them():
    with pytest.raises(ValueError, match="`params`"):
        comparison.resource_verdicts(**(RESOURCES | {"params": {"LSTM": 1, "GRU": 1}}))
    with pytest.raises(ValueError, match="`step_ms`"):
        comparison.resource_verdicts(**(RESOURCES | {"step_ms": {**RESOURCES["step_ms"],
                                                                 "GRU": float("nan")}}))
    with pytest.raises(ValueError, match="`budget`"):
        comparison.task_verdicts(TASK, 0)
    with pytest.raises(ValueError, match="`steps_to_solve`: length 5"):
        comparison.task_verdicts({5: {"LSTM": [1], "GRU": [1]}}, 10)
    with pytest.raises(ValueError, match="`expected`"):
        comparison.ratio_verdict(0.5, "smaller")
    with pytest.raises(ValueError, match="`ratio`"):
        comparison.ratio_verdict(-1.0)


def test_claim_rows_follow_the_seeds_order():
    rows = comparison.claim_rows(comparison.resource_verdicts(**RESOURCES),
                                 comparison.task_verdicts(TASK, 10_000))
    assert [row[0] for row in rows] == [claim for _, claim in comparison.SEED_CLAIMS]
    with pytest.raises(ValueError, match="No verdict"):
        comparison.claim_rows({}, {})


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
