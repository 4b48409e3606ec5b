"""Realistic, varied and valid intake/1 documents made from a seed, for load and scale.

Pure Python: document number n of seed s is always the same document (its own
random.Random), whichever process makes it, so a run split across processes or batches
gives the same data. About one in eight carries an absolute contraindication, about a
third is complete and clean (no flags), and the rest mix relative and caution findings,
unanswered items with their reasons, and lists that are null, empty or filled.
Every value stays inside intake-format.md's bounds and clear of its section 4.2
warnings, so a document imports, exports and validates unchanged.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from screening.intake_format.fields import FORMAT

# Intake dates fall in the two years up to this day (or today, if that is earlier), so
# a seed gives the same documents whenever it runs.
GENERATED_UNTIL: Final = date(2026, 10, 31)
SPAN_DAYS: Final = 730
MRN_PREFIX: Final = "GEN-"

GIVEN_NAMES: Final = (
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Robin",
    "Avery", "Kim", "Lee", "Noor", "Ana", "Mateo", "Priya", "Chen", "Olu", "Ines",
    "Tomas",
)  # fmt: skip
FAMILY_NAMES: Final = (
    "Smith", "Garcia", "Nguyen", "Okafor", "Muller", "Rossi", "Kowalski", "Haddad",
    "Silva", "Tanaka", "Brown", "Novak", "Jensen", "Dubois", "Ivanova", "Patel",
    "Cohen", "Murphy", "Larsen", "Moreau",
)  # fmt: skip
# (drug, dose reaching the §7.5 minimum) for adequate trials of distinct agents.
ADEQUATE_TRIALS: Final = (
    ("sertraline", 150), ("escitalopram", 20), ("fluoxetine", 40), ("citalopram", 40),
    ("venlafaxine xr", 225), ("duloxetine", 60), ("mirtazapine", 30),
    ("bupropion xl", 300), ("vortioxetine", 20), ("desvenlafaxine", 100),
)  # fmt: skip
# Current medications that interact with nothing (§10.1).
PLAIN_MEDICATIONS: Final = (
    ("sertraline", "ssri", 100), ("escitalopram", "ssri", 10),
    ("venlafaxine xr", "snri", 150), ("mirtazapine", "nassa", 30),
    ("levothyroxine", "other", Decimal("0.075")), ("atorvastatin", "other", 20),
    ("omeprazole", "other", 20), ("metformin", "other", 1000),
)  # fmt: skip
# Medications that raise a caution or a relative flag (§5.7).
FLAGGED_MEDICATIONS: Final = (
    ("lorazepam", "benzodiazepine", Decimal("1.5")),
    ("clonazepam", "benzodiazepine", 1),
    ("zolpidem", "z_drug", 10),
    ("quetiapine", "sedating_antipsychotic", 50),
    ("gabapentin", "gabapentinoid", 900),
    ("lamotrigine", "lamotrigine", 200),
    ("naltrexone", "naltrexone", 50),
    ("methylphenidate", "psychostimulant", 36),
    ("theophylline", "xanthine", 400),
    ("memantine", "nmda_antagonist", 20),
)
ABSOLUTE_ITEMS: Final = (
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_hemorrhage",
    "hypersensitivity_ketamine_esketamine",
    "raised_intracranial_pressure_current",
    "mi_or_acs_date",
)
# Medical items that raise a relative or caution flag when true (§5.2, §5.3).
FLAGGED_HISTORY: Final = (
    "ischemic_stroke_or_tia",
    "significant_valvular_disease",
    "uncontrolled_arrhythmia",
    "traumatic_brain_injury_history",
    "glaucoma_untreated_or_raised_iop",
    "seizure_disorder",
    "interstitial_or_ulcerative_cystitis",
    "copd_or_pulmonary_insufficiency",
)
PSYCHIATRIC_FLAGS: Final = (
    "psychotic_disorder_lifetime",
    "bipolar_or_mania_history",
    "dissociative_disorder",
    "severe_personality_disorder",
)
OTHER_INDICATIONS: Final = ("ptsd", "anxiety_disorder", "bipolar_depression", "other")
REASONS: Final = ("declined", "unknown", "not_asked")


@dataclass(frozen=True)
class GeneratedPatient:
    """The patient record behind a generated document (the document has the MRN)."""

    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex_for_scoring: str


def mrn_of(number: int) -> str:
    """GEN-0000042: zero-padded, so the clinic's highest MRN is the last one made."""
    return f"{MRN_PREFIX}{number:07d}"


