"""The audit trail is the `audit` app's now (its migration 0001); the table
stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0005_recompute_queue_and_risk_result"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
