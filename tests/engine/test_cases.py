from pathlib import Path

import pytest

from tests.engine.vignettes import problems

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "vignettes"


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_it_screens_our_own_cases_as_the_rule_book_says(case):
    assert problems(case) == []


def test_it_screens_the_shared_vignettes_as_expected():
    if not SHARED.is_dir():
        pytest.skip(
            f"the shared acceptance cases are not beside the repository ({SHARED})"
        )
    cases = sorted(SHARED.glob("*.json"))
    assert cases
    assert {case.name: problems(case) for case in cases} == {
        case.name: [] for case in cases
    }
