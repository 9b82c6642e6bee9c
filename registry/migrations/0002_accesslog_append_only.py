"""On PostgreSQL, refuse UPDATE and DELETE on the access log at the database.

The ORM already refuses (AccessLog.save/delete, its queryset); this trigger
also stops raw SQL, a shell, or a compromised process from rewriting who read
what. (SQLite, the demo database, has the ORM guard only.)

TRUNCATE is not trapped here: Django's test runner empties tables with it, and
in production the application's database role should not hold the TRUNCATE
privilege on this table (README, "Operating").
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION registry_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'registry_accesslog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER registry_accesslog_no_update_delete
    BEFORE UPDATE OR DELETE ON registry_accesslog
    FOR EACH ROW EXECUTE FUNCTION registry_accesslog_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS registry_accesslog_no_update_delete ON registry_accesslog;
DROP FUNCTION IF EXISTS registry_accesslog_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
