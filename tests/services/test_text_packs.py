import copy

import pytest

from screening.models import AuditEvent, TextPack
from screening.questionnaire import instrument
from screening.services import text_packs
from screening.services.text_packs import TextPackError, check_pack

PHQ_OPTIONS = [
    {"value": 0, "text": "Nunca"},
    {"value": 1, "text": "Varios días"},
    {"value": 2, "text": "Más de la mitad de los días"},
    {"value": 3, "text": "Casi todos los días"},
]
PHQ9_PACK = {
    "format": "text-pack/1",
    "instrument": "PHQ9",
    "language": "es",
    "version": "2025-01",
    "source": "Clinic licence copy",
    "licence": "Reproduced with permission.",
    "stem": "Durante las últimas 2 semanas...",
    "options": PHQ_OPTIONS,
    "items": [f"Pregunta {n}" for n in range(1, 10)],
}


def _pack(**changes):
    pack = copy.deepcopy(PHQ9_PACK)
    pack.update(changes)
    return pack


def test_it_accepts_a_pack_that_matches_the_declaration():
    checked = check_pack(_pack())
    assert checked.instrument.key == "PHQ9"
    assert len(checked.items) == 9
    assert checked.items[8]["options"][1] == {"value": 1, "text": "Varios días"}


def test_it_refuses_a_pack_with_a_wrong_item_count():
    with pytest.raises(TextPackError) as refused:
        check_pack(_pack(items=[f"Pregunta {n}" for n in range(1, 9)]))
    assert refused.value.problems == ["The pack has 8 items; PHQ-9 has 9."]


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (PHQ_OPTIONS[:3], "item 1 has 3 options; the declaration has 4."),
        (
            [*PHQ_OPTIONS[:3], {"value": 4, "text": "x"}],
            "Option 4 of item 1 must have the value 3.",
        ),
    ],
)
def test_it_refuses_a_pack_whose_options_differ(options, problem):
    with pytest.raises(TextPackError) as refused:
        check_pack(_pack(options=options))
    assert refused.value.problems[0] == problem


@pytest.mark.parametrize("key", ["DAST10", "CSSRS", "MADRS", "NOPE"])
def test_it_refuses_a_pack_for_an_instrument_never_self_reported(key):
    with pytest.raises(TextPackError) as refused:
        check_pack(_pack(instrument=key))
    assert refused.value.problems[-1] == (
        'Set "instrument" to one the patient answers: PHQ9, GAD7, PCL5, AUDITC.'
    )


def test_it_takes_each_items_own_options_for_the_audit_c():
    audit_c = instrument("AUDITC")
    items = [
        {
            "text": f"P{n}",
            "options": [{"value": o.value, "text": f"o{o.value}"} for o in q.options],
        }
        for n, q in enumerate(audit_c.items)
    ]
    checked = check_pack(_pack(instrument="AUDITC", options=None, items=items))
    assert [len(item["options"]) for item in checked.items] == [5, 5, 5]


def test_it_refuses_a_file_that_is_not_json():
    with pytest.raises(TextPackError) as refused:
        text_packs.parse_pack(b"\xff{")
    assert refused.value.problems == ["The file is not JSON (UTF-8)."]


@pytest.mark.django_db
def test_it_keeps_every_version_and_audits_each_load(clinic, clinic_admin):
    first = text_packs.do_load_pack(clinic, check_pack(_pack()), by=clinic_admin)
    second = text_packs.do_load_pack(
        clinic, check_pack(_pack(version="2025-02")), by=clinic_admin
    )
    assert (first.version, second.version) == (1, 2)
    assert text_packs.current_pack(clinic, "PHQ9", "es") == second
    rows = AuditEvent.objects.filter(action="clinic.text_pack_loaded")
    assert rows.count() == 2
    assert rows.last().detail == {"instrument": "PHQ9", "language": "es", "demo": False}


@pytest.mark.django_db
def test_it_builds_demo_packs_from_the_topic_labels(clinic, clinic_admin):
    packs = text_packs.do_load_demo_packs(clinic, by=clinic_admin)
    assert {(p.instrument, p.language) for p in packs} == {
        (key, language)
        for key in ("PHQ9", "GAD7", "PCL5", "AUDITC")
        for language in ("en", "es")
    }
    phq9 = TextPack.objects.get(clinic=clinic, instrument="PHQ9", language="en")
    assert phq9.is_demo
    assert phq9.licence == "demo wording \u2014 not the validated instrument"
    assert phq9.items[8]["text"] == (
        "Thoughts of being better off dead or of hurting yourself"
    )
