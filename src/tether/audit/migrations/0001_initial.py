"""The audit trail moves from the care app into its own: the table and its
rows stay where they are (`care_auditevent`); only Django's record of which app
owns the model changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("care", "0005_recompute_queue_and_risk_result"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("action", models.CharField(max_length=40)),
                        ("object_type", models.CharField(max_length=40)),
                        ("object_id", models.CharField(blank=True, max_length=40)),
                        ("at", models.DateTimeField(auto_now_add=True)),
                        ("detail", models.JSONField(blank=True, default=dict)),
                        ("organization", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, to="accounts.organization")),
                        ("user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "care_auditevent",
                        "indexes": [models.Index(fields=["organization", "at"], name="care_audite_organiz_ac0abb_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
