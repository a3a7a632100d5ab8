"""The knowledge base's substring index: pg_trgm GIN on `KnowledgeEntry.search_text`, PostgreSQL only.

It is kept out of the model's Meta (and so out of the migration state) on purpose: SQLite has no GIN
and no pg_trgm, and the test database is built without migrations. Migration 0003 calls
`create_trigram_index`; on SQLite it does nothing and the search falls back to a plain LIKE scan.
A LIKE '%…%' pattern needs at least three characters to use the index; shorter queries scan.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex

INDEX_NAME = "knowledge_search_trgm"


def trigram_index() -> GinIndex:
    return GinIndex(fields=["search_text"], name=INDEX_NAME, opclasses=["gin_trgm_ops"])


def create_trigram_index(schema_editor, model) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [INDEX_NAME])
        if cursor.fetchone():
            return
    schema_editor.add_index(model, trigram_index())


def drop_trigram_index(schema_editor, model) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
