"""The questions of the intake forms: labels and answer wording, keyed by intake/1 path.

One vocabulary for the forms, the section status, the conflict view and the screening
panel ("needs: <question label>"). Instrument items are labelled by short topic only;
DAST-10 and the C-SSRS screener never show their licensed wording (rule book §9).
"""

from typing import Any, Final

from screening.forms.paths import parse_path, pattern_of

Choices = list[tuple[str, str]]

YES_NO: Final[Choices] = [("yes", "Yes"), ("no", "No")]
NOT_ANSWERED: Final = "Not answered"
REASONS: Final[Choices] = [
    ("declined", "Declined"),
    ("unknown", "Unknown"),
    ("not_asked", "Not asked"),
]

SEX: Final[Choices] = [("female", "Female"), ("male", "Male")]
PREGNANCY_STATUS: Final[Choices] = [
    ("pregnant", "Pregnant"),
    ("not_pregnant", "Not pregnant"),
    ("unknown", "Asked, not known"),
    ("not_applicable", "Not applicable (cannot become pregnant)"),
]
PRIMARY_INDICATION: Final[Choices] = [
    ("major_depressive_disorder", "Major depressive disorder"),
    ("bipolar_depression", "Bipolar depression"),
    ("ptsd", "PTSD"),
    ("anxiety_disorder", "Anxiety disorder"),
    ("other", "Other"),
]
EPISODE: Final[Choices] = [("single", "Single episode"), ("recurrent", "Recurrent")]
EPISODE_SEVERITY: Final[Choices] = [
    ("subsyndromal", "Subsyndromal"),
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe_without_psychosis", "Severe without psychosis"),
    ("severe_with_psychosis", "Severe with psychosis"),
]
NYHA_CLASS: Final[Choices] = [
    ("0", "No heart failure"),
    ("1", "NYHA I"),
    ("2", "NYHA II"),
    ("3", "NYHA III"),
    ("4", "NYHA IV"),
]
CHILD_PUGH: Final[Choices] = [
    ("none", "No hepatic impairment"),
    ("A", "Child\u2013Pugh A"),
    ("B", "Child\u2013Pugh B"),
    ("C", "Child\u2013Pugh C"),
]
EVENT_DATE: Final[Choices] = [("never", "Never"), ("date", "Date:")]
MEDICATION_CLASS: Final[Choices] = [
    ("ssri", "SSRI"),
    ("snri", "SNRI"),
    ("ndri", "NDRI (bupropion)"),
    ("nassa", "NaSSA (mirtazapine)"),
    ("serotonin_modulator", "Serotonin modulator (trazodone, vortioxetine)"),
    ("tca", "Tricyclic antidepressant"),
    ("maoi", "MAOI (also linezolid, methylene blue)"),
    ("benzodiazepine", "Benzodiazepine"),
    ("z_drug", "Z-drug (zolpidem)"),
    ("opioid", "Opioid"),
    ("barbiturate", "Barbiturate"),
    ("gabapentinoid", "Gabapentinoid (gabapentin, pregabalin)"),
    ("sedating_antipsychotic", "Sedating antipsychotic (quetiapine)"),
    ("psychostimulant", "Psychostimulant (amphetamine, methylphenidate, modafinil)"),
    ("naltrexone", "Naltrexone"),
    ("lamotrigine", "Lamotrigine"),
    ("nmda_antagonist", "NMDA antagonist (memantine, amantadine, dextromethorphan)"),
    ("xanthine", "Xanthine (theophylline, aminophylline)"),
    ("other", "Other"),
]
TRIAL_OUTCOME: Final[Choices] = [
    ("nonresponse", "Non-response"),
    ("partial_response", "Partial response"),
    ("response", "Response"),
    ("intolerance", "Intolerance"),
]
TRIAL_TARGET: Final[Choices] = [
    ("depression", "Depression"),
    ("ptsd", "PTSD"),
    ("anxiety", "Anxiety"),
    ("other", "Other"),
]
DOSE_OVERRIDE: Final[Choices] = [
    ("yes", "Clinician judged the dose adequate"),
    ("no", "Clinician judged the dose inadequate"),
]
NO_OVERRIDE: Final = "No override"
SUD_SUBSTANCE: Final[Choices] = [
    ("alcohol", "Alcohol"),
    ("cannabis", "Cannabis"),
    ("ketamine", "Ketamine"),
    ("phencyclidine", "Phencyclidine (PCP)"),
    ("hallucinogen", "Hallucinogen"),
    ("inhalant", "Inhalant"),
    ("opioid", "Opioid"),
    ("sedative_hypnotic_anxiolytic", "Sedative, hypnotic or anxiolytic"),
    ("stimulant", "Stimulant"),
    ("tobacco", "Tobacco"),
    ("other", "Other"),
]
SUD_SEVERITY: Final[Choices] = [
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
]
SUD_STATUS: Final[Choices] = [
    ("current", "Current"),
    ("early_remission", "Early remission"),
    ("sustained_remission", "Sustained remission"),
]
NMU_SUBSTANCE: Final[Choices] = [
    ("cannabis", "Cannabis"),
    ("cocaine", "Cocaine"),
    ("amphetamine", "Amphetamine"),
    ("methamphetamine", "Methamphetamine"),
    ("ketamine", "Ketamine"),
    ("esketamine", "Esketamine"),
    ("pcp", "PCP"),
    ("opioid", "Opioid"),
    ("sedative", "Sedative"),
    ("hallucinogen", "Hallucinogen"),
    ("mdma", "MDMA"),
    ("inhalant", "Inhalant"),
    ("other", "Other"),
]
USE_PATTERN: Final[Choices] = [
    ("daily", "Daily"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("less_than_monthly", "Less than monthly"),
    ("single_use", "Single use"),
]
# AUDIT-C answers as intake-format.md 3.10 words them (public domain, rule book §9).
AUDIT_C_ANSWERS: Final[dict[str, Choices]] = {
    "q1": [
        ("0", "Never"),
        ("1", "Monthly or less"),
        ("2", "2\u20134 times a month"),
        ("3", "2\u20133 times a week"),
        ("4", "4 or more times a week"),
    ],
    "q2": [
        ("0", "1 or 2"),
        ("1", "3 or 4"),
        ("2", "5 or 6"),
        ("3", "7 to 9"),
        ("4", "10 or more"),
    ],
    "q3": [
        ("0", "Never"),
        ("1", "Less than monthly"),
        ("2", "Monthly"),
        ("3", "Weekly"),
        ("4", "Daily or almost daily"),
    ],
}
AUDIT_C_QUESTIONS: Final = {
    "q1": "How often the patient has a drink containing alcohol",
    "q2": "Drinks containing alcohol on a typical drinking day",
    "q3": "How often six or more drinks on one occasion",
}
# Published answer labels (rule book §8.1-§8.3).
PHQ_GAD_ANSWERS: Final[Choices] = [
    ("0", "Not at all"),
    ("1", "Several days"),
    ("2", "More than half the days"),
    ("3", "Nearly every day"),
]
PCL5_ANSWERS: Final[Choices] = [
    ("0", "Not at all"),
    ("1", "A little bit"),
    ("2", "Moderately"),
    ("3", "Quite a bit"),
    ("4", "Extremely"),
]
PHQ9_TOPICS: Final = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or a failure",
    "Trouble concentrating",
    "Moving or speaking slowly, or being fidgety or restless",
    "Thoughts of being better off dead or of hurting yourself",
)
GAD7_TOPICS: Final = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "So restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
PCL5_TOPICS: Final = (
    "Repeated disturbing memories of the experience",
    "Repeated disturbing dreams",
    "Suddenly feeling or acting as if it were happening again",
    "Feeling very upset when reminded",
    "Strong physical reactions when reminded",
    "Avoiding memories, thoughts or feelings about it",
    "Avoiding external reminders",
    "Trouble remembering important parts of it",
    "Strong negative beliefs about yourself, others or the world",
    "Blaming yourself or someone else for it",
    "Strong negative feelings such as fear, anger, guilt or shame",
    "Loss of interest in activities you used to enjoy",
    "Feeling distant or cut off from other people",
    "Trouble experiencing positive feelings",
    "Irritable behaviour, angry outbursts or acting aggressively",
    "Taking too many risks or doing things that could cause harm",
    "Being superalert, watchful or on guard",
    "Feeling jumpy or easily startled",
    "Difficulty concentrating",
    "Trouble falling or staying asleep",
)
# Topics only: the licensed item wording is never shown (rule book §8.5, §9).
DAST10_TOPICS: Final = (
    "Use other than for medical reasons",
    "More than one drug at a time",
    "Always able to stop when wanted",
    "Blackouts or flashbacks",
    "Guilt about use",
    "Spouse or parents complain",
    "Neglected family",
    "Illegal activities to obtain drugs",
    "Withdrawal symptoms",
    "Medical problems from use",
)
CSSRS_TOPICS: Final = {
    "q1": "Wish to be dead (past month)",
    "q2": "Active suicidal thoughts (past month)",
    "q3": "Thoughts of a method, without intent or plan (past month)",
    "q4": "Intent, without a specific plan (past month)",
    "q5": "Intent with a specific plan (past month)",
    "q6": "Any suicidal behaviour or preparation (lifetime)",
    "q6_within_3_months": "That behaviour was in the past 3 months",
}

