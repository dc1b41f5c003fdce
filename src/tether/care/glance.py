"""The caseload's at-a-glance cells, computed once per change of a case
rather than on every visit (issue #16: a supervisor's caseload of 200 cases
took 1.6 s of CPU, most of it computing every case's alliance levels from
every score).

A case's cells depend on its sent responses (and their scores), its
members' roles, ages and activity, its subsystems as edited, and the
instrument library. Their `signature` — a SHA-256 over those, read for all
the caseload's cases in three queries — says whether a stored `CaseGlance`
is still right; the cases whose signature changed are computed from their
score table, as before, and stored. What is shown is therefore always what
the scores say now: a stored row is used only when nothing it was computed
from has changed."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max

from .frames import library, score_frame
from .models import SENT, Case, CaseGlance, Response, Subsystem

GLANCE_VERSION = "2"
"""What a stored glance holds; part of every signature, so a change of it
(2: the latest PCL-5 also says the session of its first, for the dashboard's
spread of change) recomputes every stored row once."""


def glances_of(
    cases: Iterable[Case],
) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    """Per case: (alliance glance, latest PCL-5), from the stored row where
    its signature still holds, else computed now and stored. `cases` should
    come with their members prefetched."""
    from .summary import alliance_glance, latest_pcl5

    chosen = list(cases)
    signatures = signatures_of(chosen)
    stored = {
        row.case_id: row
        for row in CaseGlance.objects.filter(case_id__in=list(signatures))
    }
    out = {
        case_id: (row.alliance, row.pcl5)
        for case_id, row in stored.items()
        if row.signature == signatures[case_id]
    }
    changed = [case_id for case_id in signatures if case_id not in out]
    if changed:
        frame = score_frame(changed)
        alliance, pcl5 = alliance_glance(frame), latest_pcl5(frame)
        fresh = [
            CaseGlance(
                case_id=case_id,
                signature=signatures[case_id],
                alliance=_json(alliance.get(case_id, {})),
                pcl5=_json(pcl5.get(case_id, {})),
            )
            for case_id in changed
        ]
        CaseGlance.objects.bulk_create(
            fresh,
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=["signature", "alliance", "pcl5", "computed_at"],
        )
        out |= {row.case_id: (row.alliance, row.pcl5) for row in fresh}
    return out


def signatures_of(cases: list[Case]) -> dict[int, str]:
    """Per case, the SHA-256 of what its glance is computed from."""
    ids = [case.pk for case in cases]
    parts: dict[int, list[str]] = defaultdict(list)
    sent = (
        Response.objects.filter(session__case_id__in=ids, status__in=SENT)
        .values("session__case_id")
        .annotate(n=Count("id"), last=Max("id"), at=Max("submitted_at"))
    )
    for row in sent:
        parts[row["session__case_id"]].append(f"r{row['n']}:{row['last']}:{row['at']}")
    links = Subsystem.members.through.objects.filter(subsystem__case_id__in=ids)
    for case_id, name, member in links.values_list(
        "subsystem__case_id", "subsystem__name", "member_id"
    ).order_by("subsystem__case_id", "subsystem__name", "member_id"):
        parts[case_id].append(f"s{name}:{member}")
    instruments = ",".join(library().keys())
    signatures = {}
    for case in cases:
        members = ";".join(
            f"{m.pk}:{m.role}:{m.age_band}:{m.active}"
            for m in sorted(case.members.all(), key=lambda m: m.pk)
        )
        text = "|".join(
            [GLANCE_VERSION, case.kind, members, *parts[case.pk], instruments]
        )
        signatures[case.pk] = hashlib.sha256(text.encode()).hexdigest()
    return signatures


def _json(value: dict[str, Any]) -> dict[str, Any]:
    """The glance as JSON keeps it (a tuple comes back a list; both unpack)."""
    return {
        key: list(item) if isinstance(item, tuple) else item
        for key, item in value.items()
    }
