"""How config/settings.py connects to the database (docs/scaling.md)."""

import json

import pytest

from tests.security.conftest import production_env, run_python

_OPTIONS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps(settings.DATABASES["default"].get("OPTIONS", {})))
"""


def options(**env: str | None) -> dict:
    run = run_python(_OPTIONS, production_env(**env))
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_postgresql_binds_parameters_on_the_server_so_statements_are_prepared():
    assert options()["server_side_binding"] is True


@pytest.mark.parametrize("switch", ["false", "0", "off"])
def test_prepared_statements_can_be_switched_off_for_a_pooler(switch):
    assert "server_side_binding" not in options(DB_PREPARED_STATEMENTS=switch)


def test_sqlite_has_no_such_option():
    assert "server_side_binding" not in options(DATABASE_URL="sqlite:///:memory:")
