"""Train declared experiments into artefacts, verify shipped artefacts, load them in a chapter.

- ``run_experiment``: train every run (variant x seed) from scratch and write the artefact.
- ``verify_experiment``: check the files' hashes, recompute every run's held-out metrics from
  its weights, and replay its first training steps; raise ``ArtefactError`` on any mismatch.
- ``load``: the artefact of an experiment, for a chapter: records, curves, trained models.
"""

import math
import pathlib
import shutil
import tempfile

import numpy as np

from companion import checks
from companion.experiments import artefacts, catalogue
from companion.experiments.protocol import run_key, train, variant_key

PREFIX_TOLERANCE = 1e-4  # relative: a replayed training loss against the recorded one


def _selects(part, key):
    """Does the selector ``part`` pick the variant ``key``? Each of its comma-separated pieces
    must be one of the key's ``field=value`` pieces exactly (so ``language=anbn`` does not
    pick ``language=anbncn``); a piece without ``=`` may be part of one (``lstm``)."""
    fields = key.split(",")
    return all(piece in fields or ("=" not in piece and any(piece in f for f in fields))
               for piece in part.split(","))


def _select(experiment, variants):
    chosen = experiment.variants()
    if variants:
        keys = [variant_key(v) for v in chosen]
        chosen = [v for v, key in zip(chosen, keys) if any(_selects(p, key) for p in variants)]
        if not chosen:
            raise ValueError(
                f"Argument `variants`: {variants!r} matches none of experiment "
                f"{experiment.name!r}'s variants {[variant_key(v) for v in experiment.variants()]}."
            )
    return chosen


def _progress_bar(title):
    import keras

    state = {"bar": None}

    def update(step, budget, loss):
        if state["bar"] is None:
            print(title, flush=True)
            state["bar"] = keras.utils.Progbar(budget, stateful_metrics=["loss"])
        if step % 10 == 0 or step == budget:
            state["bar"].update(step, [("loss", loss)])

    return update


def run_experiment(name, seeds=None, variants=None, root=None, max_steps=None, quiet=False,
                   experiment=None):
    """Train the runs of experiment ``name`` and write them into its artefact folder.

    Args:
        name: a declared experiment (``catalogue.names()``).
        seeds: the seeds to train (default: the experiment's own).
        variants: selectors of the variants to train (``_selects``; default: every variant).
        root: the folder that holds artefacts (default: the package's ``assets/experiments``).
        max_steps: a cap on every run's budget (a smoke run); ``None`` for the declared one.
        quiet: no progress bar.
        experiment: the declared instance to use (a smoke run passes one with ``smoke`` set).

    Returns:
        The list of run records written.
    """
    experiment = experiment or catalogue.get(name)
    seeds = experiment.seeds if seeds is None else [checks.seed("seeds", s) for s in seeds]
    base = artefacts.folder(name, root)
    (base / artefacts.RUNS).mkdir(parents=True, exist_ok=True)
    description = experiment.describe()
    environment = artefacts.environment()
    artefacts.write_json(base / artefacts.EXPERIMENT, {**description, **environment})
    written = []
    for variant in _select(experiment, variants):
        for seed in seeds:
            key = run_key(variant, seed)
            progress = None if quiet else _progress_bar(f"{name}: {key}")
            model, record = train(experiment, variant, seed, max_steps=max_steps,
                                  progress=progress)
            artefacts.save_weights(model, base / artefacts.RUNS / f"{key}.weights.npz")
            record.update(environment, max_steps=max_steps or experiment.max_steps(variant))
            artefacts.write_json(base / artefacts.RUNS / f"{key}.json", record)
            written.append(record)
            if not quiet:
                print(f"  {key}: {experiment.metric} {record['final'][experiment.metric]:.4g}, "
                      f"solved at {record['solved_at']}, {record['cpu_seconds']:.0f} s CPU",
                      flush=True)
    artefacts.seal(name, root)
    return written


