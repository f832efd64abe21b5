"""The README's Python session runs as shown, and docs/api.md is current."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def pycon_blocks(text: str) -> list[str]:
    return re.findall(r"```pycon\n(.*?)```", text, flags=re.DOTALL)


def test_readme_python_session_runs_as_shown():
    blocks = pycon_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "the README's Python API section has a pycon block"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README block {number}", str(README), 0)
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.attempted > 10
    assert results.failed == 0


def test_api_reference_is_current():
    api = pytest.importorskip("docs.api")
    assert (ROOT / "docs" / "api.md").read_text(encoding="utf-8") == api.render(), (
        "docs/api.md is stale: run python -m docs.api"
    )
