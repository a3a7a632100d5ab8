"""PostgreSQL: the message table becomes partitioned by month (see compliance.sessions.services.partitions).

Every row, id, index and reference is kept; nothing happens on SQLite. Going back leaves the table
partitioned (every query works the same on it)."""

from django.db import migrations


def partition(apps, schema_editor):
    from compliance.sessions.services.partitions import messages_table_partition

    messages_table_partition(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("compliance", "0005_messages_partitioned_by_month"),
        ("quality", "0004_message_refs_kept_by_the_app"),
    ]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
