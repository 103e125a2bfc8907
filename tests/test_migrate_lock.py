"""Two deploys at once: the second `balai migrate` refuses instead of racing the first."""

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from balai.management.commands.migrate_villages import MIGRATE_LOCK_ID


@pytest.mark.django_db
def test_a_second_migrate_refuses_while_one_is_running():
    # given another session holds the deploy lock, as a running `balai migrate` does
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_ID])
        # when / then
        with pytest.raises(CommandError, match="another `balai migrate` is running"):
            call_command("migrate_villages", skip_public=True, no_pool=True)
