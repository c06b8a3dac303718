"""The declared experiments, by name. Each lives in its own module of
``companion.experiments.declared``; adding one there and to ``_MODULES`` here is all it takes
for ``python -m companion.experiments`` to list, run and verify it."""

import importlib

# module of companion.experiments.declared -> the experiment classes it declares
_MODULES = {
    "adding_problem": ("AddingProblem",),
    "copy_task": ("CopyTask",),
    "counting": ("Counting",),
    "forget_gate_bias": ("ForgetGateBias",),
    "char_language_model": ("CharLanguageModel",),
    "chorales": ("Chorales",),
    "japanese_vowels": ("JapaneseVowelsSpeakers",),
    "rotten_tomatoes": ("RottenTomatoesSentiment",),
    "heart_rate": ("HeartRateAnomalies",),
    "forecasting": ("Forecasting",),
    "curriculum": ("Curriculum",),
    "scheduled_sampling": ("ScheduledSampling",),
    "tied_embeddings": ("TiedEmbeddings",),
    "transfer_learning": ("TransferLearning",),
    "short_lags": ("CopyTaskT10", "AddingProblemT50"),
    "initialisation": ("Initialisation",),
    "optimisers": ("Optimisers",),
    "vanilla_forecaster": ("VanillaForecaster",),
}


#: Declared experiments whose artefact is not shipped yet, each with the reason: the test suite
#: verifies every other one and fails on any declared experiment that is neither.
PENDING = {}


def _experiments():
    found = {}
    for module_name, classes in _MODULES.items():
        module = importlib.import_module(f"companion.experiments.declared.{module_name}")
        for class_name in classes:
            experiment = getattr(module, class_name)()
            found[experiment.name] = experiment
    return found


def names():
    """The names of every declared experiment, in declaration order."""
    return list(_experiments())


def shipped():
    """The declared experiments that are not ``PENDING``: their artefacts ship."""
    return [name for name in names() if name not in PENDING]


def get(name):
    """The declared experiment ``name``; a ``ValueError`` lists the known names otherwise."""
    experiments = _experiments()
    if name not in experiments:
        raise ValueError(f"Argument `name`: no experiment {name!r}; the declared experiments "
                         f"are {sorted(experiments)}.")
    return experiments[name]
