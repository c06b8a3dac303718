"""The FeedbackCell of companion.models.scheduled_sampling (teacher forcing equals a plain
model; free running equals a step-by-step greedy loop), its schedules and inputs, and the
declared experiment companion.experiments.declared.scheduled_sampling."""

import math

import keras
import numpy as np
import pytest
from companion.datasets import progressions
from companion.experiments.declared import scheduled_sampling as declared
from companion.models import scheduled_sampling as ss

V = 6


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    model = ss.feedback_model(V, units=8, embedding_dim=5)
    model.build((None, None, 2 * V + 1))
    return model


def _tokens(rng, batch=4, steps=7):
    return rng.integers(0, V, size=(batch, steps))


def test_schedules_start_at_one_and_decay():
    assert ss.teacher_forcing_probability(0, 100, "linear") == 1.0
    assert ss.teacher_forcing_probability(50, 100, "linear") == pytest.approx(0.5)
    assert ss.teacher_forcing_probability(500, 100, "linear", minimum=0.1) == 0.1
    assert ss.teacher_forcing_probability(2, 10, "exponential") == pytest.approx(0.81)
    k = 230
    assert ss.teacher_forcing_probability(1500, k) == pytest.approx(
        k / (k + math.exp(1500 / k)))
    assert ss.teacher_forcing_probability(10**7, k) < 1e-300  # no overflow


def test_teacher_forcing_is_a_plain_embedding_gru_dense():
    rng = np.random.default_rng(0)
    model = _model()
    cell = model.get_layer("feedback").cell
    tokens = _tokens(rng)
    forced = model(ss.feedback_inputs(tokens, np.zeros(tokens.shape), V))
    embedding = keras.ops.convert_to_numpy(cell.embeddings)[tokens]
    gru = keras.layers.GRU(8, return_sequences=True)
    gru.build(embedding.shape)
    gru.set_weights(cell.cell.get_weights())
    expected = (keras.ops.convert_to_numpy(gru(embedding)) @ cell.output_kernel.numpy()
                + cell.output_bias.numpy())
    np.testing.assert_allclose(forced, expected, rtol=1e-5, atol=1e-5)


def test_free_running_equals_a_greedy_loop_over_steps():
    rng = np.random.default_rng(1)
    model = _model(1)
    prompt, steps = 2, 7
    tokens = _tokens(rng, steps=steps)
    flags = np.zeros(tokens.shape)
    flags[:, prompt:] = 1
    free = keras.ops.convert_to_numpy(model(ss.feedback_inputs(tokens, flags, V)))
    # the same by hand: run teacher-forced on the prefix built so far, one step at a time
    fed = tokens.copy()
    for t in range(prompt, steps):
        forced = keras.ops.convert_to_numpy(
            model(ss.feedback_inputs(fed[:, :t], np.zeros((len(fed), t)), V)))
        fed[:, t] = forced[:, t - 1].argmax(-1)
    forced = model(ss.feedback_inputs(fed, np.zeros(fed.shape), V))
    np.testing.assert_allclose(free, forced, rtol=1e-5, atol=1e-5)


def test_gumbel_noise_samples_the_softmax():
    rng = np.random.default_rng(2)
    logits = np.log(np.array([0.5, 0.3, 0.2]))
    draws = np.argmax(logits + ss.gumbel_noise((20_000, 3), rng), axis=1)
    np.testing.assert_allclose(np.bincount(draws) / len(draws), [0.5, 0.3, 0.2], atol=0.015)


def test_no_gradient_flows_through_the_models_own_token():
    import tensorflow as tf

    rng = np.random.default_rng(3)
    model = _model(3)
    tokens = _tokens(rng)
    flags = np.ones(tokens.shape)
    flags[:, 0] = 0
    inputs = tf.constant(ss.feedback_inputs(tokens, flags, V))
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        out = model(inputs)
    gradient = tape.gradient(out, inputs).numpy()
    assert np.all(gradient[:, 1:, :V] == 0)  # the true tokens are not read after step 0


def test_inputs_are_checked():
    tokens = np.zeros((2, 3), dtype=int)
    with pytest.raises(ValueError, match="first step"):
        ss.feedback_inputs(tokens, np.ones((2, 3)), V)
    with pytest.raises(ValueError, match="ids"):
        ss.feedback_inputs(tokens + V, np.zeros((2, 3)), V)
    with pytest.raises(ValueError, match="cell"):
        ss.FeedbackCell("gru", V)


def test_saved_model_loads(tmp_path):
    model = _model(4)
    tokens = _tokens(np.random.default_rng(4))
    inputs = ss.feedback_inputs(tokens, np.zeros(tokens.shape), V)
    model.save(tmp_path / "feedback.keras")
    loaded = keras.saving.load_model(tmp_path / "feedback.keras")
    np.testing.assert_allclose(loaded(inputs), model(inputs), rtol=1e-6, atol=1e-6)


# --- the declared experiment ----------------------------------------------------------------


def test_prompt_steps_always_read_the_true_token():
    flags = declared.read_own_flags((50, declared.LENGTH), 0.0, np.random.default_rng(0))
    assert np.all(flags[:, :declared.PROMPT + 1] == 0) and np.all(
        flags[:, declared.PROMPT + 1:] == 1)


def test_injected_tokens_are_wrong():
    _, tokens = progressions.modular_progressions(500, declared.LENGTH, declared.MODULUS,
                                                   seed=0)
    wrong = declared.wrong_tokens(tokens, np.random.default_rng(1))
    assert np.all(wrong != tokens[:, declared.INJECT_AT - 1])


class _Perfect:
    """A model that reads the step inputs and predicts previous token + step (known from the
    true sequence): it continues from whatever it reads, as a teacher-forced model does."""

    def __init__(self, tokens):
        self.step = (tokens[:, 1] - tokens[:, 0]) % declared.MODULUS

    def predict_on_batch(self, batch):
        v = progressions.vocab_size(declared.MODULUS)
        n = len(self.step)
        out = np.zeros((*batch.shape[:2], v))
        for block in range(3):
            rows = slice(block * n, (block + 1) * n)
            read, own = batch[rows, :, :v].argmax(-1), batch[rows, :, v] == 1
            previous = None
            for t in range(batch.shape[1]):
                token = previous if own[0, t] else read[:, t]
                nxt = (token + self.step) % declared.MODULUS if t else read[:, 1] * 0
                out[rows, t][np.arange(n), nxt] = 1
                previous = nxt
        return out


def test_metrics_of_a_model_that_continues_from_its_input():
    previous, tokens = progressions.modular_progressions(40, declared.LENGTH,
                                                         declared.MODULUS, seed=5)
    injected = declared.wrong_tokens(tokens, np.random.default_rng(6))
    metrics = declared.continuation_metrics(_Perfect(tokens), previous, tokens, injected)
    assert metrics["free_running_accuracy"] == 1.0 and metrics["exact_match"] == 1.0
    assert metrics["teacher_forced_accuracy"] == 1.0
    assert metrics["recovery"] == 0.0  # every later token follows the injected one


def test_declaration():
    experiment = declared.ScheduledSampling()
    assert [v["training"] for v in experiment.variants()] == list(declared.TRAINING)
    assert experiment.teacher_forcing_probability({"training": "teacher_forcing"}, 900) == 1
    assert experiment.teacher_forcing_probability({"training": "always_sampling"}, 0) == 0
    eps = experiment.teacher_forcing_probability({"training": "scheduled_sampling"},
                                                 experiment.budget)
    assert 0.2 < eps < 0.3
