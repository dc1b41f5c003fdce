"""Mounted at /accounts/."""

from django.urls import path

from . import token_views, views

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("enrolment-code/", views.enrolment_code, name="enrolment-code"),
    path("setup-2fa/", views.setup_2fa, name="setup-2fa"),
    path("verify/", views.verify, name="otp-verify"),
    path("password-reset/", views.PasswordReset.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDone.as_view(),
        name="password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetComplete.as_view(),
        name="password-reset-complete",
    ),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:user_id>/", views.user_detail, name="user-detail"),
    path("users/<int:user_id>/role/", views.user_role, name="user-role"),
    path(
        "users/<int:user_id>/reset-2fa/",
        views.user_reset_2fa,
        name="user-reset-2fa",
    ),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user-unlock"),
    path("users/<int:user_id>/active/", views.user_active, name="user-active"),
    path("tokens/", token_views.api_tokens, name="api-tokens"),
    path(
        "tokens/<int:token_id>/revoke/",
        token_views.api_token_revoke,
        name="api-token-revoke",
    ),
]
