"""Roles become a set (2 of 3): each user keeps exactly the role they had
(see 0003_role_sets); going back keeps the highest one."""

from django.db import migrations

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
        ("accounts", "0003_role_sets"),
    ]

    operations = [
        migrations.RunPython(roles_from_role, role_from_roles),
    ]
