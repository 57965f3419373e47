"""The inspections fixtures (plan, visits, team) for the report tests too."""

from tests.inspections.conftest import *  # noqa: F403
