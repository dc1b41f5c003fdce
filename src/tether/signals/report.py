"""Signals as CSV rows and a short account of how they were computed."""

from __future__ import annotations

import json

import pandas as pd

from .engine import SignalRun

HEADER = ["case_id", "subject", "session", "signal", "severity", "evidence"]


def signal_rows(table: pd.DataFrame) -> list[list[str]]:
    out = [HEADER]
    for r in table.itertuples(index=False):
        evidence = dict(r.evidence)
        if r.state:
            evidence["state"] = r.state
        out.append(
            [
                r.case_id,
                r.subject,
                str(int(r.session)),
                r.signal,
                r.severity,
                json.dumps(evidence, ensure_ascii=False),
            ]
        )
    return out


def summary(run: SignalRun) -> str:
    norms = run.norms
    lines = [f"{len(run.signals)} signals"]
    counts = run.signals.groupby(["signal", "severity"]).size()
    lines += [f"  {kind} ({severity}): {n}" for (kind, severity), n in counts.items()]
    source = (
        "estimated from this data"
        if norms.estimated
        else "fallback defaults (too few series)"
    )
    lines.append(
        f"alliance noise on 0-100: SEM {norms.pooled_sem:.2f}, between-client SD {norms.between_sd:.2f} ({source})"
    )
    for instrument, model in run.models.items():
        if model is None:
            lines.append(
                f"{instrument}: no expected-response model (too few cases, or the fit did not converge); the change rule judges worsening"
            )
        else:
            lines.append(
                f"{instrument}: expected-response model fitted on {model.cases} cases, {model.observations} scores"
            )
    return "\n".join(lines)
