"""Roles become a set (3 of 3): the single `role` goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003b_role_sets_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="role"),
    ]