def _close(recorded, recomputed, tolerance):
    if recorded is None or recomputed is None:
        return recorded is recomputed
    if math.isnan(recorded) or math.isnan(recomputed):
        return math.isnan(recorded) and math.isnan(recomputed)
    return abs(recomputed - recorded) <= tolerance * max(abs(recorded), 1e-12) + 1e-9


class Artefact:
    """A shipped experiment: its description, its runs' records, and their trained models."""

    def __init__(self, name, root=None, check=True, experiment=None):
        self.name = name
        self.experiment = experiment or catalogue.get(name)
        self.base = artefacts.folder(name, root)
        rerun = f"python -m companion.experiments run {name}"
        if check:
            artefacts.check_intact(name, root)
        self.description = artefacts.read_json(self.base / artefacts.EXPERIMENT, rerun)
        self.records = {}
        for path in sorted((self.base / artefacts.RUNS).glob("*.json")):
            self.records[path.stem] = artefacts.read_json(path, rerun)
        self._models = {}
        if not self.records:
            raise artefacts.ArtefactError(f"experiment {name!r} has no runs in {self.base}; "
                                          f"run `{rerun}`.")

    def runs(self, **fields):
        """The records whose variant has every given field, e.g. ``runs(cell="lstm")``."""
        return [r for r in self.records.values()
                if all(r["variant"].get(k) == v for k, v in fields.items())]

    def model(self, key):
        """The trained model of run ``key``, its weights loaded from the artefact.

        The runs of one variant share one model object (a later call loads other weights into
        it), built for evaluation: without XLA, which would compile every model again. Its
        numbers agree with the XLA-compiled ones recorded in training to about 1e-6 relative.
        """
        import keras

        record = self.records[key]
        vkey = variant_key(record["variant"])
        if vkey not in self._models:
            keras.utils.set_random_seed(record["seed"])
            model = self.experiment.build_run_model(record["variant"], record["seed"])
            model.jit_compile = False
            self._models[vkey] = model
        model = self._models[vkey]
        artefacts.load_weights(model, self.base / artefacts.RUNS / f"{key}.weights.npz")
        return model

    def recompute(self, key, data=None):
        """The held-out metrics of run ``key``'s weights, computed now."""
        record = self.records[key]
        data = self.experiment.held_out(record["variant"]) if data is None else data
        model = self.model(key)
        metrics = {**self.experiment.evaluate(model, record["variant"], data),
                   **self.experiment.test_metrics(model, record["variant"])}
        return {k: float(v) for k, v in metrics.items()}

    def check_metrics(self, key, data=None):
        """Recompute run ``key``'s held-out metrics; raise ``ArtefactError`` if one differs."""
        return self._checked(key, self.recompute(key, data), self.records[key]["final"])

    def check_test_metrics(self, key):
        """Recompute run ``key``'s test metrics alone (not the validation ones, which steered
        training): cheaper than ``check_metrics`` where a page needs only the test numbers."""
        record = self.records[key]
        recomputed = {k: float(v) for k, v in
                      self.experiment.test_metrics(self.model(key), record["variant"]).items()}
        if not recomputed:
            raise ValueError(f"Argument `key`: experiment {self.name!r} records no test "
                             "metrics; use check_metrics.")
        return self._checked(key, recomputed, {k: record["final"][k] for k in recomputed})

    def _checked(self, key, recomputed, recorded):
        for metric, value in recorded.items():
            if not _close(value, recomputed.get(metric), self.experiment.metric_tolerance):
                raise artefacts.ArtefactError(
                    f"experiment {self.name!r}, run {key}: held-out {metric} recomputed from "
                    f"the shipped weights is {recomputed.get(metric)!r}, recorded "
                    f"{value!r} (tolerance {self.experiment.metric_tolerance:g} relative); "
                    f"run `python -m companion.experiments run {self.name}`."
                )
        return recomputed

    def replay(self, key, steps=None):
        """Train run ``key`` again from its seed for its first steps; raise ``ArtefactError``
        if a loss differs from the recorded one by more than ``PREFIX_TOLERANCE``."""
        record = self.records[key]
        recorded = record["prefix_losses"][:steps]
        _, replay = train(self.experiment, record["variant"], record["seed"],
                          max_steps=len(recorded), evaluate=False)
        for step, (a, b) in enumerate(zip(recorded, replay["prefix_losses"]), start=1):
            if not _close(a, b, PREFIX_TOLERANCE):
                raise artefacts.ArtefactError(
                    f"experiment {self.name!r}, run {key}: training loss at step {step} "
                    f"replayed as {b!r}, recorded {a!r} (tolerance {PREFIX_TOLERANCE:g} "
                    f"relative); run `python -m companion.experiments run {self.name}`."
                )
        return replay["prefix_losses"]

    def summary(self, metric=None, **fields):
        """Mean, standard deviation and the values over seeds of ``metric`` (final held-out),
        for the runs matching ``fields``."""
        metric = metric or self.experiment.metric
        values = [r["final"][metric] for r in self.runs(**fields)]
        return {"mean": float(np.mean(values)), "std": float(np.std(values, ddof=1))
                if len(values) > 1 else 0.0, "values": values}


