"""Roles become a set: one boolean per role instead of the single `role`.

Each user keeps exactly the role they had: a clinician stays a clinician, a
supervisor becomes a supervisor only, an administrator an administrator only
(without clinical access: see accounts/models.py `User`). Going back keeps one
role per person, the highest (administrator, then supervisor, then
clinician)."""

from django.db import migrations, models

ONE_ROLE = {"admin": "is_org_admin", "supervisor": "is_supervisor"}


def roles_from_role(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    # The new fields start as clinician only; the others change that.
    for role, field in ONE_ROLE.items():
        User.objects.filter(role=role).update(**{field: True, "is_clinician": False})


def role_from_roles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.update(role="clinician")
    User.objects.filter(is_supervisor=True).update(role="supervisor")
    User.objects.filter(is_org_admin=True).update(role="admin")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_crisis_region"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_clinician",
            field=models.BooleanField(
                default=True,
                help_text="Sees and changes the cases assigned to them.",
                verbose_name="clinician",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="is_supervisor",
            field=models.BooleanField(
                default=False,
                help_text="Reads every case of the organization; changes none.",
                verbose_name="supervisor",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="is_org_admin",
            field=models.BooleanField(
                default=False,
                help_text="Manages accounts, the clinic's settings and case assignments; no clinical access of its own.",
                verbose_name="administrator",
            ),
        ),
        migrations.RunPython(roles_from_role, role_from_roles),
        migrations.RemoveField(model_name="user", name="role"),
    ]
