"""FHIR out of the declaration: an intake as a Bundle, and one Questionnaire.

FHIR R4B (4.3.0) through `fhir.resources.R4B`, which EHRs that speak R4 read: every
bundle and questionnaire says so in its `meta.tag`, and a download's media type carries
`fhirVersion=4.3`. Every resource is
built as a plain dict and validated through its fhir.resources model before it is
written out.

- `questionnaire.py`: one `Questionnaire` from `screening.questionnaire`.
- `answers.py`: an intake/1 document as `QuestionnaireResponse` items (linkId = path).
- `bundle.py`: the `collection` Bundle of one intake: Patient, QuestionnaireResponse,
  score and vital-sign Observations, a DetectedIssue per flag, a RiskAssessment for the
  outcome and, once signed, a Provenance.

Plain Python with no Django import; `screening/services/fhir_exports.py` reads the rows
and audits the export. It describes answers, scores and flags: never a dose to give, a
MedicationRequest or a CarePlan. See docs/fhir.md.
"""
