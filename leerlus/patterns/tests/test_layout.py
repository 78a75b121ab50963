# SPDX-License-Identifier: EUPL-1.2
"""The patterns app's floor plan: one split axis, no import cycle, no module too large."""

from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1]
MAX_LINES = 600


def test_no_module_is_over_six_hundred_lines():
    large = {
        str(path.relative_to(APP)): lines
        for path in APP.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }

    assert large == {}


def test_the_modules_import_each_other_without_a_cycle():
    """Imports inside functions count: the jobs import the services when they run, and the
    curation queues a job, so no job may import the curation."""
    grimp = pytest.importorskip("grimp")  # comes with import-linter (make lint)
    graph = grimp.build_graph("leerlus")
    own = {
        m
        for m in graph.modules
        if m.startswith("leerlus.patterns.") and ".tests" not in m and ".migrations" not in m
    }

    cycles = [
        (a, b)
        for a in own
        for b in graph.find_modules_directly_imported_by(a) & own
        if graph.chain_exists(importer=b, imported=a)
    ]

    assert cycles == []
    assert not graph.chain_exists(
        importer="leerlus.patterns.tasks", imported="leerlus.patterns.services.curation"
    )
    assert not graph.chain_exists(
        importer="leerlus.patterns.services.discovery",
        imported="leerlus.patterns.services.curation",
    )
