"""On PostgreSQL the database itself refuses to change an issued statement: once `issued_at` is set, its
figures, evidence and documents are frozen and the row cannot be deleted; only its status and who
confirmed it may move (issued → confirmed, disputed or superseded). Disputes are never deleted."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION clients_statement_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.issued_at IS NOT NULL THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'statement % is issued and cannot be deleted', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.scenario, NEW.result, NEW.evidence, NEW.total, NEW.pdf, NEW.pdf_sha256, NEW.xlsx, NEW.xlsx_sha256,
        NEW.issued_at, NEW.issued_by_id, NEW.contract_id, NEW.merchant_id, NEW.month, NEW.version, NEW.number,
        NEW.previous_id, NEW.computed_at)
       IS DISTINCT FROM
       (OLD.scenario, OLD.result, OLD.evidence, OLD.total, OLD.pdf, OLD.pdf_sha256, OLD.xlsx, OLD.xlsx_sha256,
        OLD.issued_at, OLD.issued_by_id, OLD.contract_id, OLD.merchant_id, OLD.month, OLD.version, OLD.number,
        OLD.previous_id, OLD.computed_at) THEN
      RAISE EXCEPTION 'statement % is issued: its figures and documents cannot change', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER clients_statement_frozen BEFORE UPDATE OR DELETE ON clients_statement
  FOR EACH ROW EXECUTE FUNCTION clients_statement_frozen();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS clients_statement_frozen ON clients_statement;
DROP FUNCTION IF EXISTS clients_statement_frozen();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no params: the '%' of RAISE stays as written
            cursor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_statements_and_billing_terms")]
    operations = [migrations.RunPython(forward, backward)]
