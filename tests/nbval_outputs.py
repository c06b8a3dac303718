"""A pytest plugin (pyproject.toml: addopts -p nbval_outputs): keep what nbval executed.

nbval runs every notebook of book/ cell by cell, one pytest item per code cell, one kernel per
notebook. This plugin puts each cell's outputs into its notebook and stores every notebook
whose cells all passed in jupyter-cache's store (``dev.cache_executed``), which the book build
reads (``execute_notebooks: cache`` in _config.yml): the build does not execute the notebooks a
second time. It also writes the times of the run (each notebook, each test, the build) for the
summary that ``python3 dev.py test`` prints (``dev.TIMES``, one file per pytest process, since
nbval runs two notebooks at a time in two worker processes).
"""

import json
import os
from pathlib import Path

import pytest

import dev

TIMES: dict = {"notebooks": {}, "tests": {}}
_notebooks: dict = {}   # path -> {"nb": the notebook node, "seconds", "cells", "failed"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when != "call":
        return
    TIMES["tests"][item.nodeid] = TIMES["tests"].get(item.nodeid, 0.0) + call.duration
    if type(item).__name__ != "IPyNbCell":
        return
    path = Path(str(item.parent.path))
    record = _notebooks.setdefault(path, {"nb": item.parent.nb, "seconds": 0.0, "cells": 0,
                                          "failed": False})
    record["seconds"] += call.duration
    record["failed"] |= report.failed
    record["cells"] += 1
    outputs = []
    # myst-nb leaves a cell tagged skip-execution unexecuted (the explorer's live widgets,
    # which need a kernel); nbval runs it anyway, and its outputs must not reach the page
    skipped = "skip-execution" in item.cell.get("metadata", {}).get("tags", [])
    for output in [] if skipped else item.test_outputs or []:
        output = dict(output)
        if output.get("output_type") == "execute_result":
            output["execution_count"] = record["cells"]
        outputs.append(output)
    item.cell.outputs = outputs
    item.cell.execution_count = record["cells"]


def _store_executed_notebooks():
    import nbformat

    for path, record in _notebooks.items():
        name = str(path.relative_to(dev.ROOT).with_suffix(""))
        TIMES["notebooks"][name] = record["seconds"]
        expected = sum(cell.cell_type == "code" for cell in record["nb"].cells)
        if record["failed"] or record["cells"] != expected:
            continue  # a notebook that did not run through is never kept
        dev.cache_executed(nbformat.from_dict(record["nb"]), path, record["seconds"])


def pytest_sessionfinish(session, exitstatus):
    if _notebooks:
        _store_executed_notebooks()
    dev.TIMES.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (dev.TIMES / f"{worker}-{os.getpid()}.json").write_text(json.dumps(TIMES))
