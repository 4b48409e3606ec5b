from screening.questionnaire import instrument
from screening.questionnaire.self_report import (
    ALLERGIES,
    MEDICINES,
    PREGNANCY,
    SEIZURES,
    offered_by_condition,
    steps,
)
from screening.services.text_packs import self_reported_instruments

EVERY = self_reported_instruments()


def _paths(found):
    return [step.path for step in found]


def test_it_offers_the_pcl5_to_the_patient_only_for_a_ptsd_indication():
    pcl5 = instrument("PCL5")
    assert offered_by_condition(pcl5, {"indication.primary": "ptsd"})
    assert not offered_by_condition(pcl5, {"indication.primary": "bipolar_depression"})
    # Not "asked only if": the staff form still asks every PCL-5 item.
    assert all(item.asked_if is None for item in pcl5.items)


def test_it_never_offers_the_dast10_or_the_cssrs():
    assert [i.key for i in EVERY] == ["PHQ9", "GAD7", "PCL5", "AUDITC"]


def test_it_asks_each_item_then_the_history_check():
    found = steps(EVERY, {}, include=lambda i: i.key != "PCL5", pregnancy_asked=True)
    assert len(found) == 9 + 7 + 3 + 4
    assert _paths(found)[8] == "scales.phq9[8]"
    assert _paths(found)[-4:] == [
        SEIZURES.path,
        PREGNANCY.path,
        ALLERGIES.path,
        MEDICINES.path,
    ]
    assert ALLERGIES.is_note
    assert not ALLERGIES.may_decline


def test_it_skips_the_audit_c_drinks_after_never():
    found = steps(
        EVERY,
        {"substance_use.audit_c.q1": 0},
        include=lambda i: i.key == "AUDITC",
        pregnancy_asked=False,
    )
    assert _paths(found) == [
        "substance_use.audit_c.q1",
        SEIZURES.path,
        ALLERGIES.path,
        MEDICINES.path,
    ]
