"""Permission-checked reads of accounts: an administrator reaches the users of
their own organization only."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from tether.audit.services import record

from .models import User


def users_for(admin: User) -> QuerySet[User]:
    """The administrator's organization's users, each with `has_2fa`."""
    authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return User.objects.filter(organization_id=admin.organization_id).annotate(
        has_2fa=Exists(authenticator)
    )


def get_user_for(admin: User, user_id: int) -> User:
    """A user of the administrator's organization; 404 for anyone else's."""
    user = users_for(admin).filter(pk=user_id).first()
    if user is None:
        record(admin, "denied", "user", user_id)
        raise Http404("No such user.")
    return user
