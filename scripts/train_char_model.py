"""Train the character-level LSTM that chapter 7b loads, and write it to companion/assets/.

    python scripts/train_char_model.py            # writes companion/assets/char_lm.weights.h5 + char_lm.json

(from the repository root, with the companion package installed: `pip install -e .`).

Deterministic: fixed seeds, TensorFlow's deterministic kernels, windows drawn from one NumPy
generator. The corpus is CPython's pydoc_data topics text (companion.datasets.text.pydoc_topics_text); the
model is trained on its first 90 % and scored on the last 10 %, exactly as the chapter does.
char_lm.json records what the chapter needs to rebuild the model (vocabulary, sizes), the corpus
hash, the validation bits per character measured here, the learning curve and the training time.

Recorded run (2026-11-22, Python 3.11.7, Keras 3.15.1, TensorFlow 2.21, 2 CPU cores shared with
other jobs): 2,400 steps in 398 s wall / 147 s CPU, validation 1.9952 bits per character; the
weights file is 413 kB. A second run on the same machine wrote bit-identical weights.
"""

import argparse
import json
import os
import pathlib
import platform
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from companion.datasets import text
from companion.models import char_lm, ngram  # noqa: E402

#: The settings of the shipped model; the chapter reads them back from char_lm.json.
SETTINGS = dict(seed=0, validation_fraction=0.1, min_count=10, units=128, embedding_dim=32,
                cell="lstm", batch_size=64, length=100, learning_rate=3e-3, steps=2400,
                evaluate_every=200, n_streams=256, warmup=100)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=SETTINGS["steps"])
    parser.add_argument("--units", type=int, default=SETTINGS["units"])
    parser.add_argument("--out", type=pathlib.Path, default=char_lm.ASSETS_DIR,
                        help="folder for char_lm.weights.h5 and char_lm.json")
    args = parser.parse_args()
    settings = dict(SETTINGS, steps=args.steps, units=args.units)

    keras.utils.set_random_seed(settings["seed"])
    tf.config.experimental.enable_op_determinism()

    corpus = text.pydoc_topics_text()
    train_text, _ = text.split_by_position(corpus, settings["validation_fraction"])
    vocabulary = text.CharVocabulary.from_text(train_text, settings["min_count"])
    ids = vocabulary.encode(corpus)
    n_train = len(train_text)
    inputs, targets = text.evaluation_streams(ids, n_train, settings["n_streams"], settings["warmup"])

    def validation_bits(model):
        return ngram.bits_per_char(char_lm.target_probabilities(model, inputs, targets))

    model = char_lm.char_language_model(vocabulary.size, settings["units"], settings["embedding_dim"],
                                        settings["cell"])
    char_lm.compile_language_model(model, settings["learning_rate"], decay_steps=settings["steps"])
    start_wall, start_cpu = time.perf_counter(), time.process_time()

    def report(model):
        bits = validation_bits(model)
        print(f"{time.perf_counter() - start_wall:7.1f} s  validation {bits:.4f} bits/char", flush=True)
        return bits

    history = char_lm.train_language_model(
        model, ids[:n_train], settings["steps"], settings["batch_size"], settings["length"],
        seed=settings["seed"], evaluate=report, evaluate_every=settings["evaluate_every"])
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu

    args.out.mkdir(parents=True, exist_ok=True)
    # an uncompiled copy: save_weights would also write Adam's two moments (three times the size)
    shipped = char_lm.char_language_model(vocabulary.size, settings["units"], settings["embedding_dim"],
                                          settings["cell"])
    shipped.set_weights(model.get_weights())
    shipped.save_weights(args.out / char_lm.WEIGHTS_PATH.name)
    metadata = {
        "settings": settings,
        "chars": vocabulary.chars,
        "corpus_sha256": text.text_sha256(corpus),
        "corpus_length": len(corpus),
        "validation_bits_per_char": history["evaluations"][-1][1],
        "evaluations": history["evaluations"],
        "train_bits_every_100": [float(np.mean(history["train_bits"][i:i + 100]))
                                 for i in range(0, settings["steps"], 100)],
        "train_wall_seconds": round(wall, 1),
        "train_cpu_seconds": round(cpu, 1),
        "versions": {"python": platform.python_version(), "keras": keras.__version__,
                     "tensorflow": tf.__version__, "numpy": np.__version__},
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
    }
    (args.out / char_lm.METADATA_PATH.name).write_text(json.dumps(metadata, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}: validation {metadata['validation_bits_per_char']:.4f} bits/char, "
          f"{wall:.0f} s wall, {cpu:.0f} s CPU", file=sys.stderr)


if __name__ == "__main__":
    main()
