"""Engine tests need no Django.

Run alone: pytest tests/engine -p no:django --confcutdir=tests/engine
"""


def pytest_addoption(parser):
    # pyproject.toml sets pytest-django's ini key; without the plugin, pytest (with
    # filterwarnings = error) would refuse it as unknown.
    parser.addini("DJANGO_SETTINGS_MODULE", "pytest-django's settings module")
