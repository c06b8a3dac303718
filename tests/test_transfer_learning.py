"""The declared transfer-learning experiment: where its fine-tuned runs start from."""

import numpy as np
import pytest
from companion.experiments import artefacts
from companion.experiments.declared import transfer_learning as declared


def test_a_fine_tuned_run_starts_from_the_language_model_of_its_seed():
    experiment = declared.TransferLearning()
    seed = 4  # the language model has three seeds: run 4 starts from run 1
    model = experiment.build_run_model({"init": "language model"}, seed)
    language_model = declared.pretrained_language_model(seed)
    for name in ("embedding", "recurrent"):
        for ours, theirs in zip(model.get_layer(name).get_weights(),
                                language_model.get_layer(name).get_weights()):
            np.testing.assert_array_equal(ours, theirs)
    other = declared.pretrained_language_model(seed + 1)
    assert not np.array_equal(model.get_layer("embedding").get_weights()[0],
                              other.get_layer("embedding").get_weights()[0])


def test_a_run_from_scratch_does_not_read_the_language_model():
    experiment = declared.TransferLearning()
    model = experiment.build_run_model({"init": "scratch"}, 1)
    language_model = declared.pretrained_language_model(1)
    assert not np.allclose(model.get_layer("embedding").get_weights()[0],
                           language_model.get_layer("embedding").get_weights()[0])


def test_labels_and_ids_are_in_the_same_order():
    ids, labels = declared.data()["test"]
    assert len(ids) == len(labels) and set(np.unique(labels)) <= {0.0, 1.0}


def test_a_missing_language_model_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(artefacts, "folder", lambda name, root=None: tmp_path / name)
    with pytest.raises(artefacts.ArtefactError, match="tied_embeddings"):
        declared.pretrained_language_model(0)
