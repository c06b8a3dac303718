"""How an experiment is declared: its variants, data, model, budget, metrics and seeds.

An experiment answers one question with several *variants* (a cell, a sequence length, an
initialisation...) trained from several *seeds*. A subclass of ``Experiment`` declares:

- ``name``, ``question``, ``seeds``, ``metric`` (the held-out number its verdicts use) and
  ``settings`` (everything else that defines the runs, recorded in the artefact);
- ``variants()``: a list of dicts, each a JSON-serialisable description of one variant;
- ``build_model(variant)``: a compiled ``keras.Model`` (weights drawn from the seeded state);
  an experiment whose runs start from other trained weights chosen by the seed overrides
  ``build_run_model(variant, seed)`` instead, which training and loading call;
- ``training_batch(variant, rng, step)``: the batch of one optimiser step, ``(inputs,
  targets)`` or ``(inputs, targets, sample_weight)``;
- ``held_out(variant)``: the evaluation data, the same for every seed;
- ``evaluate(model, variant, data)``: a dict of held-out metrics, measured during training;
- ``test_metrics(model, variant)``: metrics measured once, on the final weights (a test set
  that must not steer training or early stopping); none by default;
- ``max_steps(variant)``, ``eval_every`` and ``solved(metrics)`` (training stops early once
  a variant is solved, and the step is recorded: steps to solve are a result).

``companion.experiments.runner`` trains the runs into an artefact and verifies them; the same
loop (``train``) trains a run from scratch, replays its first steps, or does a short smoke run.
"""

import time
import zlib

import numpy as np

from companion import checks


def variant_key(variant):
    """A short, stable, file-name-safe name of a variant: ``{"cell": "lstm", "length": 200}``
    gives ``"cell=lstm,length=200"``."""
    return ",".join(f"{key}={variant[key]}" for key in sorted(variant))


def run_key(variant, seed):
    return f"{variant_key(variant)},seed={seed}"


class Experiment:
    """Base class of the declared experiments (see the module docstring)."""

    name = None
    question = None
    seeds = (0, 1, 2)
    metric = "loss"
    lower_is_better = True
    eval_every = 100
    prefix_steps = 20         # training losses recorded step by step, and replayed by verify
    metric_tolerance = 1e-5   # relative: recorded held-out metrics against recomputed ones
    keep_best = False         # save the weights of the best evaluation (early stopping)
    smoke = False             # set by a smoke run: an experiment may then evaluate on less data

    def settings(self):
        return {}

    def variants(self):
        raise NotImplementedError

    def build_model(self, variant):
        raise NotImplementedError

    def build_run_model(self, variant, seed):
        """The model of run (``variant``, ``seed``), built after the seed is set."""
        return self.build_model(variant)

    def training_batch(self, variant, rng, step):
        raise NotImplementedError

    def held_out(self, variant):
        raise NotImplementedError

    def evaluate(self, model, variant, data):
        raise NotImplementedError

    def test_metrics(self, model, variant):
        return {}

    def max_steps(self, variant):
        raise NotImplementedError

    def solved(self, metrics):
        return False

    def describe(self):
        return {"name": self.name, "question": self.question, "seeds": list(self.seeds),
                "metric": self.metric, "lower_is_better": self.lower_is_better,
                "eval_every": self.eval_every, "prefix_steps": self.prefix_steps,
                "settings": self.settings(), "variants": self.variants(),
                "max_steps": {variant_key(v): self.max_steps(v) for v in self.variants()}}

    def data_rng(self, variant, seed):
        """The generator of a run's training batches: a function of the seed and the variant,
        so that two variants trained from one seed see independent data."""
        return np.random.default_rng([seed, zlib.crc32(variant_key(variant).encode())])


def _loss_value(result):
    return float(result[0] if isinstance(result, (list, tuple)) else result)


def train(experiment, variant, seed, max_steps=None, progress=None, evaluate=True):
    """Train one run from scratch: returns ``(model, record)``.

    The record holds ``prefix_losses`` (the first ``prefix_steps`` training losses),
    ``curve`` (every ``eval_every`` steps: the step, the mean training loss since the last
    evaluation and the held-out metrics), ``steps`` (optimiser steps taken), ``solved_at``
    (first evaluated step whose metrics ``solved`` accepts, else None), ``final`` (the
    held-out metrics of the returned weights), ``diverged``, ``cpu_seconds`` and
    ``wall_seconds``. With ``evaluate=False`` (a replay of the first steps) there is no
    curve and no final evaluation.
    """
    import keras

    budget = experiment.max_steps(variant) if max_steps is None else max_steps
    budget = checks.positive_int("max_steps", budget)
    keras.utils.set_random_seed(seed)
    model = experiment.build_run_model(variant, seed)
    rng = experiment.data_rng(variant, seed)
    data = experiment.held_out(variant) if evaluate else None
    cpu, wall = time.process_time(), time.perf_counter()
    curve = {"step": [], "train_loss": []}
    prefix, window = [], []
    best, best_weights, solved_at, diverged = None, None, None, False

    def record_evaluation(step):
        nonlocal best, best_weights, solved_at
        metrics = experiment.evaluate(model, variant, data)
        curve["step"].append(step)
        curve["train_loss"].append(float(np.mean(window)) if window else None)
        for name, value in metrics.items():
            curve.setdefault(name, []).append(float(value))
        value = metrics[experiment.metric]
        better = best is None or (value < best if experiment.lower_is_better else value > best)
        if experiment.keep_best and better:
            best, best_weights = value, model.get_weights()
        if solved_at is None and experiment.solved(metrics):
            solved_at = step
        return metrics

    if evaluate:
        record_evaluation(0)
    step = 0
    for step in range(1, budget + 1):
        batch = experiment.training_batch(variant, rng, step)  # (x, y) or (x, y, weights)
        loss = _loss_value(model.train_on_batch(*batch))
        if step <= experiment.prefix_steps:
            prefix.append(loss)
        window.append(loss)
        if not np.isfinite(loss):
            diverged = True
            break
        if progress is not None:
            progress(step, budget, loss)
        if evaluate and (step % experiment.eval_every == 0 or step == budget):
            record_evaluation(step)
            window = []
            if solved_at is not None:
                break
        if not evaluate and step >= experiment.prefix_steps:
            break
    record = {"variant": variant, "seed": seed, "steps": step, "prefix_losses": prefix,
              "diverged": diverged}
    if evaluate:
        if best_weights is not None:
            model.set_weights(best_weights)
        final = {**experiment.evaluate(model, variant, data),
                 **experiment.test_metrics(model, variant)}
        record.update(curve=curve, solved_at=solved_at,
                      final={k: float(v) for k, v in final.items()})
    record.update(cpu_seconds=time.process_time() - cpu, wall_seconds=time.perf_counter() - wall)
    return model, record