MEDICAL_ITEM_LABELS: Final = {
    "aneurysmal_vascular_disease": "Aneurysmal vascular disease (aorta, intracranial "
    "or peripheral arteries)",
    "arteriovenous_malformation": "Arteriovenous malformation",
    "intracerebral_hemorrhage": "Intracerebral haemorrhage, ever",
    "hypersensitivity_ketamine_esketamine": "Known hypersensitivity to ketamine or "
    "esketamine",
    "mi_or_acs_date": "Most recent heart attack (MI) or acute coronary syndrome",
    "revascularization_date": "Most recent revascularisation (PCI, CABG)",
    "ischemic_stroke_or_tia": "Ischaemic stroke or TIA, ever",
    "heart_failure_nyha_class": "Heart failure (NYHA class)",
    "significant_valvular_disease": "Clinically significant valvular heart disease",
    "uncontrolled_arrhythmia": "Uncontrolled brady- or tachyarrhythmia",
    "hypertensive_encephalopathy_history": "Hypertensive encephalopathy, ever",
    "pulmonary_hypertension": "Pulmonary hypertension",
    "raised_intracranial_pressure_current": "Raised intracranial pressure now",
    "traumatic_brain_injury_history": "Traumatic brain injury, ever",
    "glaucoma_untreated_or_raised_iop": "Untreated glaucoma or raised intraocular "
    "pressure",
    "seizure_disorder": "Epilepsy or another seizure disorder",
    "hyperthyroidism_untreated": "Untreated hyperthyroidism",
    "hepatic_impairment_child_pugh": "Hepatic impairment (Child\u2013Pugh class)",
    "interstitial_or_ulcerative_cystitis": "Interstitial or ulcerative cystitis",
    "sleep_apnea": "Sleep apnoea",
    "copd_or_pulmonary_insufficiency": "COPD or other pulmonary insufficiency",
}
PSYCHIATRIC_ITEM_LABELS: Final = {
    "psychotic_disorder_lifetime": "Psychotic disorder, ever (substance-induced "
    "included)",
    "psychotic_symptoms_current": "Psychotic symptoms now",
    "bipolar_or_mania_history": "Bipolar disorder or a history of mania",
    "dissociative_disorder": "Dissociative disorder",
    "severe_personality_disorder": "Severe personality disorder",
}

