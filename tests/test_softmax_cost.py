"""The output-layer cost probes of companion.experiments.softmax_cost, on small sizes."""

import pytest
from companion.experiments import softmax_cost


def test_output_layer_step_reports_size_and_time():
    row = softmax_cost.output_layer_step(500, hidden=16, positions=8, repeats=1)
    assert row["parameters"] == 16 * 500 + 500
    assert row["logits_MiB"] == pytest.approx(8 * 500 * 4 / 2**20)
    assert row["train_ms"] > 0


def test_sampled_and_recurrent_steps_run():
    row = softmax_cost.sampled_output_step(500, 20, hidden=16, positions=8, repeats=1)
    assert row["n_samples"] == 20 and row["train_ms"] > 0
    lstm = softmax_cost.recurrent_layer_step(units=8, batch=2, steps=3, features=8, repeats=1)
    assert lstm["parameters"] == 4 * (8 * (8 + 8) + 8) and lstm["train_ms"] > 0
