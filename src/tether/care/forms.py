"""Forms for the clinician pages. They parse and check input; the services
decide and save, and their `InvalidEntry.problems` land on the named fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from tether.accounts.models import User
from tether.instruments import Definition, Item, Scale, UnknownInstrument, text_in

from .frames import library
from .models import AgeBand, Case, CaseKind, Member, MemberRole, Session


def add_problems(form: forms.Form, problems: Iterable[str]) -> None:
    """Each "field: reason" problem on its field when the form has one, else
    above the form."""
    for problem in problems:
        name, found, reason = problem.partition(": ")
        if found and name in form.fields and name not in form.errors:
            form.add_error(name, reason)
        else:
            form.add_error(None, problem)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.first_name} ({obj.get_role_display().lower()})"


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
    label = forms.CharField(
        max_length=120,
        help_text="A name for the case, e.g. “Rivera family”. Avoid full names.",
        error_messages={"required": "Give the case a name."},
    )
    kind = forms.ChoiceField(
        choices=CaseKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose individual, couple or family."},
    )
    trauma_focus = forms.CharField(
        max_length=200, required=False, label="Trauma focus (optional)"
    )
    clinicians = ClinicianChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty to assign the case to yourself.",
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinicians"]
        field.queryset = clinicians_of(user)  # type: ignore[attr-defined]
        if not user.is_clinician:  # nobody to fall back on
            field.required = True
            field.help_text = "Who will see and work on the case."
            field.error_messages["required"] = "Choose at least one clinician."


class AssignCliniciansForm(forms.Form):
    clinicians = ClinicianChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one clinician."},
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinicians"].queryset = clinicians_of(user)  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    first_name = forms.CharField(max_length=80, help_text="First name only.")
    role = forms.ChoiceField(choices=MemberRole.choices)
    age_band = forms.ChoiceField(
        choices=AgeBand.choices, initial=AgeBand.ADULT, label="Age band"
    )
    language = forms.ChoiceField(choices=settings.LANGUAGES, initial="en")
    email = forms.EmailField(
        required=False,
        label="Email (optional)",
        help_text="Only for sending questionnaire links.",
    )
    phone = forms.CharField(
        max_length=40,
        required=False,
        label="Phone (optional)",
        help_text="Only for sending questionnaire links.",
    )


class SubsystemForm(forms.Form):
    name = forms.CharField(
        max_length=60, help_text="e.g. caregivers, children, couple."
    )
    members = MemberChoiceField(
        queryset=Member.objects.none(),
        required=False,
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
        label="Who attended",
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = case.members.filter(active=True)  # type: ignore[attr-defined]


class SessionForm(AttendanceForm):
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day of the session.",
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
            raise forms.ValidationError("The session date is in the future.")
        return date


# ---- paper entry ---------------------------------------------------------------

THERAPIST_FAMILY = "therapist:family"
MODES = [("items", "Item by item"), ("totals", "Scale totals")]


def who_choices(members: Iterable[Member]) -> list[tuple[str, Any]]:
    members = list(members)
    answered = [
        (f"member:{m.pk}", f"{m.first_name} ({m.get_role_display().lower()})")
        for m in members
    ]
    rated = [
        (f"therapist:{m.pk}", f"Therapist, rating {m.first_name}") for m in members
    ]
    rated.append((THERAPIST_FAMILY, "Therapist, rating the family"))
    return [("A member answered", answered), ("The therapist rated", rated)]


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
        ("This case's measure plan", [(k, label[k]) for k in plan_keys]),
        ("Other instruments", rest),
    ]


def _entry_label(d: Definition) -> str:
    """A superseded version (old paper forms of TAC 1.0) says so."""
    label = f"{d.short_title} — {text_in(d.title, 'en')}"
    if d.superseded_by is not None:
        label += f" (version {d.version}, replaced by {d.superseded_by})"
    return label


class ChooseEntryForm(forms.Form):
    """Which questionnaire, answered by whom, entered how."""

    instrument = forms.ChoiceField()
    who = forms.ChoiceField(label="Who answered")
    mode = forms.ChoiceField(
        choices=[("", "Default for this instrument"), *MODES],
        required=False,
        label="Enter",
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
        kind, _, ident = data["who"].partition(":")
        if kind == "therapist" and "therapist" not in definition.respondents:
            self.add_error(
                "who",
                f"{definition.short_title} is not a therapist form: choose the member who answered.",
            )
        if kind == "member" and definition.respondents == ("therapist",):
            self.add_error(
                "who",
                f"{definition.short_title} is a therapist form: choose “Therapist, rating …”.",
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
                self.fields[f"item_{item.id}"] = self._item_field(
                    number, item, language
                )
        else:
            for scale in self.scales():
                self.fields[f"total_{scale.id}"] = self._total_field(scale, language)
            for number, item in enumerate(self.items, start=1):
                if item.risk is not None:
                    self.fields[f"item_{item.id}"] = self._risk_field(
                        number, item, language
                    )

    def scales(self) -> list[Scale]:
        ids = {item.id for item in self.items}
        return [s for s in self.definition.scales if ids.intersection(s.items)]

    def _item_field(self, number: int, item: Item, language: str) -> forms.Field:
        if item.text:
            label = f"{number}. {text_in(item.text_for(self.case_kind), language)}"
        else:
            label = f"{number}. {item.content or 'item ' + item.id}"
        # The allowed answers are in the legend above the items.
        return forms.CharField(required=False, label=label, widget=_number_input())

    def _risk_field(self, number: int, item: Item, language: str) -> forms.Field:
        """A risk item is asked even with totals: a total cannot show it."""
        field = self._item_field(number, item, language)
        field.label = f"Risk item {field.label}"
        allowed = " · ".join(f"{value} {label}" for value, label in self.options())
        field.help_text = (
            f"Asked on its own, because a total cannot show it. Answers: {allowed}. "
            "Leave it empty if it was not answered: Tether then asks you to follow up in session."
        )
        return field

    def _total_field(self, scale: Scale, language: str) -> forms.Field:
        low, high = self.definition.scale_bounds(scale)
        return forms.CharField(
            required=False,
            label=text_in(scale.label, language),
            help_text=f"{scale.method.capitalize()} of its items, {low:g}–{high:g}.",
            widget=_number_input(),
        )

    def entered(self) -> dict[str, dict[str, str] | None]:
        """The non-empty values, as the service's `answers` and `totals` (in
        totals mode, the answers are the risk items')."""
        answers = self._given("item_")
        if self.mode == "items":
            return {"answers": answers or None}
        return {"totals": self._given("total_"), "answers": answers or None}

    def _given(self, prefix: str) -> dict[str, str]:
        return {
            name.removeprefix(prefix): value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value.strip()
        }

    def add_problems(self, problems: Iterable[str]) -> None:
        """Service problems ("item 4: …", "total: …") on their fields."""
        for problem in problems:
            name, _, _ = problem.partition(": ")
            field = (
                f"item_{name.removeprefix('item ')}"
                if name.startswith("item ")
                else f"total_{name}"
            )
            if field in self.fields and field not in self.errors:
                self.add_error(field, problem)
            else:
                self.add_error(None, problem)

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
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you did or plan to do. Kept with the alert.",
    )
    action = forms.ChoiceField(
        choices=[("acknowledge", "Acknowledge"), ("resolve", "Resolve")],
        initial="acknowledge",
    )

    @property
    def resolve(self) -> bool:
        return self.cleaned_data.get("action") == "resolve"
