"""Reports for the people around a case and a clinic (docs/architecture.md
§Apps): the printable case report, the family view shown in session, the
supervisor's dashboard and the clinic's analytics. They read through care's
selectors and the pure `analysis` package; they write nothing clinical."""
