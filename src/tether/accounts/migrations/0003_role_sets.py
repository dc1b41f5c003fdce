"""Roles become a set (1 of 3): one boolean per role beside the single `role`.

Schema and data changes are separate migrations: PostgreSQL refuses to alter
a table in the transaction that has just updated its rows (pending trigger
events). 0003b moves each role across, 0003c drops `role`.

Each user keeps exactly the role they had: a clinician stays a clinician, a
supervisor becomes a supervisor only, an administrator an administrator only
(without clinical access: see accounts/models.py `User`). Going back keeps one
role per person, the highest (administrator, then supervisor, then
clinician)."""

from django.db import migrations, models

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
    ]
