"""Where a trained experiment's artefact lives, what it holds, and how it proves it is intact.

An artefact is a folder ``companion/assets/experiments/<name>/``:

- ``experiment.json``: the question, the settings, the variants and the seeds;
- ``runs/<run>.json``: one run (a variant and a seed): its learning curves, the first
  training losses step by step (which ``verify`` replays), the held-out metrics of the saved
  weights, the step at which it solved the task (if it did), its CPU and wall time, the
  library versions and the machine;
- ``runs/<run>.weights.npz``: the trained weights of that run, the arrays of
  ``model.get_weights()`` in order (no optimiser state: the artefact is for evaluation);
- ``manifest.json``: the SHA-256 of every other file, so that a missing or changed file is
  named rather than silently used.
"""

import hashlib
import json
import os
import pathlib
import platform
import sys

ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets" / "experiments"
MANIFEST = "manifest.json"
EXPERIMENT = "experiment.json"
RUNS = "runs"


class ArtefactError(RuntimeError):
    """A shipped artefact is missing, corrupted, or disagrees with what it recorded."""


def folder(name, root=None):
    """The artefact folder of experiment ``name`` (under ``root``, default the shipped assets)."""
    return pathlib.Path(root or ASSETS) / name


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path, data):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)  # a crash never leaves half a file behind


def read_json(path, what_to_run):
    path = pathlib.Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtefactError(f"{path} is missing; run `{what_to_run}`.") from None
    except json.JSONDecodeError as error:
        raise ArtefactError(f"{path} is not valid JSON ({error}); run `{what_to_run}`.") from None


def seal(name, root=None):
    """Write the manifest of experiment ``name``: the SHA-256 of each of its files."""
    base = folder(name, root)
    files = sorted(p for p in base.rglob("*") if p.is_file() and p.name != MANIFEST
                   and not p.name.endswith(".tmp"))
    write_json(base / MANIFEST, {str(p.relative_to(base)): sha256(p) for p in files})


def check_intact(name, root=None):
    """Raise ``ArtefactError`` naming the file when the artefact is missing or changed."""
    base = folder(name, root)
    rerun = f"python -m companion.experiments run {name}"
    manifest = read_json(base / MANIFEST, rerun)
    if not manifest:
        raise ArtefactError(f"{base / MANIFEST} lists no files; run `{rerun}`.")
    for relative, expected in manifest.items():
        path = base / relative
        if not path.is_file():
            raise ArtefactError(f"experiment {name!r}: {path} is missing; run `{rerun}`.")
        if sha256(path) != expected:
            raise ArtefactError(
                f"experiment {name!r}: {path} has changed since it was written (its SHA-256 "
                f"differs from {base / MANIFEST}); run `{rerun}` to retrain it."
            )
    extra = sorted(str(p.relative_to(base)) for p in base.rglob("*")
                   if p.is_file() and p.name != MANIFEST and str(p.relative_to(base)) not in manifest)
    if extra:
        raise ArtefactError(f"experiment {name!r}: files not in {MANIFEST}: {extra}; run "
                            f"`python -m companion.experiments seal {name}` if they belong.")
    return manifest


def save_weights(model, path):
    """Write ``model``'s weights to ``path`` as a compressed ``.npz`` (the artefacts ship inside
    the package: trained float32 weights take about 7 % less room than uncompressed)."""
    import numpy as np

    np.savez_compressed(path, *model.get_weights())


def load_weights(model, path):
    """Set ``model``'s weights from ``path``; an ``ArtefactError`` names a mismatch."""
    import numpy as np

    with np.load(path) as stored:
        weights = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    expected = [tuple(w.shape) for w in model.get_weights()]
    if [w.shape for w in weights] != expected:
        raise ArtefactError(f"{path} holds weights of shapes {[w.shape for w in weights]}, but "
                            f"the declared model has {expected}: the declaration changed since "
                            "the artefact was trained; retrain it.")
    model.set_weights(weights)


def size_bytes(name, root=None):
    base = folder(name, root)
    return sum(p.stat().st_size for p in base.rglob("*") if p.is_file()) if base.is_dir() else 0


def _cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def environment():
    """The library versions and a description of the machine, recorded with every run."""
    import keras
    import numpy as np

    versions = {"python": sys.version.split()[0], "numpy": np.__version__,
                "keras": keras.__version__, "backend": keras.backend.backend()}
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    return {
        "versions": versions,
        "machine": {"platform": platform.platform(), "cpu": _cpu_model(),
                    "cpu_count": os.cpu_count()},
    }
