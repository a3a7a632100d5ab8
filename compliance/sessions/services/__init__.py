"""Writes of the sessions: the import (`importing`, with its PostgreSQL fast path `csv_sql`), scanning stored
messages (`scanning`), and the demand history handed to staffing (`demand`)."""