# What one row of each list is called ("Trial 2: weeks at dose").
ROW_NOUNS: Final = {
    "allergies": "Allergy",
    "medications": "Medication",
    "antidepressant_trials": "Trial",
    "substance_use.substance_use_disorders": "Substance use disorder",
    "substance_use.non_medical_use": "Non-medical use",
}

LABELS: Final[dict[str, str]] = {
    "intake_date": "Intake date",
    "demographics.age": "Age (whole years on the intake date)",
    "demographics.sex_for_scoring": "Sex for scoring",
    "demographics.reproductive_potential": "Could become pregnant",
    "demographics.pregnancy_status": "Pregnancy status",
    "demographics.pregnancy_status_basis": "How the pregnancy status was established",
    "demographics.breastfeeding": "Currently breastfeeding",
    "indication.primary": "Primary indication",
    "indication.detail": "Diagnosis in words",
    "indication.episode": "Course of the depressive disorder",
    "indication.current_episode_start": "Start of the current episode",
    "indication.episode_severity_clinician": "Severity of the current episode "
    "(clinician's rating)",
    "indication.augmentation_used": "Augmentation used in the current episode",
    "indication.ect_used": "ECT used in the current episode",
    "indication.index_trauma_year": "Year of the index trauma",
    "vitals.bp_systolic": "Systolic blood pressure",
    "vitals.bp_diastolic": "Diastolic blood pressure",
    "vitals.heart_rate": "Heart rate",
    "vitals.bmi": "Body-mass index",
    "medical_history.other_conditions": "Other medical conditions",
    "psychiatric_history.other_conditions": "Other psychiatric diagnoses",
    "allergies": "Allergies",
    "allergies[].substance": "substance",
    "allergies[].reaction": "reaction",
    "medications": "Current medications",
    "medications[].name": "name",
    "medications[].class": "class",
    "medications[].daily_dose_mg": "daily dose (mg/day)",
    "antidepressant_trials": "Antidepressant trials",
    "antidepressant_trials[].drug": "drug and formulation",
    "antidepressant_trials[].daily_dose_mg": "daily dose reached (mg/day)",
    "antidepressant_trials[].weeks_at_dose": "weeks at or above that dose",
    "antidepressant_trials[].adherence_pct": "adherence (% of doses taken)",
    "antidepressant_trials[].outcome": "outcome",
    "antidepressant_trials[].improvement_pct": "improvement (%, negative = worse)",
    "antidepressant_trials[].current_episode": "given in the current episode",
    "antidepressant_trials[].ongoing": "still taking it",
    "antidepressant_trials[].stopped_reason": "why it was stopped",
    "antidepressant_trials[].target": "condition treated",
    "antidepressant_trials[].dose_adequate_override": "clinician's dose-adequacy "
    "override",
    "antidepressant_trials[].dose_adequate_override_reason": "reason for the override",
    "substance_use.audit_c": "AUDIT-C",
    "substance_use.dast10_answers": "DAST-10",
    "substance_use.substance_use_disorders": "Substance use disorders",
    "substance_use.substance_use_disorders[].substance": "substance",
    "substance_use.substance_use_disorders[].severity": "severity",
    "substance_use.substance_use_disorders[].status": "status",
    "substance_use.substance_use_disorders[].last_met_criteria": "last date criteria "
    "were met",
    "substance_use.substance_use_disorders[].detail": "note",
    "substance_use.non_medical_use": "Non-medical drug use",
    "substance_use.non_medical_use[].substance": "substance",
    "substance_use.non_medical_use[].route": "route",
    "substance_use.non_medical_use[].pattern": "usual frequency",
    "substance_use.non_medical_use[].last_use": "date of last use",
    "substance_use.non_medical_use[].detail": "note",
    "substance_use.dissociative_misuse_lifetime": "Ever misused ketamine, esketamine, "
    "PCP or another dissociative",
    "scales.phq9": "PHQ-9",
    "scales.gad7": "GAD-7",
    "scales.pcl5": "PCL-5",
    "scales.madrs_total": "MADRS total (clinician-entered)",
    "scales.cssrs_screener": "C-SSRS screener (clinician-entered)",
}
for _block, _labels in (
    ("medical_history", MEDICAL_ITEM_LABELS),
    ("psychiatric_history", PSYCHIATRIC_ITEM_LABELS),
):
    for _item, _label in _labels.items():
        LABELS[f"{_block}.{_item}"] = _label
        LABELS[f"{_block}.{_item}_detail"] = f"Details: {_label[0].lower()}{_label[1:]}"
