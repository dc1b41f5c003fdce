"""Answers stored in bulk for the analytics tests, as an import stores a
clinic's history (care.responses.store_responses): TAC 1.1 answers of
simulated clients, and the veterans' PCL-5 answers of the shared data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.utils import timezone

from tether.care.frames import library
from tether.care.models import Case, Member, Session
from tether.care.responses import ScoredResponse, scores_to_store, store_responses

TAC_ITEMS = [str(i) for i in range(1, 14)]


def tac_answers(rng: np.random.Generator) -> dict[str, int]:
    """One person's TAC 1.1 answers: a common level plus item noise (so the
    items hang together), item 9 keyed the other way."""
    level = rng.normal(2.8, 0.7)
    answers = {}
    for item in TAC_ITEMS:
        value = level + rng.normal(0, 0.5)
        if item == "9":
            value = 4 - value
        answers[item] = int(np.clip(round(value), 0, 4))
    return answers


def clinic_with_tac_answers(clinician, people: int, seed: int = 3) -> None:
    """`people` individual cases of `clinician`'s clinic, each client
    answering TAC 1.1 in two sessions, stored in one batch as an import
    stores a clinic's history (care.responses.store_responses)."""
    rng = np.random.default_rng(seed)
    org = clinician.organization
    tac = library().get("tac@1.1")
    cases = Case.objects.bulk_create(
        Case(organization=org, label=f"Case {i}", kind="individual")
        for i in range(people)
    )
    members = Member.objects.bulk_create(
        Member(
            organization=org,
            case=case,
            first_name=f"Client{i}",
            role="identified-client",
            age_band="18+",
        )
        for i, case in enumerate(cases)
    )
    sessions = Session.objects.bulk_create(
        Session(
            organization=org,
            case=case,
            number=number,
            date=dt.date(2026, 3, number + i % 20),
        )
        for i, case in enumerate(cases)
        for number in (1, 2)
    )
    batch = []
    for session in sessions:
        member = members[cases.index(session.case)]
        answers = tac_answers(rng)
        scored = scores_to_store(tac, answers)
        batch.append(
            ScoredResponse(
                session=session,
                member=member,
                respondent="member",
                definition=tac,
                scores={scale: value for scale, (value, _) in scored.scores.items()},
                submitted_at=timezone.now(),
                answers=answers,
            )
        )
    store_responses(org, batch, source="test", recompute=False)


def clinic_with_answers(clinician, instrument: str, answers: pd.DataFrame) -> None:
    """One individual case per row of `answers` (columns: item ids), each
    client answering `instrument` once, in session 1."""
    org = clinician.organization
    definition = library().get(instrument)
    cases = Case.objects.bulk_create(
        Case(organization=org, label=f"Veteran {i}", kind="individual")
        for i in range(len(answers))
    )
    members = Member.objects.bulk_create(
        Member(
            organization=org, case=case, first_name=f"V{i}", role="identified-client"
        )
        for i, case in enumerate(cases)
    )
    sessions = Session.objects.bulk_create(
        Session(organization=org, case=case, number=1, date=dt.date(2026, 1, 5))
        for case in cases
    )
    batch = []
    for session, member, (_, row) in zip(
        sessions, members, answers.iterrows(), strict=True
    ):
        given = {item: int(value) for item, value in row.items()}
        scored = scores_to_store(definition, given)
        batch.append(
            ScoredResponse(
                session=session,
                member=member,
                respondent="member",
                definition=definition,
                scores={scale: value for scale, (value, _) in scored.scores.items()},
                submitted_at=timezone.now(),
                answers=given,
            )
        )
    store_responses(org, batch, source="test", recompute=False)
