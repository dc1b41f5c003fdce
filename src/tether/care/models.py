"""Care records (docs/architecture.md §Records). Every clinical row carries its
organization, and every query filters by it (selectors.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tether.accounts.models import Organization


class CaseKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COUPLE = "couple", _("Couple")
    FAMILY = "family", _("Family")


class MemberRole(models.TextChoices):
    IDENTIFIED_CLIENT = "identified-client", _("Identified client")
    PARTNER = "partner", _("Partner")
    CAREGIVER = "caregiver", _("Caregiver")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    CHILD = "8-12", "8–12"
    TEEN = "13-17", "13–17"
    ADULT = "18+", "18+"


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="cases"
    )
    label = models.CharField(
        max_length=120, help_text="A name for the case, e.g. 'Rivera family'."
    )
    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    trauma_focus = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(
        max_length=120,
        blank=True,
        help_text=(
            "The case's id in the clinic's own records, from an imported file "
            "(tether import scores: its case_id), so a re-run finds the case; "
            "empty for a case created in Tether."
        ),
    )
    clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cases", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    signals_stale_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When answers arrived that the case's alerts do not yet reflect; "
            "empty once the queued recompute has stored them (care/recompute.py)."
        ),
    )
    history = HistoricalRecords(excluded_fields=["clinicians", "signals_stale_since"])

    class Meta:
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_case_per_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.label


class Member(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    first_name = models.CharField(max_length=80)
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    age_band = models.CharField(
        max_length=10, choices=AgeBand.choices, default=AgeBand.ADULT
    )
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="en")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)
    external_id = models.CharField(
        max_length=80,
        blank=True,
        help_text=(
            "The member's id in an imported file (its member_id), unique in "
            "the case, so a re-run finds the member; empty for a member added "
            "in Tether."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            # Files number members per case (M1, M2, … in every case).
            models.UniqueConstraint(
                fields=["case", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_member_per_external_id_in_case",
            )
        ]

    def __str__(self) -> str:
        return self.first_name

    @property
    def is_youth(self) -> bool:
        return self.age_band != AgeBand.ADULT

    @property
    def is_identified_client(self) -> bool:
        return self.role == MemberRole.IDENTIFIED_CLIENT


class Subsystem(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subsystems")
    name = models.CharField(max_length=60)
    members = models.ManyToManyField(Member, related_name="subsystems")

    class Meta:
        unique_together = [("case", "name")]

    def __str__(self) -> str:
        return self.name


class MeasurePlan(models.Model):
    """One row of a measure plan: which roles answer an instrument, how often.
    A row with a case belongs to that case's own plan; a row without one to
    its organization's default plan, which every case without a plan of its
    own follows (care/plan.py: plans_for)."""

    class Cadence(models.TextChoices):
        EVERY_SESSION = "every", _("Every session")
        EVERY_N = "every_n", _("Every N sessions")
        MONTHLY = "monthly", _("Monthly")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="measure_plans",
        null=True,
        blank=True,
        help_text="Empty for a row of the organization's default plan.",
    )
    instrument = models.CharField(max_length=60, help_text="id or id@version")
    roles = models.JSONField(
        default=list,
        help_text="Member roles who answer; 'therapist' for the therapist.",
    )
    cadence = models.CharField(
        max_length=10, choices=Cadence.choices, default=Cadence.EVERY_SESSION
    )
    every_n = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.instrument} ({self.get_cadence_display()})"


class Session(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveIntegerField()
    date = models.DateField()
    attended = models.ManyToManyField(
        Member, related_name="sessions_attended", blank=True
    )
    history = HistoricalRecords(excluded_fields=["attended"])

    class Meta:
        unique_together = [("case", "number")]
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Session {self.number}"


class Response(models.Model):
    class Respondent(models.TextChoices):
        MEMBER = "member", _("Member")
        THERAPIST = "therapist", _("Therapist")

    class Status(models.TextChoices):
        IN_PROGRESS = "in-progress", _("In progress")
        COMPLETE = "complete", _("Complete")
        PAPER = "entered-from-paper", _("Entered from paper")
        INCOMPLETE = "incomplete", _("Incomplete")
        """Answers saved but never sent: the link expired or was closed, or a
        kiosk turn was started again. They feed the risk rule only."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
        help_text="Who answered; for a therapist's rating, the member rated (empty: the whole family).",
    )
    instrument = models.CharField(max_length=60, help_text="id@version")
    language = models.CharField(max_length=5, default="en")
    answers = models.JSONField(default=dict, blank=True)
    totals = models.JSONField(
        default=dict, blank=True, help_text="Scale totals entered from paper."
    )
    rule_results = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "What the instrument's own scoring rules found, by name (the PCL-5 "
            "provisional diagnosis, the PHQ-9 syndrome); null where missing "
            "answers leave it undetermined. Derived with the scores."
        ),
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    risk_endorsed = models.BooleanField(
        default=False,
        help_text="Whether a risk answer is at its trigger, as scoring found it.",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            # Incomplete responses are kept beside the one that counts, however
            # many times a link expires or a kiosk turn starts again.
            models.UniqueConstraint(
                fields=["session", "respondent", "member", "instrument"],
                condition=~models.Q(status="incomplete"),
                name="one_response_per_person_instrument_session",
            )
        ]


