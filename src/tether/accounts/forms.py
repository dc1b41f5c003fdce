"""Forms for signing in, the second factor and the administrator's user pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, CrisisRegion, Organization, Role, User

WRONG_PASSWORD = gettext_lazy(
    "That username and password did not match. Check them and try again."
)


class SignInForm(AuthenticationForm):
    """Django's form, so the password goes through `authenticate(request, …)`
    and django-axes sees every attempt."""

    error_messages = {
        "invalid_login": WRONG_PASSWORD,
        "inactive": gettext_lazy(
            "This account is switched off. Ask your clinic's administrator."
        ),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update(autocomplete="username")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 12}
        ),
    )

    def clean_code(self) -> str:
        # People copy codes with spaces or dashes ("123 456", "abcd-efgh").
        code: str = self.cleaned_data["code"]
        return "".join(code.split()).replace("-", "").lower()


class EnrolmentCodeForm(forms.Form):
    """The enrolment code an administrator handed over (16 letters and
    digits); the service reads it whatever the case, spaces or dashes."""

    code = forms.CharField(
        label=gettext_lazy("Enrolment code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "size": 22}
        ),
        help_text=gettext_lazy(
            "16 letters and digits, as your administrator gave them to you."
        ),
    )


ROLE_CHOICES = [
    (Role.CLINICIAN, _("Clinician: sees and works on the cases assigned to them")),
    (Role.SUPERVISOR, _("Supervisor: reads every case of the clinic, changes none")),
    (
        Role.ADMIN,
        _(
            "Administrator: manages accounts, clinic settings and which clinicians "
            "a case has; sees no clinical data unless also a clinician or supervisor"
        ),
    ),
]


def roles_field(**kwargs: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Roles"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
        **kwargs,
    )


class UserCreateForm(forms.ModelForm):  # type: ignore[type-arg]
    roles = roles_field(initial=[Role.CLINICIAN])
    password_choice = forms.ChoiceField(
        label=gettext_lazy("First password"),
        choices=[
            ("email", gettext_lazy("Email them a link to choose their own password")),
            ("temporary", gettext_lazy("Show me a temporary password to pass on")),
        ],
        initial="email",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def clean(self) -> dict[str, object]:
        cleaned: dict[str, object] = super().clean() or {}
        if cleaned.get("password_choice") == "email" and not cleaned.get("email"):
            self.add_error(
                "email", gettext_lazy("An email address is needed to send the link.")
            )
        return cleaned

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.roles = self.cleaned_data["roles"]
        if commit:
            user.save()
        return user


class RolesForm(forms.Form):
    roles = roles_field()


class ClinicSettingsForm(forms.Form):
    crisis_region = forms.ChoiceField(
        label=_("Country of the national crisis lines"),
        choices=CrisisRegion.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A member who answers a risk question sees this country's crisis "
            "lines at once, in their own language."
        ),
    )
    crisis_contacts = forms.CharField(
        label=_("The clinic's own contacts"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown after the national lines, exactly as written here (it is not "
            "translated): for example the clinic's phone number and hours, or an "
            "on-call number."
        ),
    )
    plan_reviewed = forms.BooleanField(
        label=_("We have reviewed the default measure plan and it suits the clinic"),
        required=False,
    )

    @staticmethod
    def initial_for(organization: Organization) -> dict[str, object]:
        return {
            "crisis_region": organization.crisis_region,
            "crisis_contacts": organization.crisis_contacts,
            "plan_reviewed": organization.measure_plan_reviewed_at is not None,
        }


def lifetime_words(days: int) -> str:
    """A token's lifetime as people say it: "7 days", "1 year"."""
    if days == 365:
        return gettext("1 year")
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


class ApiTokenForm(forms.Form):
    """A new personal API token: a name, what it may do, how long it works.
    The service checks the same again and its problems land on these fields
    (`put_problems`)."""

    name = forms.CharField(
        label=_("Name"),
        # No max_length here: a browser would cut a pasted name silently; the
        # service refuses a long one with a message instead.
        strip=True,
        error_messages={"required": services.NAME_NEEDED},
        help_text=_("What or who will use it, e.g. “Clinic reports script”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 40}),
    )
    scope = forms.ChoiceField(
        label=_("What it may do"),
        choices=[
            (ApiToken.Scope.READ, _("Read only: see what you can see")),
            (
                ApiToken.Scope.READ_WRITE,
                _("Read and write: also change what you can change, e.g. send answers"),
            ),
        ],
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={
            "required": services.SCOPE_UNKNOWN,
            "invalid_choice": services.SCOPE_UNKNOWN,
        },
    )
    days = forms.TypedChoiceField(
        label=_("Works for"),
        choices=[(d, d) for d in services.API_TOKEN_DAYS],  # words: __init__
        coerce=int,
        initial=90,
        help_text=_("After that it stops working; make a new one then."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = ", ".join(str(d) for d in services.API_TOKEN_DAYS)
        unknown = str(services.DAYS_UNKNOWN) % {"days": offered}
        days: forms.TypedChoiceField = self.fields["days"]  # type: ignore[assignment]
        days.choices = [(d, lifetime_words(d)) for d in services.API_TOKEN_DAYS]
        days.error_messages |= {
            "required": unknown,
            "invalid_choice": unknown,
        }

    def put_problems(self, problems: dict[str, str]) -> None:
        """The service's problems, each on the field it names."""
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
