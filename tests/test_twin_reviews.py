"""Generated reviews: the labelling rule, the twins, the vocabulary and the classifiers."""

import keras
import numpy as np
import pytest
from companion.datasets import twin_reviews
from companion.datasets.padding import PAD
from companion.models import sentiment_classifiers


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_labels_follow_the_rule_and_twins_flip_them(seed):
    reviews = twin_reviews.generate_reviews(200, seed=seed)
    assert len(reviews) == 400
    for review in reviews:
        assert review.label == twin_reviews.review_label(review.tokens)
    for first, second in zip(reviews[::2], reviews[1::2]):
        assert first.pair == second.pair
        assert first.tokens != second.tokens
        assert twin_reviews.bag_of_words(first.tokens) == twin_reviews.bag_of_words(second.tokens)
        assert first.label != second.label
        assert (first.construction, first.kind) == (second.construction, second.kind)
    # every construction and kind occurs, and the labels are balanced by construction
    groups = {(r.construction, r.kind) for r in reviews}
    assert groups == {(c, k) for c in twin_reviews.CONSTRUCTIONS for k in twin_reviews.KINDS}


def test_generator_is_seeded():
    a = twin_reviews.generate_reviews(30, seed=5)
    b = twin_reviews.generate_reviews(30, seed=5)
    c = twin_reviews.generate_reviews(30, seed=6)
    assert a == b and a != c


@pytest.mark.parametrize(
    "text, label",
    [
        ("the movie was great , although the ending was dull", 1),
        ("the movie was great , but the ending was dull", 0),
        ("although the movie was great , the ending was dull", 0),
        ("the movie was not great , but the ending was not dull", 1),
        ("the plot felt never very bad at times , although the cast is weak", 1),
    ],
)
def test_rule_on_hand_written_sentences(text, label):
    assert twin_reviews.review_label(text.split()) == label


def test_rule_rejects_sentences_outside_the_grammar():
    with pytest.raises(ValueError, match="`tokens`"):
        twin_reviews.review_label("the movie was great".split())
    with pytest.raises(ValueError, match="`tokens`"):
        twin_reviews.review_label("the movie was great , and the ending was dull".split())
    with pytest.raises(ValueError, match="`clause`"):
        twin_reviews.review_label("the movie was bad , but the end was great dull".split())
    with pytest.raises(ValueError, match="`n_pairs`"):
        twin_reviews.generate_reviews(0)


def test_vocabulary_encodes_pads_and_decodes():
    sentences = [["the", "plot", "was", "good"], ["the", "cast", "was", "not", "bad", "overall"]]
    vocabulary = twin_reviews.Vocabulary(sentences)
    assert vocabulary.words[PAD] == "" and vocabulary.words[1] == vocabulary.UNKNOWN
    assert len(vocabulary) == 2 + len({w for s in sentences for w in s})
    ids = vocabulary.encode(sentences)
    assert ids.shape == (2, 6) and ids.dtype == np.int32
    assert ids[0, 4:].tolist() == [PAD, PAD]  # padding after the sentence
    assert vocabulary.decode(ids[1]) == sentences[1]
    unknown = vocabulary.encode([["the", "soundtrack", "was", "good"]], length=8)
    assert unknown.shape == (1, 8)
    assert vocabulary.decode(unknown[0]) == ["the", vocabulary.UNKNOWN, "was", "good"]
    # the most frequent words get the smallest ids, whatever the order of the sentences
    assert vocabulary.ids["the"] == 2 and vocabulary.ids["was"] == 3
    assert twin_reviews.Vocabulary(sentences[::-1]).words == vocabulary.words
    with pytest.raises(ValueError, match="`sentences`"):
        twin_reviews.Vocabulary([])


def test_bag_of_unigrams_cannot_separate_twins_but_bigrams_see_order():
    reviews = twin_reviews.generate_reviews(150, seed=3)
    tokens = [r.tokens for r in reviews]
    labels = np.array([r.label for r in reviews])
    unigrams = sentiment_classifiers.bag_of_words_classifier((1, 1)).fit(tokens, labels)
    predictions = unigrams.predict(tokens)
    assert np.array_equal(predictions[::2], predictions[1::2])  # twins get one answer
    assert unigrams.score(tokens, labels) == 0.5
    bigrams = sentiment_classifiers.bag_of_words_classifier((1, 2)).fit(tokens, labels)
    assert bigrams.score(tokens, labels) > 0.5
    with pytest.raises(ValueError, match="`ngram_range`"):
        sentiment_classifiers.bag_of_words_classifier((2, 1))


def test_recurrent_classifier_ignores_padding():
    keras.utils.set_random_seed(0)
    model = sentiment_classifiers.recurrent_classifier(20, keras.layers.GRU(4), embedding_dim=3)
    ids = np.array([[5, 6, 7, 8]], dtype="int32")
    padded = np.concatenate([ids, np.zeros((1, 5), dtype="int32")], axis=1)
    unmasked = keras.Sequential([keras.Input((None,), dtype="int32"),
                                 keras.layers.Embedding(20, 3), keras.layers.GRU(4),
                                 keras.layers.Dense(1, activation="sigmoid")])
    unmasked.set_weights(model.get_weights())
    short, long = model.predict(ids, verbose=0), model.predict(padded, verbose=0)
    np.testing.assert_allclose(short, long, atol=1e-6)
    assert np.abs(unmasked.predict(padded, verbose=0) - short).max() > 1e-6  # without the mask
    with pytest.raises(ValueError, match="`recurrent_layer`"):
        sentiment_classifiers.recurrent_classifier(20, "gru")


def test_nb_svm_learns_sentiment_words_and_refuses_bad_arguments():
    positive = [["a", "great", "film"], ["great", "acting"], ["truly", "great"]] * 5
    negative = [["a", "dull", "film"], ["dull", "acting"], ["truly", "dull"]] * 5
    model = sentiment_classifiers.NBSVM().fit(positive + negative, [1] * 15 + [0] * 15)
    assert list(model.predict([["great"], ["dull"], ["a", "great", "plot"]])) == [1, 0, 1]
    # the log-count ratio of a word seen only in positive texts is positive, and vice versa
    vocabulary = model.vectorizer.vocabulary_
    assert model.ratio[vocabulary["great"]] > 0 > model.ratio[vocabulary["dull"]]
    with pytest.raises(ValueError, match="`beta`"):
        sentiment_classifiers.NBSVM(beta=1.5)
    with pytest.raises(ValueError, match="`ngram_range`"):
        sentiment_classifiers.NBSVM(ngram_range=(2, 1))
