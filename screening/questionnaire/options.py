"""Answer options shared by several questions, with their words."""

from typing import Final

from screening.questionnaire.model import Option
from screening.questionnaire.text import _

SEX: Final = (Option("female", _("Female")), Option("male", _("Male")))
PREGNANCY_STATUS: Final = (
    Option("pregnant", _("Pregnant")),
    Option("not_pregnant", _("Not pregnant")),
    Option("unknown", _("Asked, not known")),
    Option("not_applicable", _("Not applicable (cannot become pregnant)")),
)
PRIMARY_INDICATION: Final = (
    Option("major_depressive_disorder", _("Major depressive disorder")),
    Option("bipolar_depression", _("Bipolar depression")),
    Option("ptsd", _("PTSD")),
    Option("anxiety_disorder", _("Anxiety disorder")),
    Option("other", _("Other")),
)
EPISODE: Final = (
    Option("single", _("Single episode")),
    Option("recurrent", _("Recurrent")),
)
EPISODE_SEVERITY: Final = (
    Option("subsyndromal", _("Subsyndromal")),
    Option("mild", _("Mild")),
    Option("moderate", _("Moderate")),
    Option("severe_without_psychosis", _("Severe without psychosis")),
    Option("severe_with_psychosis", _("Severe with psychosis")),
)
NYHA_CLASS: Final = (
    Option(0, _("No heart failure")),
    Option(1, _("NYHA I")),
    Option(2, _("NYHA II")),
    Option(3, _("NYHA III")),
    Option(4, _("NYHA IV")),
)
CHILD_PUGH: Final = (
    Option("none", _("No hepatic impairment")),
    Option("A", _("Child\u2013Pugh A")),
    Option("B", _("Child\u2013Pugh B")),
    Option("C", _("Child\u2013Pugh C")),
)
MEDICATION_CLASS: Final = (
    Option("ssri", _("SSRI")),
    Option("snri", _("SNRI")),
    Option("ndri", _("NDRI (bupropion)")),
    Option("nassa", _("NaSSA (mirtazapine)")),
    Option("serotonin_modulator", _("Serotonin modulator (trazodone, vortioxetine)")),
    Option("tca", _("Tricyclic antidepressant")),
    Option("maoi", _("MAOI (also linezolid, methylene blue)")),
    Option("benzodiazepine", _("Benzodiazepine")),
    Option("z_drug", _("Z-drug (zolpidem)")),
    Option("opioid", _("Opioid")),
    Option("barbiturate", _("Barbiturate")),
    Option("gabapentinoid", _("Gabapentinoid (gabapentin, pregabalin)")),
    Option("sedating_antipsychotic", _("Sedating antipsychotic (quetiapine)")),
    Option(
        "psychostimulant",
        _("Psychostimulant (amphetamine, methylphenidate, modafinil)"),
    ),
    Option("naltrexone", _("Naltrexone")),
    Option("lamotrigine", _("Lamotrigine")),
    Option(
        "nmda_antagonist",
        _("NMDA antagonist (memantine, amantadine, dextromethorphan)"),
    ),
    Option("xanthine", _("Xanthine (theophylline, aminophylline)")),
    Option("other", _("Other")),
)
TRIAL_OUTCOME: Final = (
    Option("nonresponse", _("Non-response")),
    Option("partial_response", _("Partial response")),
    Option("response", _("Response")),
    Option("intolerance", _("Intolerance")),
)
TRIAL_TARGET: Final = (
    Option("depression", _("Depression")),
    Option("ptsd", _("PTSD")),
    Option("anxiety", _("Anxiety")),
    Option("other", _("Other")),
)
DOSE_OVERRIDE: Final = (
    Option(True, _("Clinician judged the dose adequate")),
    Option(False, _("Clinician judged the dose inadequate")),
)
SUD_SUBSTANCE: Final = (
    Option("alcohol", _("Alcohol")),
    Option("cannabis", _("Cannabis")),
    Option("ketamine", _("Ketamine")),
    Option("phencyclidine", _("Phencyclidine (PCP)")),
    Option("hallucinogen", _("Hallucinogen")),
    Option("inhalant", _("Inhalant")),
    Option("opioid", _("Opioid")),
    Option("sedative_hypnotic_anxiolytic", _("Sedative, hypnotic or anxiolytic")),
    Option("stimulant", _("Stimulant")),
    Option("tobacco", _("Tobacco")),
    Option("other", _("Other")),
)
SUD_SEVERITY: Final = (
    Option("mild", _("Mild")),
    Option("moderate", _("Moderate")),
    Option("severe", _("Severe")),
)
SUD_STATUS: Final = (
    Option("current", _("Current")),
    Option("early_remission", _("Early remission")),
    Option("sustained_remission", _("Sustained remission")),
)
NMU_SUBSTANCE: Final = (
    Option("cannabis", _("Cannabis")),
    Option("cocaine", _("Cocaine")),
    Option("amphetamine", _("Amphetamine")),
    Option("methamphetamine", _("Methamphetamine")),
    Option("ketamine", _("Ketamine")),
    Option("esketamine", _("Esketamine")),
    Option("pcp", _("PCP")),
    Option("opioid", _("Opioid")),
    Option("sedative", _("Sedative")),
    Option("hallucinogen", _("Hallucinogen")),
    Option("mdma", _("MDMA")),
    Option("inhalant", _("Inhalant")),
    Option("other", _("Other")),
)
USE_PATTERN: Final = (
    Option("daily", _("Daily")),
    Option("weekly", _("Weekly")),
    Option("monthly", _("Monthly")),
    Option("less_than_monthly", _("Less than monthly")),
    Option("single_use", _("Single use")),
)
# Published answer labels (rule book §8.1-§8.3).
PHQ_GAD_ANSWERS: Final = (
    Option(0, _("Not at all")),
    Option(1, _("Several days")),
    Option(2, _("More than half the days")),
    Option(3, _("Nearly every day")),
)
PCL5_ANSWERS: Final = (
    Option(0, _("Not at all")),
    Option(1, _("A little bit")),
    Option(2, _("Moderately")),
    Option(3, _("Quite a bit")),
    Option(4, _("Extremely")),
)