for _q, _question in AUDIT_C_QUESTIONS.items():
    LABELS[f"substance_use.audit_c.{_q}"] = f"AUDIT-C {_q[1]}: {_question}"
for _q, _topic in CSSRS_TOPICS.items():
    LABELS[f"scales.cssrs_screener.{_q}"] = f"C-SSRS {_q.replace('_', ' ')}: {_topic}"

INSTRUMENT_ITEMS: Final = {
    "scales.phq9": ("PHQ-9", PHQ9_TOPICS),
    "scales.gad7": ("GAD-7", GAD7_TOPICS),
    "scales.pcl5": ("PCL-5", PCL5_TOPICS),
    "substance_use.dast10_answers": ("DAST-10", DAST10_TOPICS),
}

# Answer wording for showing a stored value (conflict view, screening evidence).
ANSWER_CHOICES: Final[dict[str, Choices]] = {
    "demographics.sex_for_scoring": SEX,
    "demographics.pregnancy_status": PREGNANCY_STATUS,
    "indication.primary": PRIMARY_INDICATION,
    "indication.episode": EPISODE,
    "indication.episode_severity_clinician": EPISODE_SEVERITY,
    "medical_history.heart_failure_nyha_class": NYHA_CLASS,
    "medical_history.hepatic_impairment_child_pugh": CHILD_PUGH,
    "medications[].class": MEDICATION_CLASS,
    "antidepressant_trials[].outcome": TRIAL_OUTCOME,
    "antidepressant_trials[].target": TRIAL_TARGET,
    "substance_use.substance_use_disorders[].substance": SUD_SUBSTANCE,
    "substance_use.substance_use_disorders[].severity": SUD_SEVERITY,
    "substance_use.substance_use_disorders[].status": SUD_STATUS,
    "substance_use.non_medical_use[].substance": NMU_SUBSTANCE,
    "substance_use.non_medical_use[].pattern": USE_PATTERN,
    "scales.phq9[]": PHQ_GAD_ANSWERS,
    "scales.gad7[]": PHQ_GAD_ANSWERS,
    "scales.pcl5[]": PCL5_ANSWERS,
    **{f"substance_use.audit_c.{q}": answers for q, answers in AUDIT_C_ANSWERS.items()},
}
EVENT_DATE_PATHS: Final = (
    "medical_history.mi_or_acs_date",
    "medical_history.revascularization_date",
)


