"""Forms for signing in, the second factor and the administrator's user pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy

from .models import Role, User

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


class UserCreateForm(forms.ModelForm):  # type: ignore[type-arg]
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
        fields = ["username", "first_name", "last_name", "email", "role"]

    def clean(self) -> dict[str, object]:
        cleaned: dict[str, object] = super().clean() or {}
        if cleaned.get("password_choice") == "email" and not cleaned.get("email"):
            self.add_error(
                "email", gettext_lazy("An email address is needed to send the link.")
            )
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
