"""A small training loop for step-budgeted experiments: fresh batches, a learning curve, a stop.

The book's experiments compare models under the same budget of optimiser steps, measure the
loss on held-out data every few steps, and may stop early once a target is reached (the step
at which that happens is itself a result).
"""

import dataclasses
import time

import numpy as np

from companion import checks


@dataclasses.dataclass
class LearningCurve:
    """What ``train_for_steps`` measured.

    Attributes:
        steps: the optimiser steps at which the held-out loss was measured (0 = before training).
        losses: the held-out loss at those steps.
        seconds: wall time of the whole run, evaluations included.
        reached_target_at: first measured step whose loss was below ``target_loss``, or None.
        diverged: True if the loss became NaN or infinite (training stopped there).
    """

    steps: list
    losses: list
    seconds: float
    reached_target_at: int | None = None
    diverged: bool = False

    @property
    def final_loss(self):
        return self.losses[-1]

    @property
    def best_loss(self):
        return min(self.losses)


def train_for_steps(
    model,
    make_batch,
    max_steps,
    eval_data,
    eval_every=50,
    target_loss=None,
):
    """Train a compiled Keras ``model`` one batch at a time and record its held-out loss.

    Args:
        model: a compiled ``keras.Model``; its first compiled loss is the one recorded.
        make_batch: ``make_batch(step) -> (inputs, targets)``, a fresh batch for each step.
        max_steps: the budget of optimiser steps (positive int).
        eval_data: ``(inputs, targets)`` held out, evaluated every ``eval_every`` steps.
        eval_every: positive int.
        target_loss: if given, stop at the first evaluation whose loss is below it.

    Returns:
        A ``LearningCurve``; a run whose loss becomes NaN or infinite stops there and is
        marked ``diverged`` rather than raising, since divergence can be the result.
    """
    for name, value in [("max_steps", max_steps), ("eval_every", eval_every)]:
        checks.positive_int(name, value)
    eval_inputs, eval_targets = eval_data

    def held_out_loss():
        result = model.evaluate(eval_inputs, eval_targets, batch_size=len(eval_inputs), verbose=0)
        return float(result[0] if isinstance(result, (list, tuple)) else result)

    start = time.perf_counter()
    steps, losses = [0], [held_out_loss()]
    reached = None
    for step in range(1, max_steps + 1):
        inputs, targets = make_batch(step)
        model.train_on_batch(inputs, targets)
        if step % eval_every == 0 or step == max_steps:
            steps.append(step)
            losses.append(held_out_loss())
            if not np.isfinite(losses[-1]):
                return LearningCurve(steps, losses, time.perf_counter() - start, None, True)
            if target_loss is not None and losses[-1] < target_loss:
                reached = step
                break
    return LearningCurve(steps, losses, time.perf_counter() - start, reached)
