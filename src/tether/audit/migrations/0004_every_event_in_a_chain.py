"""The audit trail becomes a hash chain per organization (3 of 3): every event
belongs to a chain (0003 chained those written before), and no two events take
the same place in one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_measure_plan_reviewed'),
        ('audit', '0003_chain_existing_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='chain',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='audit.auditchain'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('chain', 'sequence'), name='one_event_per_place_in_its_chain'),
        ),
    ]