def load(name, root=None):
    """The shipped artefact of experiment ``name`` (hashes checked)."""
    return Artefact(name, root)


def replayed_keys(records, count):
    """The runs whose first steps ``verify`` replays: all of them (``count`` None), or the
    first ``count`` runs taken evenly across the sorted run keys (so across variants)."""
    keys = sorted(records)
    if count is None or count >= len(keys):
        return keys
    count = checks.positive_int("replay_runs", count, minimum=0)
    return [keys[round(i * (len(keys) - 1) / max(count - 1, 1))] for i in range(count)]


def verify_experiment(name, root=None, replay=True, say=print, experiment=None,
                      replay_runs=None):
    """Check experiment ``name``'s artefact: hashes, held-out metrics, first training steps.

    Every run's held-out metrics are recomputed from its weights; the first training steps are
    replayed for every run, or for ``replay_runs`` of them (``replayed_keys``), since a replay
    compiles and trains a model. Returns the number of runs checked; raises
    ``ArtefactError`` at the first mismatch.
    """
    artefact = Artefact(name, root, experiment=experiment)
    say(f"{name}: files intact ({len(artefact.records)} runs)")
    to_replay = set(replayed_keys(artefact.records, replay_runs)) if replay else set()
    cache = {}
    for key, record in sorted(artefact.records.items()):
        vkey = variant_key(record["variant"])
        if vkey not in cache:
            cache[vkey] = artefact.experiment.held_out(record["variant"])
        artefact.check_metrics(key, cache[vkey])
        if key in to_replay:
            artefact.replay(key)
        say(f"  {key}: held-out metrics recomputed"
            + (f", first {len(record['prefix_losses'])} steps replayed"
               if key in to_replay else ""))
    return len(artefact.records)


def smoke(name, steps=3):
    """A seconds-long run of ``name`` (its first and last variant, first seed, ``steps``
    steps) into a temporary folder, then a verification of what it wrote. Returns the runs
    checked."""
    experiment = catalogue.get(name)
    experiment.smoke = True  # an experiment may evaluate on less data (see Experiment.smoke)
    root = pathlib.Path(tempfile.mkdtemp(prefix="companion-smoke-"))
    try:
        every = [variant_key(v) for v in experiment.variants()]
        run_experiment(name, seeds=experiment.seeds[:1], variants=sorted({every[0], every[-1]}),
                       root=root, max_steps=steps, quiet=True, experiment=experiment)
        return verify_experiment(name, root=root, replay=True, say=lambda *_: None,
                                 experiment=experiment)
    finally:
        shutil.rmtree(root, ignore_errors=True)
