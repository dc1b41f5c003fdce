"""Forms for the clinician pages. They parse and check input; the services
decide and save, and the problems they raise land on the fields they name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tether.accounts.models import User
from tether.instruments import Definition, Item, Scale, UnknownInstrument, text_in
from tether.signals.catalogue import catalogue

from .caseload import CaseloadQuery
from .errors import FEEDBACK_CHOICE, TOO_LONG, Problem, item_field, total_field
from .frames import library
from .models import (
    AgeBand,
    Case,
    CaseKind,
    Feedback,
    Member,
    MemberRole,
    Session,
    Subsystem,
)


def add_problems(form: forms.Form, problems: Iterable[Problem]) -> None:
    """Each problem on the field it names when the form has that field, else
    above the form."""
    for problem in problems:
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, problem.message)


class TextField(forms.CharField):
    """Text kept to its record's length, and refused with a message when it is
    longer: no `maxlength` on the input, where a browser cuts pasted text
    silently."""

    default_error_messages = {"max_length": TOO_LONG}

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def member_label(member: Member) -> str:
    """A member as the clinician's forms list them: "Leo (identified client)"."""
    return _("%(name)s (%(role)s)") % {
        "name": member.first_name,
        "role": member.get_role_display().lower(),
    }


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return member_label(obj)


class ClinicianChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display


def clinicians_of(user: User) -> Any:
    """The clinicians a case may be assigned to: those of the user's organization."""
    return User.objects.filter(
        organization_id=user.organization_id, is_clinician=True, is_active=True
    ).order_by("last_name", "first_name", "username")


# ---- cases and members ---------------------------------------------------------


class CaseForm(forms.Form):
    label = TextField(
        max_length=Case._meta.get_field("label").max_length,
        label=gettext_lazy("Label"),
        help_text=gettext_lazy(
            "A name for the case, e.g. “Rivera family”. Avoid full names."
        ),
        error_messages={"required": gettext_lazy("Give the case a name.")},
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=CaseKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose individual, couple or family."),
            "invalid_choice": gettext_lazy("Choose individual, couple or family."),
        },
    )
    trauma_focus = TextField(
        max_length=Case._meta.get_field("trauma_focus").max_length,
        required=False,
        label=gettext_lazy("Trauma focus (optional)"),
    )
    clinicians = ClinicianChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=gettext_lazy("Clinicians"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty to assign the case to yourself."),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinicians"]
        field.queryset = clinicians_of(user)  # type: ignore[attr-defined]
        if not user.is_clinician:  # nobody to fall back on
            field.required = True
            field.help_text = gettext_lazy("Who will see and work on the case.")
            field.error_messages["required"] = CHOOSE_A_CLINICIAN


CHOOSE_A_CLINICIAN = gettext_lazy("Choose at least one clinician.")


