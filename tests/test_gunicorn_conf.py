"""config/gunicorn.conf.py beyond the forwarded headers (those: tests/security)."""

import gc
import runpy

from tests.security.conftest import ROOT


def test_its_workers_collect_garbage_every_ten_thousand_objects_not_seven_hundred():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)  # Python's default
        settings = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
        # Set in gunicorn's master process, which forks the workers.
        assert gc.get_threshold() == settings["GC_THRESHOLD"] == (10_000, 10, 10)
    finally:
        gc.set_threshold(*before)
