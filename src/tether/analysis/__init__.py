"""Pure analyses of a clinic's own data (no Django; usable from a notebook on
a research export): reliability of each instrument on the clinic's answers,
expected-response curves, and the alliance → outcome model split into
within- and between-person effects (docs/analytics.md)."""
