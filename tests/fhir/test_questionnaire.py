"""The FHIR Questionnaire is the declaration: every question, condition and code."""

from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from screening import questionnaire as declared
from screening.fhir.codes import ENTERED_BY, TOPICS_ONLY, VERSION_TAG
from screening.fhir.questionnaire import enable_when, questionnaire, questionnaire_json
from screening.questionnaire.model import CLINICIAN, LOINC, any_of, asked_if
from screening.questionnaire.sections.basics import INTAKE_DATE


def _items(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {}
    for item in items:
        found[item["linkId"]] = item
        found |= _items(item.get("item", []))
    return found


@pytest.fixture(scope="module")
def items() -> dict[str, dict[str, Any]]:
    """Every item by linkId, read back from the JSON the download serves."""
    text = questionnaire().model_dump_json()
    parsed = Questionnaire.model_validate_json(text)
    return _items(parsed.model_dump(mode="json")["item"])


def _declared_link_ids() -> dict[str, Any]:
    """linkId -> declared question: list-instrument items one per index."""
    found: dict[str, Any] = {INTAKE_DATE.path: INTAKE_DATE}
    for section in declared.SECTIONS:
        found |= {q.path: q for q in section.questions}
        for rows in section.lists:
            found |= {q.path: q for q in rows.row}
        for each in section.instruments:
            found |= {
                each.item_path(index)
                if each.scoring.method != "total_only"
                else each.path: item
                for index, item in enumerate(each.items)
            }
    return found


def test_it_validates_through_the_r4b_model_and_says_its_fhir_version():
    document = questionnaire_json()
    parsed = Questionnaire.model_validate(document)
    assert parsed.status == "active"
    assert document["meta"]["tag"] == [VERSION_TAG]
    assert VERSION_TAG["code"] == "4.3.0"


def test_it_gives_every_declared_question_an_item_at_its_path(items):
    declared_ids = _declared_link_ids()
    missing = sorted(set(declared_ids) - set(items))
    assert not missing
    for link_id, question in declared_ids.items():
        assert items[link_id]["text"] == question.label, link_id


def test_it_writes_every_asked_only_if_as_enable_when(items):
    conditioned = {
        link_id: q for link_id, q in _declared_link_ids().items() if q.asked_if
    }
    assert conditioned  # the declaration has conditions to check
    for link_id, question in conditioned.items():
        whens = items[link_id]["enableWhen"]
        assert [w["question"] for w in whens] == [
            w.path for w in question.asked_if.whens
        ]
        for when, declared_when in zip(whens, question.asked_if.whens, strict=True):
            if declared_when.value is None:
                assert when["operator"] == "exists"
                assert when["answerBoolean"] is (declared_when.operator == "!=")
            else:
                assert when["operator"] == declared_when.operator
        if len(whens) > 1:
            assert items[link_id]["enableBehavior"] == question.asked_if.behavior
        # Each condition reads a question the questionnaire asks.
        assert all(w["question"] in items for w in whens), link_id


def test_it_answers_a_condition_on_a_choice_with_the_options_coding(items):
    trauma_year = items["indication.index_trauma_year"]["enableWhen"][0]
    ptsd = next(
        option["valueCoding"]
        for option in items["indication.primary"]["answerOption"]
        if option["valueCoding"]["code"] == "ptsd"
    )
    assert trauma_year["answerCoding"] == ptsd
    audit_q2 = items["substance_use.audit_c.q2"]["enableWhen"][0]
    assert (audit_q2["operator"], audit_q2["answerCoding"]["code"]) == ("!=", "0")


def test_it_lists_every_declared_option_of_a_choice(items):
    for link_id, question in _declared_link_ids().items():
        if question.options and question.kind == "choice":
            labels = [
                o["valueCoding"]["display"] for o in items[link_id]["answerOption"]
            ]
            assert labels == [option.label for option in question.options], link_id


def test_it_makes_each_list_a_repeating_group_of_its_columns(items):
    for rows in declared.row_lists():
        group = items[rows.path]
        assert group["type"] == "group"
        assert group["repeats"] is True
        assert [child["linkId"] for child in group["item"]] == [
            q.path for q in rows.row
        ]


def test_it_codes_the_instruments_and_vital_signs_from_the_declaration(items):
    for each in declared.instruments():
        if each.panel_codes and each.scoring.method != "total_only":
            assert [c["code"] for c in items[each.path]["code"]] == [
                code.code for code in each.panel_codes
            ]
    assert items["scales.phq9"]["code"][0]["code"] == "44249-1"
    for path, loinc in (
        ("vitals.bp_systolic", "8480-6"),
        ("vitals.bp_diastolic", "8462-4"),
        ("vitals.heart_rate", "8867-4"),
        ("vitals.bmi", "39156-5"),
    ):
        assert items[path]["code"] == [
            {
                "system": LOINC,
                "code": loinc,
                "display": items[path]["code"][0]["display"],
            }
        ]


def _entered_by(item: dict[str, Any]) -> str:
    return next(e["valueCode"] for e in item["extension"] if e["url"] == ENTERED_BY)


def test_it_marks_the_cssrs_screener_clinician_entered_with_its_licence(items):
    cssrs = declared.instrument("CSSRS")
    group = items[cssrs.path]
    assert _entered_by(group) == CLINICIAN
    for index in range(cssrs.length):
        assert _entered_by(items[cssrs.item_path(index)]) == CLINICIAN
    assert items[f"{cssrs.path}#licence"]["text"].endswith(cssrs.licence)
    assert "clinician-entered" in group["text"]


def test_it_shows_dast10_items_by_topic_only_with_its_licence(items):
    dast = declared.instrument("DAST10")
    group = items[dast.path]
    assert {"url": TOPICS_ONLY, "valueBoolean": True} in group["extension"]
    topics = [items[dast.item_path(index)]["text"] for index in range(dast.length)]
    assert topics == [item.label for item in dast.items]
    assert "CAMH" in items[f"{dast.path}#licence"]["text"]


def test_it_keeps_the_madrs_to_its_total_with_a_local_code(items):
    madrs = items["scales.madrs_total"]
    assert madrs["type"] == "integer"
    assert not any(link_id.startswith("scales.madrs_total[") for link_id in items)
    assert "never reproduced" in items["scales.madrs_total#licence"]["text"]


def test_it_combines_several_tests_of_a_condition_by_enable_behavior():
    # No declared question has two tests yet; the mapping is ready for the first.
    condition = any_of(
        asked_if("indication.primary", "=", "ptsd"),
        asked_if("demographics.reproductive_potential", "!=", False),
    )

    found = enable_when(condition)

    assert found["enableBehavior"] == "any"
    assert [w["question"] for w in found["enableWhen"]] == [
        "indication.primary",
        "demographics.reproductive_potential",
    ]
    assert found["enableWhen"][1] == {
        "question": "demographics.reproductive_potential",
        "operator": "!=",
        "answerBoolean": False,
    }
    assert "enableBehavior" not in enable_when(
        asked_if("indication.primary", "=", "ptsd")
    )
