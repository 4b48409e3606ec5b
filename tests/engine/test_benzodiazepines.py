from decimal import Decimal
from fractions import Fraction

import pytest

from screening.engine import ClinicSettings, screen_document
from screening.engine.benzodiazepines import diazepam_total
from screening.engine.exact import round_half_up
from tests.engine.intakes import intake


def benzo(name, dose):
    return {"name": name, "class": "benzodiazepine", "daily_dose_mg": dose}


THREE_MG_ROW = ClinicSettings.from_dict(
    {
        "diazepam_equivalents": [
            {"name": "examplepam", "mg_equivalent_to_10mg_diazepam": 3}
        ]
    }
)


@pytest.mark.parametrize(
    ("medications", "printed", "fires"),
    [
        ([benzo("lorazepam", 3)], 30, True),
        ([benzo("lorazepam", Decimal("0.333"))], 3.33, False),
        ([benzo("diazepam", Decimal("7.999"))], 7.999, False),
        ([benzo("diazepam", 8)], 8, False),
        ([benzo("diazepam", Decimal("8.001"))], 8.001, True),
        (
            [
                benzo("lorazepam", Decimal("0.23")),
                benzo("diazepam", Decimal("4.9")),
                benzo("diazepam", Decimal("0.8")),
            ],
            8,
            False,
        ),
        (
            [benzo("lorazepam", 0.23), benzo("diazepam", 4.9), benzo("diazepam", 0.8)],
            8,
            False,
        ),
        ([benzo("Clonazepam (Klonopin)", Decimal("0.5"))], 10, True),
        ([], 0, False),
    ],
)
def test_it_sums_diazepam_equivalents_exactly(medications, printed, fires):
    result = screen_document(intake({"medications": medications}))
    derived = result["derived"]["diazepam_equivalent_mg_per_day"]
    assert derived == printed
    assert type(derived) is type(printed)
    assert any(f["code"] == "DDI-BZD-HIGH" for f in result["flags"]) is fires


@pytest.mark.parametrize(
    ("dose", "printed", "fires"),
    [
        (1, 3.333333, False),
        (2, 6.666667, False),
        (Decimal("2.4"), 8, False),
        (Decimal("2.401"), 8.003333, True),
    ],
)
def test_it_keeps_a_factor_of_ten_thirds_exact(dose, printed, fires):
    total = diazepam_total([benzo("examplepam", dose)], THREE_MG_ROW)
    assert total.printed() == printed
    assert (total.exact is not None and total.exact > 8) is fires


def test_it_rounds_half_up_once_after_summing():
    assert round_half_up(Fraction(1, 2_000_000), 6) == 0.000001
    assert round_half_up(Fraction(8), 6) == 8


def test_it_uses_the_known_part_when_a_dose_is_missing():
    total = diazepam_total(
        [benzo("lorazepam", 1), benzo("diazepam", None)], ClinicSettings()
    )
    assert total.exact is None
    assert total.known == 10
    assert total.missing == {"medications[1].daily_dose_mg": None}
    assert total.printed() is None