class AssignCliniciansForm(forms.Form):
    clinicians = ClinicianChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("Clinicians"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": CHOOSE_A_CLINICIAN},
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinicians"].queryset = clinicians_of(user)  # type: ignore[attr-defined]


ONLY_FOR_LINKS = gettext_lazy("Only for sending questionnaire links.")


class MemberForm(forms.Form):
    first_name = TextField(
        max_length=Member._meta.get_field("first_name").max_length,
        label=gettext_lazy("First name"),
        help_text=gettext_lazy("First name only."),
        error_messages={"required": gettext_lazy("Give the member's first name.")},
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=MemberRole.choices)
    age_band = forms.ChoiceField(
        choices=AgeBand.choices,
        initial=AgeBand.ADULT,
        label=gettext_lazy("Age band"),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=settings.LANGUAGES,
        initial="en",
    )
    email = forms.EmailField(
        required=False,
        label=gettext_lazy("Email (optional)"),
        help_text=ONLY_FOR_LINKS,
    )
    phone = TextField(
        max_length=Member._meta.get_field("phone").max_length,
        required=False,
        label=gettext_lazy("Phone (optional)"),
        help_text=ONLY_FOR_LINKS,
    )


class SubsystemForm(forms.Form):
    name = TextField(
        max_length=Subsystem._meta.get_field("name").max_length,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("e.g. caregivers, children, couple."),
        error_messages={"required": gettext_lazy("Give the subsystem a name.")},
    )
    members = MemberChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label=gettext_lazy("Members"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = case.members.filter(active=True)  # type: ignore[attr-defined]


# ---- sessions ------------------------------------------------------------------


class AttendanceForm(forms.Form):
    attended = MemberChoiceField(
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Who attended"),
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = case.members.filter(active=True)  # type: ignore[attr-defined]


class SessionForm(AttendanceForm):
    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The day of the session."),
    )
    field_order = ["date", "attended"]

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "date": timezone.localdate(),
                "attended": list(case.members.filter(active=True)),
            },
        )
        super().__init__(case, *args, **kwargs)

    def clean_date(self) -> dt.date:
        date: dt.date = self.cleaned_data["date"]
        if date > timezone.localdate() + dt.timedelta(days=1):
            raise forms.ValidationError(
                gettext_lazy("The session date is in the future."), code="future"
            )
        return date


# ---- paper entry ---------------------------------------------------------------

THERAPIST_FAMILY = "therapist:family"
MODES = [
    ("items", gettext_lazy("Item by item")),
    ("totals", gettext_lazy("Scale totals")),
]


def who_choices(members: Iterable[Member]) -> list[tuple[str, Any]]:
    members = list(members)
    answered = [(f"member:{m.pk}", member_label(m)) for m in members]
    rated = [
        (
            f"therapist:{m.pk}",
            _("Therapist, rating %(name)s") % {"name": m.first_name},
        )
        for m in members
    ]
    rated.append((THERAPIST_FAMILY, _("Therapist, rating the family")))
    return [(_("A member answered"), answered), (_("The therapist rated"), rated)]


def instrument_choices(planned: Iterable[str]) -> list[tuple[str, Any]]:
    """The case's measure plan first, then the rest of the library."""
    lib = library()
    plan_keys = []
    for key in planned:
        try:
            plan_keys.append(lib.get(key).key)
        except UnknownInstrument:
            continue
    label = {d.key: _entry_label(d) for d in lib}
    rest = [(d.key, label[d.key]) for d in lib if d.key not in plan_keys]
    if not plan_keys:
        return rest
    return [
        (_("This case's measure plan"), [(k, label[k]) for k in plan_keys]),
        (_("Other instruments"), rest),
    ]


def _entry_label(d: Definition) -> str:
    """A superseded version (old paper forms of TAC 1.0) says so."""
    label = f"{d.short_title} — {text_in(d.title, 'en')}"
    if d.superseded_by is not None:
        label += " " + _("(version %(version)s, replaced by %(new)s)") % {
            "version": d.version,
            "new": d.superseded_by,
        }
    return label


