"""The audit trail becomes a hash chain per organization (1 of 3): the chain
fields, the case each event concerns, the address and browser of its request,
and the chain heads. 0003 fills them for the events already written; 0004 makes
every event belong to a chain. Three migrations, as PostgreSQL will not alter
a table in the transaction that has just updated its rows."""

import django.db.models.deletion
import django.db.models.functions.comparison
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_measure_plan_reviewed'),
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='case_id',
            field=models.BigIntegerField(help_text='The case the event concerns, if any.', null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='ip_address',
            field=models.GenericIPAddressField(null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='previous_event_id',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='previous_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='sequence',
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='user_agent',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name='AuditChain',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveBigIntegerField(default=0, help_text='The sequence of the newest chained event.')),
                ('head_event_id', models.BigIntegerField(null=True)),
                ('head_hash', models.CharField(blank=True, max_length=64)),
                ('pruned_through', models.PositiveBigIntegerField(default=0, help_text='The sequence of the last event pruned, 0 for none.')),
                ('pruned_event_id', models.BigIntegerField(null=True)),
                ('pruned_hash', models.CharField(blank=True, max_length=64)),
                ('organization', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organization')),
            ],
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='audit.auditchain'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['organization', 'case_id'], name='audit_event_case'),
        ),
        migrations.AddConstraint(
            model_name='auditchain',
            constraint=models.UniqueConstraint(django.db.models.functions.comparison.Coalesce('organization', 0), name='one_audit_chain_per_organization'),
        ),
    ]
