"""Model builders, decoding, and the baselines a recurrent model must beat.

``seq2seq``, ``attention_seq2seq`` and ``transformer`` build encoder-decoders; ``decoding``
decodes any of them (greedy, beam search); ``char_lm`` is the character language model;
``forecasters`` the recurrent forecasters; ``sentiment_classifiers`` the review classifiers;
``echo_state`` the echo state network (a fixed reservoir and a ridge read-out).
Baselines: ``ngram`` (count-based language models), ``classical_forecasts`` (naive, seasonal
naive, Holt-Winters, SARIMA, linear autoregression), ``nearest_neighbour`` (1-NN with Euclidean
and DTW distance).

May import: ``companion.checks``, ``reference``, ``cells``, ``layers``, ``datasets``.
"""
