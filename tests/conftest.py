import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "seed" / "000_10db7d64be0f7442.txt"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when it is absent (a fresh
    clone has no ../shared)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(scope="session")
def pipeline():
    from svodka.pipeline import Pipeline
    return Pipeline()
