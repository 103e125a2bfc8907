"""Migration operations for PostgreSQL extensions that a server may not ship.

pg_trgm (trigram indexes for name search) is a contrib extension: Debian's and most
managed PostgreSQL servers have it, the embedded development server (pgserver) does not.
Search works without it (ILIKE), only slower on large registers, so the extension and
the indexes that need it are created when the server can, and skipped when it cannot.
"""

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations


def extension_installed(schema_editor, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [name])
        return cursor.fetchone() is not None


class CreateExtensionIfAvailable(CreateExtension):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [self.name])
            available = cursor.fetchone() is not None
        if available:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Creates extension {self.name} if the server has it"


class AddIndexIfExtension(migrations.AddIndex):
    """AddIndex that builds the index only when ``extension`` is installed."""

    def __init__(self, model_name, index, extension):
        super().__init__(model_name, index)
        self.extension = extension

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        kwargs["extension"] = self.extension
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if extension_installed(schema_editor, self.extension):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if extension_installed(schema_editor, self.extension):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
