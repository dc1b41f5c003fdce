"""The audit trail, an app of its own so that every other app can record to it
without depending on the clinical one (accounts audits sign-ins, care and the
portal clinical reads and writes). Record with `tether.audit.services.record`."""
