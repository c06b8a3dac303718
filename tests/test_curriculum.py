"""The declared curriculum experiment: stages from a learning curve, the sequence steps a run
costs, the batch lengths of each schedule."""

import numpy as np
from companion.experiments.declared import curriculum as cur


def _curve(mse_rows):
    curve = {"step": [100 * i for i in range(len(mse_rows))]}
    for j, length in enumerate(cur.STAGES):
        curve[cur.metric_name(length)] = [row[j] for row in mse_rows]
    return curve


def test_stage_history_moves_one_stage_per_evaluation():
    high, low = 0.1, 0.001
    curve = _curve([[high] * 4, [low, low, high, high], [low, low, high, high],
                    [low, low, low, low], [low] * 4, [low] * 4])
    assert cur.stage_history(curve) == [0, 1, 2, 3, 3, 3]


def test_sequence_steps_of_each_schedule():
    curve = _curve([[0.1] * 4, [0.001] * 4, [0.001] * 4, [0.001] * 4, [0.001] * 4])
    # stages after each evaluation: 0, 1, 2, 3, 3; solved at step 300
    record = {"curve": curve, "solved_at": 300, "steps": 300}
    naive = cur.sequence_steps({**record, "variant": {"schedule": "naive"}}, 64, 100)
    assert naive == 64 * 100 * (25 + 50 + 100)
    direct = cur.sequence_steps({**record, "variant": {"schedule": "direct"}}, 64, 100)
    assert direct == 64 * 200 * 300
    mixed = cur.sequence_steps({**record, "variant": {"schedule": "mixed"}}, 64, 100)
    mean_length = np.mean(cur.STAGES)
    assert mixed == 64 * 100 * sum(0.5 * s + 0.5 * mean_length for s in (25, 50, 100))


def test_batch_lengths_follow_the_schedule():
    experiment = cur.Curriculum()
    rng = np.random.default_rng(0)
    assert experiment.training_batch({"schedule": "direct"}, rng, 1)[0].shape[1] == 200
    assert experiment.training_batch({"schedule": "naive"}, rng, 1)[0].shape[1] == 25
    lengths = {experiment.training_batch({"schedule": "mixed"}, rng, 2)[0].shape[1]
               for _ in range(40)}
    assert lengths == set(cur.STAGES)


def test_evaluation_advances_the_stage_during_training():
    import keras

    experiment = cur.Curriculum()
    experiment.smoke = True
    variant = {"schedule": "naive"}
    experiment.training_batch(variant, np.random.default_rng(0), 1)
    model = experiment.build_model(variant)
    data = experiment.held_out(variant)

    class Exact:  # predicts every target exactly
        def predict_on_batch(self, inputs):
            return (inputs[..., 0] * inputs[..., 1]).sum(axis=1, keepdims=True)

    metrics = experiment.evaluate(Exact(), variant, data)
    assert all(v < 1e-10 for v in metrics.values()) and experiment._stage == 1
    assert isinstance(model, keras.Model)
