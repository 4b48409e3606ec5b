"""The engine's results stay as recorded over many intakes (issue #19 goal 3)."""

import json

from tests.engine.screening_corpus import DIGESTS, digests


def test_it_screens_every_corpus_intake_exactly_as_recorded():
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8"))
    now = digests()
    assert now.keys() == recorded.keys()
    changed = [name for name in recorded if now[name] != recorded[name]]
    assert changed == [], f"{len(changed)} results changed, first {changed[:5]}"
