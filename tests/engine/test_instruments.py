import pytest

from screening.engine import instruments as ins


@pytest.mark.parametrize(
    ("items", "total", "band"),
    [
        ([0] * 9, 0, "minimal"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild"),
        ([2, 2, 2, 2, 1, 1, 0, 0, 0], 10, "moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 1, 0], 15, "moderately_severe"),
        ([3, 3, 2, 3, 2, 2, 2, 2, 1], 20, "severe"),
        ([3] * 9, 27, "severe"),
        ([3, None, 2, 3, 2, 2, 2, 2, 1], None, "incomplete"),
        ([None] * 9, None, "incomplete"),
        (None, None, "not_administered"),
    ],
)
def test_it_scores_the_phq9(items, total, band):
    score = ins.score_items(
        items, "scales.phq9", item_max=3, length=9, bands=ins.PHQ9_BANDS
    )
    assert (score.total, score.band) == (total, band)


def test_it_never_gives_an_incomplete_phq9_a_lower_score():
    score = ins.score_items(
        [3, None, 3], "x", item_max=3, length=3, bands=ins.PHQ9_BANDS
    )
    assert score.total is None
    assert (score.low, score.high) == (6, 9)
    assert score.missing == {"x[1]": None}


@pytest.mark.parametrize(
    ("total", "band"), [(4, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")]
)
def test_it_bands_the_gad7(total, band):
    assert ins.band_of(total, ins.GAD7_BANDS) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (30, "below_cutoff"),
        (31, "borderline"),
        (32, "borderline"),
        (33, "probable_ptsd"),
    ],
)
def test_it_bands_the_pcl5(total, band):
    assert ins.band_of(total, ins.PCL5_BANDS) == band


def test_it_computes_pcl5_clusters_and_the_dsm5_rule():
    items = [2, 1, 2, 2, 1, 2, 2, 0, 2, 1, 1, 2, 1, 1, 1, 2, 2, 3, 2, 2]
    clusters = ins.pcl5_clusters(items)
    assert clusters.sums == {"B": 8, "C": 4, "D": 8, "E": 12}
    assert clusters.endorsed == {"B": 3, "C": 2, "D": 2, "E": 5}
    assert clusters.rule_met is True


@pytest.mark.parametrize(
    ("change", "rule_met"),
    [
        ({5: 1, 6: 1}, False),  # cluster C: no item endorsed
        ({5: None, 6: 1}, None),  # C could still reach 1
        ({0: None}, True),  # B already met by the answered items
    ],
)
def test_it_decides_the_pcl5_cluster_rule_three_valued(change, rule_met):
    items = [2, 1, 2, 2, 1, 2, 2, 0, 2, 1, 1, 2, 1, 1, 1, 2, 2, 3, 2, 2]
    for index, value in change.items():
        items[index] = value
    result = ins.pcl5_clusters(items)
    assert result.rule_met is rule_met
    if None in items:
        assert result.endorsed is None


@pytest.mark.parametrize(
    ("answers", "sex", "total", "positive"),
    [
        ((2, 1, 0), "female", 3, True),
        ((2, 1, 0), "male", 3, False),
        ((2, 1, 1), "male", 4, True),
        ((2, 1, 0), None, 3, True),
        ((1, 1, 0), "female", 2, False),
        ((1, 0, None), "male", None, None),
        ((2, 1, None), None, None, True),
        ((0, 0, None), "female", None, None),
    ],
)
def test_it_scores_the_audit_c_by_sex(answers, sex, total, positive):
    score = ins.score_items(
        list(answers), "a", item_max=4, length=3, bands=((12, "x"),)
    )
    assert score.total == total
    assert ins.audit_c_positive(score, sex) is positive


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([False, False, True] + [False] * 7, 0, "none"),
        ([False, False, False] + [False] * 7, 1, "low"),
        (
            [True, True, False, False, True, True, False, False, False, False],
            5,
            "moderate",
        ),
        ([True] * 10, 9, "severe"),
        ([True, True, False] + [True] * 7, 10, "severe"),
        (
            [True, True, True, True, True, True, True, False, False, False],
            6,
            "substantial",
        ),
        (None, None, "not_administered"),
    ],
)
def test_it_scores_the_dast10_with_item_3_reversed(answers, total, band):
    score = ins.score_dast10(answers, "d")
    assert (score.total, score.band) == (total, band)


def cssrs(**answers):
    base = dict.fromkeys(("q1", "q2", "q3", "q4", "q5", "q6", "q6_within_3_months"))
    base.update(q1=False, q2=False, q6=False)
    base.update(answers)
    return base


@pytest.mark.parametrize(
    ("screener", "risk", "possible"),
    [
        (cssrs(), "none", {"none"}),
        (cssrs(q1=True), "low", {"low"}),
        (cssrs(q2=True, q3=True, q4=False, q5=False), "moderate", {"moderate"}),
        (cssrs(q2=True, q3=False, q4=False, q5=True), "high", {"high"}),
        (cssrs(q6=True, q6_within_3_months=True), "high", {"high"}),
        (cssrs(q6=True, q6_within_3_months=False), "moderate", {"moderate"}),
        (cssrs(q1=None), None, {"none", "low"}),
        (cssrs(q1=None, q2=True, q3=True, q4=False, q5=False), None, {"moderate"}),
        (cssrs(q1=None, q2=True, q3=False, q4=False, q5=False), None, {"low"}),
        (
            cssrs(q1=True, q2=True, q3=None, q4=False, q5=False),
            None,
            {"moderate", "low"},
        ),
        (cssrs(q4=None, q2=True, q3=False, q5=True), None, {"high"}),
        (cssrs(q6=None), None, {"none", "moderate", "high"}),
        (None, None, {"none", "low", "moderate", "high"}),
    ],
)
def test_it_grades_the_cssrs_over_completions(screener, risk, possible):
    result = ins.score_cssrs(screener, "scales.cssrs_screener")
    assert result.risk == risk
    assert result.possible == possible


def test_it_lists_only_required_cssrs_answers_as_missing():
    result = ins.score_cssrs(cssrs(q2=None), "s")
    assert result.missing == {"s.q2": None}


@pytest.mark.parametrize(
    ("total", "band"), [(6, "normal"), (7, "mild"), (20, "moderate"), (35, "severe")]
)
def test_it_bands_the_madrs(total, band):
    assert ins.band_of(total, ins.MADRS_BANDS) == band
