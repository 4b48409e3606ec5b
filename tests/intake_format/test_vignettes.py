from pathlib import Path

import pytest

from screening.intake_format import (
    documents_equal,
    dumps,
    load_document,
    normal_form,
    parse_json,
    warnings_for,
)

VIGNETTES = Path(__file__).resolve().parents[2].parent / "shared" / "vignettes"


def test_it_accepts_every_shared_vignette():
    if not VIGNETTES.is_dir():
        pytest.skip(f"no shared vignettes at {VIGNETTES}")
    paths = sorted(VIGNETTES.glob("*.json"))
    assert paths, f"{VIGNETTES} holds no documents"
    for path in paths:
        # today=None: each vignette's intake_date is its own, possibly in the future.
        doc = load_document(path.read_bytes(), today=None)
        normal = normal_form(doc)
        assert normal_form(normal) == normal, path.name
        assert documents_equal(doc, normal), path.name
        assert normal_form(parse_json(dumps(normal))) == normal, path.name
        assert all(warning.path for warning in warnings_for(doc)), path.name