SENT = (Response.Status.COMPLETE, Response.Status.PAPER)
"""The statuses of a response that counts as answered."""


class Score(models.Model):
    """Derived from a response; recomputable."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="scores"
    )
    scale = models.CharField(
        max_length=40, help_text="A scale id, or item:<id> for a risk item's answer."
    )
    value = models.FloatField(null=True)
    prorated = models.BooleanField(default=False)

    class Meta:
        unique_together = [("response", "scale")]


class Feedback(models.TextChoices):
    """The one optional tap that goes with acknowledging or resolving an
    alert: was it of use? (docs/reports.md §Alert feedback)."""

    USEFUL = "useful", _("Useful")
    NOT_USEFUL = "not-useful", _("Not useful")
    WRONG = "wrong", _("Wrong")


class Signal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        NOTED = "noted", _("Noted")
        """Good news or information that asks nothing of the clinician
        (signals.needs_action): shown on the case page, never an open alert."""
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    subject = models.CharField(max_length=60)
    instrument = models.CharField(
        max_length=60,
        blank=True,
        help_text="Where a signal is about one instrument's scores.",
    )
    session_number = models.PositiveIntegerField()
    state = models.CharField(max_length=20, blank=True)
    evidence = models.JSONField(default=dict)
    ended = models.CharField(
        max_length=120,
        blank=True,
        help_text="Why the condition behind the alert has ended (a repair, a "
        "later session without it); empty while it lasts.",
    )
    status = models.CharField(
        max_length=15, choices=Status.choices, default=Status.OPEN
    )
    note = models.TextField(blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    feedback = models.CharField(
        max_length=12,
        choices=Feedback.choices,
        blank=True,
        help_text="What the clinician who acknowledged or resolved the alert "
        "said of it, if anything (docs/reports.md §Alert feedback).",
    )
    feedback_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "subject", "instrument", "session_number"],
                name="one_signal_per_event",
            )
        ]
        indexes = [models.Index(fields=["organization", "status", "severity"])]


class CaseGlance(models.Model):
    """The caseload's at-a-glance cells of one case (its alliance by level at
    the latest session, its latest PCL-5), kept with the signature of what
    they were computed from (care/glance.py): the caseload recomputes only
    the cases whose signature changed. Derived, recomputable, never shown
    as a record of its own."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="glance"
    )
    signature = models.CharField(max_length=64)
    alliance = models.JSONField(default=dict)
    pcl5 = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)


class MemberSharing(models.Model):
    """One recorded choice of what a member's scores may add to the family
    view, the screen shown to the family in session (reports/family_view.py;
    docs/reports.md §Family view). Rows are only ever added, never changed,
    so the choices' history stays whole: the latest row of each member and
    `decided_by` is the choice in force (care/sharing.py). Nothing is shared
    until a row says so.

    A youth's scores are shared only on the youth's own yes; a caregiver's
    row for a youth can keep them off the view, never put them on."""

    class DecidedBy(models.TextChoices):
        MEMBER = "member", _("the member themselves")
        CAREGIVER = "caregiver", _("a caregiver, for a youth")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="sharing_choices"
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="sharing_choices"
    )
    decided_by = models.CharField(
        max_length=10, choices=DecidedBy.choices, default=DecidedBy.MEMBER
    )
    alliance = models.BooleanField(
        default=False,
        help_text="Their own alliance scores may count in the family's averages.",
    )
    outcome = models.BooleanField(
        default=False,
        help_text="Their symptom and outcome scores may count in the family's averages.",
    )
    asked = models.BooleanField(
        default=False,
        help_text=(
            "The clinician asked the person whose choice this is and recorded "
            "what they said; a clinician may take scores off the view without "
            "asking, never put them on."
        ),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The clinician who recorded the choice, on the person's behalf.",
    )
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["set_at", "pk"]
        indexes = [models.Index(fields=["member", "decided_by", "set_at"])]

    def __str__(self) -> str:
        return f"{self.member} ({self.decided_by}, {self.set_at:%Y-%m-%d})"
