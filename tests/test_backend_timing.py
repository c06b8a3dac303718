"""companion.experiments.backend_timing: one training step timed on each installed backend."""

import pytest

from companion.experiments import backend_timing


def test_installed_backends_include_every_backend_of_the_test_environment():
    assert backend_timing.installed_backends() == ["tensorflow", "jax", "torch"]


def test_time_training_step_here_reports_positive_medians():
    result = backend_timing.time_training_step("gru", batch=4, time_steps=5, units=3,
                                               features=2, repeats=3, warmup=1)
    assert result["backend"] == "tensorflow" and result["cell"] == "gru"
    assert result["train_ms"] > 0 and result["train_cpu_ms"] >= 0


def test_compare_backends_runs_each_backend_in_its_own_process():
    results = backend_timing.compare_backends(["jax", "torch"], cell="simple_rnn", batch=2,
                                              time_steps=3, units=2, features=2, repeats=2,
                                              warmup=1)
    assert [r["backend"] for r in results] == ["jax", "torch"]
    assert all(r["train_ms"] > 0 and r["process_seconds"] > 0 for r in results)


def test_bad_arguments_are_refused_before_any_process_starts():
    with pytest.raises(ValueError, match="`backends` must be one of"):
        backend_timing.compare_backends(["theano"])
    with pytest.raises(ValueError, match="`cell`"):
        backend_timing.time_training_step("rnn")
