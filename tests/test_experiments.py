"""companion.experiments: declared experiments, their artefacts, and the command line."""

import json
import os
import subprocess
import sys

import pytest

import dev
from companion.experiments import artefacts, catalogue, runner
from companion.experiments.protocol import Experiment, run_key, train, variant_key


class TinyRegression(Experiment):
    """A seconds-long experiment: a 4-unit GRU learns the mean of a short sequence."""

    name = "tiny"
    question = "test only"
    seeds = (0, 1)
    metric = "mse"
    eval_every = 2
    prefix_steps = 3

    def variants(self):
        return [{"units": 4}]

    def build_model(self, variant):
        import keras

        model = keras.Sequential([keras.Input((5, 1)), keras.layers.GRU(variant["units"]),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
        return model

    def training_batch(self, variant, rng, step):
        x = rng.normal(size=(16, 5, 1)).astype("float32")
        return x, x.mean(axis=1)

    def held_out(self, variant):
        import numpy as np

        x = np.random.default_rng(99).normal(size=(32, 5, 1)).astype("float32")
        return x, x.mean(axis=1)

    def evaluate(self, model, variant, data):
        x, y = data
        return {"mse": float(((model.predict_on_batch(x) - y) ** 2).mean())}

    def test_metrics(self, model, variant):
        import numpy as np

        x = np.random.default_rng(7).normal(size=(32, 5, 1)).astype("float32")
        return {"test_mse": float(((model.predict_on_batch(x) - x.mean(axis=1)) ** 2).mean())}

    def max_steps(self, variant):
        return 6


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    experiment = TinyRegression()
    real_get = catalogue.get
    monkeypatch.setattr(catalogue, "get", lambda name: experiment if name == "tiny"
                        else real_get(name))
    runner.run_experiment("tiny", root=tmp_path, quiet=True)
    return experiment, tmp_path


def test_keys_name_the_variant_and_seed():
    assert variant_key({"length": 200, "cell": "lstm"}) == "cell=lstm,length=200"
    assert run_key({"cell": "gru"}, 3) == "cell=gru,seed=3"


def test_a_run_is_reproducible_from_its_seed():
    experiment = TinyRegression()
    _, first = train(experiment, {"units": 4}, seed=1)
    _, again = train(experiment, {"units": 4}, seed=1)
    _, other = train(experiment, {"units": 4}, seed=2)
    assert first["prefix_losses"] == again["prefix_losses"]
    assert first["prefix_losses"] != other["prefix_losses"]
    assert first["curve"]["step"] == [0, 2, 4, 6] and len(first["prefix_losses"]) == 3
    assert first["final"]["mse"] == pytest.approx(first["curve"]["mse"][-1])


def test_run_writes_weights_records_and_a_manifest(tiny):
    experiment, root = tiny
    base = artefacts.folder("tiny", root)
    manifest = artefacts.check_intact("tiny", root)
    assert sorted(manifest) == sorted(
        ["experiment.json"] + [f"runs/units=4,seed={s}.{ext}" for s in (0, 1)
                               for ext in ("json", "weights.npz")])
    record = json.loads((base / "runs" / "units=4,seed=0.json").read_text())
    for field in ("curve", "final", "prefix_losses", "cpu_seconds", "versions", "machine",
                  "solved_at", "steps"):
        assert field in record, field
    assert record["versions"]["keras"] and record["cpu_seconds"] > 0


def test_verify_recomputes_metrics_and_replays_the_first_steps(tiny):
    _, root = tiny
    assert runner.verify_experiment("tiny", root=root, say=lambda *_: None) == 2
    artefact = runner.Artefact("tiny", root)
    summary = artefact.summary()
    assert len(summary["values"]) == 2 and summary["std"] >= 0


def test_verify_names_the_run_and_number_when_a_metric_disagrees(tiny):
    _, root = tiny
    path = artefacts.folder("tiny", root) / "runs" / "units=4,seed=1.json"
    record = json.loads(path.read_text())
    record["final"]["mse"] *= 1.01
    path.write_text(json.dumps(record))
    artefacts.seal("tiny", root)  # a consistent manifest: the number itself is wrong
    with pytest.raises(artefacts.ArtefactError,
                       match=r"run units=4,seed=1: held-out mse .* run `python -m "
                             r"companion.experiments run tiny`"):
        runner.verify_experiment("tiny", root=root, say=lambda *_: None)


def test_check_test_metrics_recomputes_the_test_numbers_alone(tiny):
    _, root = tiny
    recomputed = runner.Artefact("tiny", root).check_test_metrics("units=4,seed=0")
    assert set(recomputed) == {"test_mse"}
    path = artefacts.folder("tiny", root) / "runs" / "units=4,seed=0.json"
    record = json.loads(path.read_text())
    record["final"]["test_mse"] *= 1.01
    path.write_text(json.dumps(record))
    artefacts.seal("tiny", root)
    with pytest.raises(artefacts.ArtefactError, match=r"run units=4,seed=0: held-out test_mse"):
        runner.Artefact("tiny", root).check_test_metrics("units=4,seed=0")


def test_verify_names_a_changed_or_missing_file(tiny):
    _, root = tiny
    weights = artefacts.folder("tiny", root) / "runs" / "units=4,seed=0.weights.npz"
    weights.write_bytes(weights.read_bytes() + b"x")
    with pytest.raises(artefacts.ArtefactError, match=r"units=4,seed=0.weights.npz has changed"):
        artefacts.check_intact("tiny", root)
    weights.unlink()
    with pytest.raises(artefacts.ArtefactError, match=r"weights.npz is missing; run"):
        artefacts.check_intact("tiny", root)


def test_replay_catches_a_recorded_curve_that_training_does_not_reproduce(tiny):
    _, root = tiny
    path = artefacts.folder("tiny", root) / "runs" / "units=4,seed=0.json"
    record = json.loads(path.read_text())
    record["prefix_losses"][1] += 0.01
    path.write_text(json.dumps(record))
    artefacts.seal("tiny", root)
    with pytest.raises(artefacts.ArtefactError, match=r"training loss at step 2 replayed"):
        runner.Artefact("tiny", root).replay("units=4,seed=0")


def test_unknown_experiment_lists_the_declared_ones():
    with pytest.raises(ValueError, match=r"no experiment 'nope'.*adding_problem"):
        catalogue.get("nope")


@pytest.mark.parametrize("name", catalogue.names())
def test_declared_experiment_is_complete(name):
    experiment = catalogue.get(name)
    description = experiment.describe()
    json.dumps(description)  # everything recorded is JSON
    assert experiment.question and len(experiment.seeds) >= 3
    keys = [variant_key(v) for v in experiment.variants()]
    assert len(keys) == len(set(keys)), f"{name}: two variants share a key"


def test_smoke_command_line():
    """The command a user runs, on the cheapest experiment."""
    result = subprocess.run(
        [sys.executable, "-m", "companion.experiments", "smoke", "heart_rate"],
        cwd=dev.ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "heart_rate: smoke run of 2 run(s) verified" in result.stdout


def test_replayed_keys_spread_across_the_runs():
    records = {f"v={v},seed={s}": None for v in range(4) for s in range(3)}
    assert runner.replayed_keys(records, None) == sorted(records)
    chosen = runner.replayed_keys(records, 3)
    assert chosen == ["v=0,seed=0", "v=2,seed=0", "v=3,seed=2"]  # keys 0, 6 and 11 of 12
    assert runner.replayed_keys(records, 1) == ["v=0,seed=0"]


def test_every_declared_experiment_ships_an_artefact_or_says_why_not():
    """A shipped artefact is checked by `test_shipped_artefact_verifies`, which trains its
    first steps again with today's code and recomputes its metrics; an experiment still
    pending gets a smoke run instead: a few steps of its first and last variant, written and
    verified (`test_smoke_command_line` smoke-runs a shipped one end to end)."""
    for name in catalogue.names():
        present = (artefacts.folder(name) / artefacts.MANIFEST).is_file()
        if name in catalogue.PENDING:
            assert not present, f"{name} ships an artefact: remove it from catalogue.PENDING"
            assert runner.smoke(name) >= 1
        else:
            assert present, (f"experiment {name!r} has no shipped artefact; run "
                             f"`python -m companion.experiments run {name}`")
    assert set(catalogue.PENDING) <= set(catalogue.names())


@pytest.mark.parametrize("name", catalogue.shipped())
def test_shipped_artefact_verifies(name):
    """Every shipped artefact: files intact, every run's held-out metrics recomputed from its
    weights, and the first training steps of two runs replayed from their seeds."""
    checked = runner.verify_experiment(name, replay_runs=2, say=lambda *_: None)
    assert checked == len(runner.load(name).records) > 0


def test_variant_selectors_match_whole_fields():
    """``--variants language=anbn`` must not also train ``language=anbncn`` (a substring)."""
    experiment = catalogue.get("counting")
    keys = lambda selectors: sorted(variant_key(v) for v in runner._select(experiment, selectors))
    assert keys(["language=anbn"]) == ["cell=gru,language=anbn", "cell=lstm,language=anbn"]
    assert keys(["cell=lstm,language=anbncn"]) == ["cell=lstm,language=anbncn"]
    assert keys(["gru"]) == ["cell=gru,language=anbn", "cell=gru,language=anbncn"]
    assert len(keys(None)) == len(experiment.variants())
    with pytest.raises(ValueError, match="matches none"):
        runner._select(experiment, ["language=anb"])


def test_shipped_artefacts_stay_within_40_mb():
    """Issue 13's budget for everything the package ships: all artefacts together <= 40 MB
    (weights are written as compressed .npz)."""
    sizes = {name: artefacts.size_bytes(name) for name in catalogue.shipped()}
    total = sum(sizes.values())
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:3]
    assert total <= 40_000_000, f"artefacts take {total / 1e6:.2f} MB; the largest: {largest}"