def generated_document(
    seed: int, number: int, *, until: date
) -> tuple[dict[str, Any], GeneratedPatient]:
    """Document `number` of `seed`, with intake dates in the SPAN_DAYS up to `until`."""
    rng = random.Random(seed * 1_000_003 + number)  # noqa: S311 - test data, not secrets
    draw = rng.random()
    kind = "absolute" if draw < 0.12 else "clean" if draw < 0.45 else "mixed"
    intake_on = until - timedelta(days=rng.randrange(SPAN_DAYS))
    patient = _patient(rng, number, intake_on, clean=kind == "clean")
    age = _age_on(patient.date_of_birth, intake_on)
    reasons: dict[str, str] = {}
    mixed = kind == "mixed"
    document = {
        "format": FORMAT,
        "patient": {"mrn": patient.mrn},
        "intake_date": intake_on.isoformat(),
        "demographics": _demographics(rng, age, patient.sex_for_scoring, mixed=mixed),
        "indication": _indication(rng, intake_on, mixed=mixed),
        "vitals": _vitals(rng, reasons, mixed=mixed),
        "medical_history": _medical_history(rng, intake_on, kind),
        "psychiatric_history": _psychiatric_history(rng, mixed=mixed),
        "allergies": _allergies(rng, reasons),
        "medications": _medications(rng, reasons, mixed=mixed),
        "antidepressant_trials": None,
        "substance_use": _substance_use(rng, intake_on, reasons, mixed=mixed),
        "scales": _scales(rng, reasons, mixed=mixed),
    }
    mdd = document["indication"]["primary"] == "major_depressive_disorder"
    document["antidepressant_trials"] = _trials(rng, reasons, mixed=mixed, mdd=mdd)
    if reasons:
        document["missing_reasons"] = reasons
    return document, patient


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _patient(
    rng: random.Random, number: int, intake_on: date, *, clean: bool
) -> GeneratedPatient:
    # Clean documents stay 18-64: 65 and over is a caution (CV-AGE-65).
    age = rng.randint(18, 64) if clean else rng.randint(18, 84)
    if not clean and rng.random() < 0.02:
        age = 17  # AGE-UNDER-18
    born = date(intake_on.year - age, 1, 1) + timedelta(days=rng.randrange(365))
    if (born.month, born.day) > (intake_on.month, intake_on.day):
        # Not yet had this year's birthday: born a year earlier (never on 29 February).
        born = date(born.year - 1, born.month, min(born.day, 28))
    return GeneratedPatient(
        mrn=mrn_of(number),
        given_name=rng.choice(GIVEN_NAMES),
        family_name=rng.choice(FAMILY_NAMES),
        date_of_birth=born,
        sex_for_scoring=rng.choice(("female", "male")),
    )


def _demographics(
    rng: random.Random, age: int, sex: str, *, mixed: bool
) -> dict[str, Any]:
    potential = sex == "female" and age < 50
    if potential:
        # Mostly a recorded negative status; sometimes pregnant or unknown (REPRO-*).
        status = "not_pregnant"
        if mixed:
            status = rng.choices(("not_pregnant", "pregnant", "unknown"), (8, 1, 1))[0]
        breastfeeding = mixed and rng.random() < 0.05
    else:
        status, breastfeeding = "not_applicable", False
    return {
        "age": age,
        # A clinician may leave it unset (the lower AUDIT-C cut-off applies).
        "sex_for_scoring": None if mixed and rng.random() < 0.05 else sex,
        "reproductive_potential": potential,
        "pregnancy_status": status,
        "breastfeeding": breastfeeding,
    }


def _indication(rng: random.Random, intake_on: date, *, mixed: bool) -> dict[str, Any]:
    primary = "major_depressive_disorder"
    if mixed and rng.random() < 0.3:
        primary = rng.choice(OTHER_INDICATIONS)
    indication: dict[str, Any] = {"primary": primary}
    if primary == "other":
        indication["detail"] = "obsessive-compulsive disorder"
    if primary == "ptsd":
        indication["index_trauma_year"] = intake_on.year - rng.randint(1, 20)
    if rng.random() < 0.7:
        start = intake_on - timedelta(days=rng.randint(60, 900))
        indication.update(
            episode=rng.choice(("single", "recurrent")),
            current_episode_start=start.isoformat(),
            episode_severity_clinician=rng.choice(
                ("mild", "moderate", "severe_without_psychosis")
            ),
            augmentation_used=rng.random() < 0.3,
            ect_used=rng.random() < 0.05,
        )
    return indication