def question_label(path: str) -> str:
    """The question a full intake/1 path stands for, in words; the path if unknown."""
    pattern = pattern_of(path)
    for list_path, noun in ROW_NOUNS.items():
        index = _row_index(path, list_path)
        if index is not None:
            field = LABELS.get(pattern)
            return f"{noun} {index + 1}: {field}" if field else f"{noun} {index + 1}"
    for instrument, (name, topics) in INSTRUMENT_ITEMS.items():
        index = _row_index(path, instrument)
        if index is not None and index < len(topics):
            return f"{name} item {index + 1}: {topics[index]}"
    return LABELS.get(pattern, path)


def _row_index(path: str, list_path: str) -> int | None:
    """The index right after list_path in path: 1 for `medications[1].name`."""
    if not path.startswith(f"{list_path}["):
        return None
    parts = parse_path(path[len(list_path) :])
    return parts[0] if parts and isinstance(parts[0], int) else None


def answer_text(path: str, value: Any) -> str:
    """A stored answer as the form words it: Yes, No, Never, Not answered, a label."""
    if value is None:
        return NOT_ANSWERED
    pattern = pattern_of(path)
    if value is False and pattern in EVENT_DATE_PATHS:
        return "Never"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "None" if not value else f"{len(value)} entries"
    choices = ANSWER_CHOICES.get(pattern)
    if choices is not None:
        return dict(choices).get(str(value), str(value))
    return str(value)