class ChooseEntryForm(forms.Form):
    """Which questionnaire, answered by whom, entered how."""

    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"))
    who = forms.ChoiceField(label=gettext_lazy("Who answered"))
    mode = forms.ChoiceField(
        choices=[("", gettext_lazy("Default for this instrument")), *MODES],
        required=False,
        label=gettext_lazy("Enter"),
    )

    def __init__(self, session: Session, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = session.case
        self.members = {m.pk: m for m in case.members.filter(active=True)}
        plan = case.measure_plans.values_list("instrument", flat=True)
        self.fields["instrument"].choices = instrument_choices(plan)  # type: ignore[attr-defined]
        self.fields["who"].choices = who_choices(self.members.values())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "instrument" not in data or "who" not in data:
            return data
        definition = library().get(data["instrument"])
        kind, _sep, ident = data["who"].partition(":")
        if kind == "therapist" and "therapist" not in definition.respondents:
            self.add_error(
                "who",
                _("%(name)s is not a therapist form: choose the member who answered.")
                % {"name": definition.short_title},
            )
        if kind == "member" and definition.respondents == ("therapist",):
            self.add_error(
                "who",
                _("%(name)s is a therapist form: choose “Therapist, rating …”.")
                % {"name": definition.short_title},
            )
        member = None if ident == "family" else self.members.get(int(ident))
        default = "items" if definition.has_text else "totals"
        data.update(
            definition=definition,
            respondent=kind,
            member=member,
            member_id=member.pk if member else None,
            mode=data.get("mode") or default,
        )
        return data


class PaperEntryForm(forms.Form):
    """One field per item, or one per scale total, of one instrument. Values
    stay text here: the scoring engine checks them and names what is wrong."""

    def __init__(
        self,
        definition: Definition,
        mode: str,
        case_kind: str,
        member: Member | None,
        respondent: str,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition, self.mode = definition, mode
        target = "family" if respondent == "therapist" and member is None else "member"
        self.items = [
            item
            for item in definition.items
            if case_kind in item.applies_to and item.target in (None, target)
        ]
        language = member.language if member else "en"
        self.case_kind = case_kind
        if mode == "items":
            for number, item in enumerate(self.items, start=1):
                self.fields[item_field(item.id)] = self._item_field(
                    number, item, language
                )
        else:
            for scale in self.scales():
                self.fields[total_field(scale.id)] = self._total_field(scale, language)
            for number, item in enumerate(self.items, start=1):
                if item.risk is not None:
                    self.fields[item_field(item.id)] = self._risk_field(
                        number, item, language
                    )

    def scales(self) -> list[Scale]:
        ids = {item.id for item in self.items}
        return [s for s in self.definition.scales if ids.intersection(s.items)]

    def _item_field(self, number: int, item: Item, language: str) -> forms.Field:
        if item.text:
            label = f"{number}. {text_in(item.text_for(self.case_kind), language)}"
        else:
            label = f"{number}. {item.content or _('item %(id)s') % {'id': item.id}}"
        # The allowed answers are in the legend above the items.
        return forms.CharField(required=False, label=label, widget=_number_input())

    def _risk_field(self, number: int, item: Item, language: str) -> forms.Field:
        """A risk item is asked even with totals: a total cannot show it."""
        field = self._item_field(number, item, language)
        field.label = _("Risk item %(label)s") % {"label": field.label}
        allowed = " · ".join(f"{value} {label}" for value, label in self.options())
        field.help_text = _(
            "Asked on its own, because a total cannot show it. Answers: %(allowed)s. "
            "Leave it empty if it was not answered: Tether then asks you to follow up in session."
        ) % {"allowed": allowed}
        return field

    def _total_field(self, scale: Scale, language: str) -> forms.Field:
        low, high = self.definition.scale_bounds(scale)
        return forms.CharField(
            required=False,
            label=text_in(scale.label, language),
            help_text=(
                _("Sum of its items, %(low)s–%(high)s.")
                if scale.method == "sum"
                else _("Mean of its items, %(low)s–%(high)s.")
            )
            % {"low": f"{low:g}", "high": f"{high:g}"},
            widget=_number_input(),
        )

    def entered(self) -> dict[str, dict[str, str] | None]:
        """The non-empty values, as the service's `answers` and `totals` (in
        totals mode, the answers are the risk items')."""
        answers = self._given(item_field(""))
        if self.mode == "items":
            return {"answers": answers or None}
        return {"totals": self._given(total_field("")), "answers": answers or None}

    def _given(self, prefix: str) -> dict[str, str]:
        return {
            name.removeprefix(prefix): value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value.strip()
        }

    def options(self) -> list[tuple[str, str]]:
        return [
            (f"{option.value:g}", text_in(option.label, "en"))
            for option in self.definition.options
        ]


def _number_input() -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "decimal", "size": "4", "autocomplete": "off"}
    )


# ---- alerts --------------------------------------------------------------------


