"""Pure conversions between Tether's instrument definitions and responses and
other systems' formats: FHIR R4 (Questionnaire, QuestionnaireResponse,
Observation) and REDCap (data dictionary, flat record CSV).

No Django and no Tether Django app (the pure-core import contract): these
functions take and return plain values, so they are tested without a database
and usable from a notebook (docs/architecture.md §Pure core)."""