def _vitals(
    rng: random.Random, reasons: dict[str, str], *, mixed: bool
) -> dict[str, Any]:
    systolic, diastolic = rng.randint(102, 138), rng.randint(62, 88)
    if mixed and rng.random() < 0.2:  # CV-BP-ELEVATED, below the warning's 180/100
        systolic, diastolic = rng.randint(141, 178), rng.randint(80, 99)
    vitals: dict[str, Any] = {"bp_systolic": systolic, "bp_diastolic": diastolic}
    if mixed and rng.random() < 0.06:
        vitals["bp_diastolic"] = None  # DATA-MISSING-BP
        reasons["vitals.bp_diastolic"] = rng.choice(REASONS)
    if rng.random() < 0.8:
        vitals["heart_rate"] = rng.randint(52, 104)
    if rng.random() < 0.7:
        vitals["bmi"] = Decimal(rng.randint(185, 420)) / 10
    return vitals


def _medical_history(rng: random.Random, intake_on: date, kind: str) -> dict[str, Any]:
    history: dict[str, Any] = {"checklist_default": "all_false"}
    if rng.random() < 0.3:
        history["other_conditions"] = [
            rng.choice(("hyperlipidaemia", "asthma, mild", "migraine", "eczema"))
        ]
    if kind == "absolute":
        item = rng.choice(ABSOLUTE_ITEMS)
        if item == "mi_or_acs_date":  # CI-RECENT-CV-EVENT: within 6 weeks
            day = intake_on - timedelta(days=rng.randint(3, 40))
            history[item] = day.isoformat()
            history["mi_or_acs_date_detail"] = "NSTEMI, treated medically"
        else:
            history[item] = True
    if kind != "mixed":
        return history
    if rng.random() < 0.25:
        history[rng.choice(FLAGGED_HISTORY)] = True
    if rng.random() < 0.05:
        history["hepatic_impairment_child_pugh"] = rng.choice(("A", "B", "C"))
    if rng.random() < 0.08:  # CV-MI-12M: months ago, past the 6-week window
        history["revascularization_date"] = (
            intake_on - timedelta(days=rng.randint(60, 330))
        ).isoformat()
    if rng.random() < 0.05:
        history["sleep_apnea"] = True  # with a missing BMI: DATA-MISSING-HISTORY
    if rng.random() < 0.05:
        history["arteriovenous_malformation"] = None  # DATA-MISSING-CI-CHECKLIST
    return history


def _psychiatric_history(rng: random.Random, *, mixed: bool) -> dict[str, Any]:
    if mixed and rng.random() < 0.1:
        # Listed one by one instead of the default; one left unanswered.
        return {
            "psychotic_disorder_lifetime": False,
            "psychotic_symptoms_current": False,
            "bipolar_or_mania_history": None,
            "dissociative_disorder": False,
            "severe_personality_disorder": False,
        }
    history: dict[str, Any] = {"checklist_default": "all_false"}
    if mixed and rng.random() < 0.15:
        item = rng.choice(PSYCHIATRIC_FLAGS)
        history[item] = True
        history[f"{item}_detail"] = "history taken from the referral letter"
    return history


def _allergies(rng: random.Random, reasons: dict[str, str]) -> list[Any] | None:
    draw = rng.random()
    if draw < 0.08:
        reasons["allergies"] = "not_asked"
        return None
    if draw < 0.7:
        return []
    return [
        {
            "substance": rng.choice(("penicillin", "sulfonamides", "latex", "peanuts")),
            "reaction": rng.choice(("rash", "hives", None)),
        }
    ]


def _medications(
    rng: random.Random, reasons: dict[str, str], *, mixed: bool
) -> list[Any] | None:
    if mixed and rng.random() < 0.06:
        reasons["medications"] = rng.choice(REASONS)
        return None  # DATA-MISSING-MEDICATIONS
    chosen = rng.sample(PLAIN_MEDICATIONS, rng.randint(0, 2))
    if mixed and rng.random() < 0.35:
        chosen.append(rng.choice(FLAGGED_MEDICATIONS))
    return [
        {"name": name, "class": cls, "daily_dose_mg": dose}
        for name, cls, dose in chosen
    ]


