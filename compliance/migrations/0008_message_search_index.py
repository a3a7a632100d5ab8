"""PostgreSQL: a trigram index on message text for search (see compliance.sessions.services.partitions)."""

from django.db import migrations


def create(apps, schema_editor):
    from compliance.sessions.services.partitions import messages_search_index_ensure

    messages_search_index_ensure(using=schema_editor.connection.alias)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS message_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("compliance", "0007_hit_copies_message_fields")]

    operations = [migrations.RunPython(create, drop)]
