"""The columns of the long-format score CSV (docs/long-format.md), shared by the
simulator that writes it and the signals that read it."""

REQUIRED = (
    "case_id",
    "member_id",
    "member_role",
    "respondent",
    "session",
    "instrument",
    "scale",
    "score",
)
OPTIONAL = ("case_kind", "age_band", "subsystem")
COLUMNS = (*REQUIRED, *OPTIONAL)