def _trials(
    rng: random.Random, reasons: dict[str, str], *, mixed: bool, mdd: bool
) -> list[Any] | None:
    if mixed and rng.random() < 0.05:
        reasons["antidepressant_trials"] = "unknown"
        return None  # trd_met unknown: DATA-MISSING-TRD for MDD
    count = rng.randint(2, 4) if mdd else rng.randint(0, 2)
    trials = []
    for index, (drug, dose) in enumerate(rng.sample(ADEQUATE_TRIALS, count)):
        trial: dict[str, Any] = {
            "drug": drug,
            "daily_dose_mg": dose,
            "weeks_at_dose": rng.randint(6, 20),
            "adherence_pct": rng.randint(80, 100),
            "outcome": rng.choice(("nonresponse", "partial_response")),
            "current_episode": True,
        }
        if rng.random() < 0.5:
            trial["improvement_pct"] = rng.randint(0, 40)
        if mixed and rng.random() < 0.25:
            # Not an adequate failure, or undecided: TRD not met, or unknown.
            change = rng.choice(("short", "response", "unknown", "earlier"))
            if change == "short":
                trial["weeks_at_dose"] = rng.randint(2, 5)
            elif change == "response":
                trial.update(outcome="response", improvement_pct=rng.randint(55, 90))
            elif change == "unknown":
                trial["adherence_pct"] = None
                reasons[f"antidepressant_trials[{index}].adherence_pct"] = "unknown"
            else:
                trial["current_episode"] = False
        trials.append(trial)
    return trials


def _substance_use(
    rng: random.Random, intake_on: date, reasons: dict[str, str], *, mixed: bool
) -> dict[str, Any]:
    q1 = rng.choice((0, 0, 1, 1, 2))
    audit_c = {"q1": q1, "q2": 0, "q3": 0}
    if q1 and mixed and rng.random() < 0.3:  # SUB-AUDITC-POSITIVE
        audit_c.update(q1=3, q2=rng.randint(1, 2), q3=rng.randint(0, 2))
    dast = [False, False, True, False, False, False, False, False, False, False]
    if mixed and rng.random() < 0.15:  # SUB-DAST-LOW or -MODERATE
        for item in rng.sample((0, 1, 4, 5, 8), rng.randint(1, 3)):
            dast[item] = True
    use: dict[str, Any] = {
        "audit_c": audit_c,
        "dast10_answers": dast,
        "substance_use_disorders": [],
        "non_medical_use": [],
        "dissociative_misuse_lifetime": False,
    }
    if not mixed:
        return use
    if rng.random() < 0.05:
        use["dast10_answers"] = None  # DATA-MISSING-SUBSTANCE
        reasons["substance_use.dast10_answers"] = rng.choice(REASONS)
    if rng.random() < 0.1:  # SUB-SUD-REMISSION
        last_met = intake_on - timedelta(days=rng.randint(400, 3000))
        use["substance_use_disorders"] = [
            {
                "substance": rng.choice(("alcohol", "cannabis", "opioid")),
                "severity": "moderate",
                "status": "sustained_remission",
                "last_met_criteria": last_met.isoformat(),
            }
        ]
    if rng.random() < 0.12:
        substance = rng.choice(("cannabis", "cocaine", "mdma"))
        last_use = intake_on - timedelta(days=rng.randint(10, 600))
        use["non_medical_use"] = [
            {
                "substance": substance,
                "route": "smoked" if substance == "cannabis" else "oral",
                "pattern": rng.choice(("monthly", "less_than_monthly")),
                "last_use": last_use.isoformat(),
            }
        ]
    return use


def _scales(
    rng: random.Random, reasons: dict[str, str], *, mixed: bool
) -> dict[str, Any]:
    phq9: list[int | None] = [rng.randint(0, 3) for _ in range(8)] + [0]
    cssrs: dict[str, Any] = {
        "q1": False, "q2": False, "q3": None, "q4": None, "q5": None,
        "q6": False, "q6_within_3_months": None,
    }  # fmt: skip
    scales: dict[str, Any] = {"phq9": phq9, "cssrs_screener": cssrs}
    if rng.random() < 0.4:
        scales["gad7"] = [rng.randint(0, 3) for _ in range(7)]
    if rng.random() < 0.2:
        scales["madrs_total"] = rng.randint(10, 45)
    if not mixed:
        return scales
    if rng.random() < 0.15:
        phq9[8] = rng.randint(1, 2)  # PSY-PHQ9-ITEM9
    if rng.random() < 0.08:
        item = rng.randrange(8)
        phq9[item] = None  # an incomplete PHQ-9 (no flag: item 9 is answered)
        reasons[f"scales.phq9[{item}]"] = "declined"
    if rng.random() < 0.15:  # C-SSRS low, moderate or high (PSY-SUICIDE-*)
        cssrs["q1"] = True
        if rng.random() < 0.5:
            cssrs.update(q2=True, q3=rng.random() < 0.5, q4=False, q5=False)
    if rng.random() < 0.03:
        scales["cssrs_screener"] = None  # DATA-MISSING-SUICIDE
        reasons["scales.cssrs_screener"] = "not_asked"
    return scales