class AcknowledgeForm(forms.Form):
    note = TextField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What you did or plan to do. Kept with the alert."),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[
            ("acknowledge", gettext_lazy("Acknowledge")),
            ("resolve", gettext_lazy("Resolve")),
        ],
        initial="acknowledge",
    )
    feedback = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Was this alert useful?"),
        choices=Feedback.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": FEEDBACK_CHOICE},
        help_text=gettext_lazy(
            "Optional: the clinic sees, for each kind of alert, how often it helped."
        ),
    )

    @property
    def resolve(self) -> bool:
        return self.cleaned_data.get("action") == "resolve"


# ---- the caseload --------------------------------------------------------------


SORT_CHOICES = [
    ("attention", gettext_lazy("Needs attention: most urgent first")),
    ("-attention", gettext_lazy("Needs attention: least urgent first")),
    ("case", gettext_lazy("Case: A to Z")),
    ("-case", gettext_lazy("Case: Z to A")),
    ("last-session", gettext_lazy("Last session: longest ago first")),
    ("-last-session", gettext_lazy("Last session: most recent first")),
    ("alliance", gettext_lazy("Alliance: lowest first")),
    ("-alliance", gettext_lazy("Alliance: highest first")),
    ("-pcl5", gettext_lazy("PCL-5: highest first")),
    ("pcl5", gettext_lazy("PCL-5: lowest first")),
    ("clinician", gettext_lazy("Clinician: A to Z")),
    ("-clinician", gettext_lazy("Clinician: Z to A")),
]


class CaseloadForm(forms.Form):
    """The caseload's search, filters and sort, as GET parameters: a value
    that does not fit is named on its field and left out of the query."""

    q = forms.CharField(
        required=False,
        max_length=80,
        label=gettext_lazy("Search by case or member name"),
    )
    kind = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("Any kind")), *CaseKind.choices],
    )
    clinician = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=gettext_lazy("Clinician")
    )
    alert = forms.ChoiceField(required=False, label=gettext_lazy("Open alert"))
    off_track = forms.BooleanField(
        required=False,
        label=gettext_lazy("Not on track"),
        help_text=gettext_lazy(
            "An open alert that a symptom measure is off its expected course "
            "or has gone the wrong way since intake."
        ),
    )
    quiet_weeks = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=104,
        label=gettext_lazy("No session in (weeks)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": "3"}),
    )
    status = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Cases"),
        choices=[
            ("open", gettext_lazy("Open")),
            ("closed", gettext_lazy("Closed")),
            ("all", gettext_lazy("Open and closed")),
        ],
    )
    sort = forms.ChoiceField(
        required=False, label=gettext_lazy("Sort by"), choices=SORT_CHOICES
    )

    def __init__(self, data: Any, user: User) -> None:
        super().__init__(data)
        if not (user.is_supervisor or user.is_org_admin):
            del self.fields["clinician"]
        else:
            field = self.fields["clinician"]
            field.choices = [  # type: ignore[attr-defined]
                ("", gettext_lazy("Any clinician")),
                *((u.pk, u.display) for u in clinicians_of(user)),
            ]
        self.fields["alert"].choices = [  # type: ignore[attr-defined]
            ("", gettext_lazy("Any alert")),
            *sorted(
                ((kind, str(entry["title"])) for kind, entry in catalogue().items()),
                key=lambda choice: choice[1],
            ),
        ]

    def query(self) -> CaseloadQuery:
        """The query the valid fields ask for; a field with an error is left
        at its default."""
        self.is_valid()
        data = self.cleaned_data
        sort = data.get("sort") or "attention"
        return CaseloadQuery(
            search=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            clinician=data.get("clinician"),
            alert=data.get("alert") or "",
            off_track=bool(data.get("off_track")),
            quiet_weeks=data.get("quiet_weeks"),
            status=data.get("status") or "open",
            sort=sort.removeprefix("-"),
            descending=sort.startswith("-"),
        )
