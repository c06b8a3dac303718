"""The package's folders are its architecture: a sub-package imports only those below it.

The order is the one the package docstring (``companion/__init__.py``) and the README give.
"""

import ast
import pathlib

import companion
import pytest

PACKAGE = pathlib.Path(companion.__file__).parent
# bottom to top; each may import itself and anything earlier in the list
ORDER = ("checks", "reference", "cells", "layers", "datasets", "models", "experiments", "views")
# what each folder may import beyond the order's rule (none today: the rule is the whole story)
MODULES = sorted(path for path in PACKAGE.rglob("*.py") if path.parent != PACKAGE
                 or path.name == "checks.py")


def _room(path):
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imported_rooms(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "companion" and len(parts) > 1 and parts[1] in ORDER:
                yield node.lineno, parts[1]


def test_every_module_lives_in_a_known_room():
    rooms = {_room(path) for path in MODULES}
    assert rooms <= set(ORDER), f"modules outside the documented rooms: {rooms - set(ORDER)}"
    assert {path.name for path in PACKAGE.glob("*.py")} == {"__init__.py", "checks.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_lower_room_never_imports_a_higher_one(path):
    room = _room(path)
    allowed = set(ORDER[: ORDER.index(room) + 1])
    wrong = [(line, other) for line, other in _imported_rooms(path) if other not in allowed]
    assert not wrong, (
        f"{path.relative_to(PACKAGE)} ({room}) imports a higher room at line(s) "
        f"{wrong}; it may import only {sorted(allowed)}: move the code down, or this module up"
    )


def test_the_package_docstring_maps_every_room():
    for room in ORDER:
        assert f"``{room}``" in companion.__doc__, f"companion/__init__.py does not map {room}"


def test_keras_private_dropout_mixin_is_imported_in_one_place_and_still_exists():
    """Keras' RNN layer manages dropout masks only for cells that subclass its private
    ``DropoutRNNCell``; the companion imports it in companion/cells/base.py alone."""
    importers = [path for path in PACKAGE.rglob("*.py")
                 if "keras.src" in path.read_text(encoding="utf-8")]
    assert [p.relative_to(PACKAGE).as_posix() for p in importers] == ["cells/base.py"], (
        f"Keras' private modules (keras.src...) are imported from {importers}; import them in "
        "companion/cells/base.py only, so that a move inside Keras breaks one line"
    )
    try:
        from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell
    except ImportError as error:  # pragma: no cover - only when Keras moves it
        pytest.fail(
            f"Keras no longer has keras.src.layers.rnn.dropout_rnn_cell.DropoutRNNCell ({error}): "
            "find where this Keras version defines the mixin that keras.layers.LSTMCell "
            "inherits (keras.layers.LSTMCell.__mro__), and change the import in "
            "companion/cells/base.py"
        )
    import keras

    assert DropoutRNNCell in keras.layers.LSTMCell.__mro__, (
        "keras.layers.LSTMCell no longer inherits DropoutRNNCell: Keras changed how RNN "
        "layers manage dropout masks; update companion/cells/base.py to its new mechanism"
    )
