"""The plan and schedule pages make as many SQL queries for 30 visits and members as for 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.models import Criterion, Finding
from tests.factories import UnitFactory, UserFactory
from tests.inspections.factories import D, InspectionFactory, PlanFactory, TeamMemberFactory
from units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

PAGES = ["plan_list", "plan_detail", "plan_areas", "team_detail", "schedule", "schedule_calendar"]


def grow(plan, n, *, also_going=None):
    """Add `n` of everything the pages list: units, members, visits (all in August 2022), criteria
    with a finding, and other plans."""
    area = plan.areas.get(number=1)
    for i in range(n):
        unit = UnitFactory(kind=Unit.Kind.DISTRICT)
        plan.directly_inspected_units.add(unit)
        account = TeamMemberFactory(team=plan.team, user=UserFactory(), full_name="")
        outsider = TeamMemberFactory(team=plan.team)
        members = [account, outsider, *([also_going] if also_going else [])]
        visit = InspectionFactory(plan=plan, unit=unit, date=D(2022, 8, 1 + i % 28), members=members)
        criterion = Criterion.objects.create(area=area, order=100 + i, text=f"Tiêu chí bổ sung {i}")
        Finding.objects.create(
            plan=plan,
            unit=unit,
            inspection=visit,
            area=area,
            criterion=criterion,
            kind=Finding.Kind.SHORTCOMING,
            text="Chưa công khai đầy đủ thủ tục hành chính.",
            created_by=account.user,
        )
        PlanFactory()


def page_url(name, plan):
    if name == "plan_list":
        return reverse("inspections:plan_list")
    url = reverse(f"inspections:{name}", args=[plan.pk])
    return url + "?thang=2022-08" if name == "schedule_calendar" else url


def queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in context.captured_queries]


@pytest.mark.parametrize("name", PAGES)
def test_coordinator_pages_make_as_many_queries_for_30_as_for_3(client, coordinator, plan, name):
    client.force_login(coordinator)
    url = page_url(name, plan)
    grow(plan, 3)
    client.get(url)  # session and caches warmed once
    few = queries(client, url)
    grow(plan, 27)
    many = queries(client, url)
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize("name", PAGES)
def test_inspector_pages_make_as_many_queries_for_30_as_for_3(client, inspector, inspector_member, plan, name):
    client.force_login(inspector)
    url = page_url(name, plan)
    grow(plan, 3, also_going=inspector_member)
    client.get(url)
    few = queries(client, url)
    grow(plan, 27, also_going=inspector_member)
    many = queries(client, url)
    assert len(many) == len(few), "\n".join(many)


def test_the_grown_data_is_on_the_pages(client, coordinator, plan):
    # The counts above compare pages that really list the rows.
    client.force_login(coordinator)
    grow(plan, 30)
    assert len(client.get(page_url("schedule", plan)).context["rows"]) == 30
    assert len(client.get(page_url("team_detail", plan)).context["members"]) == 61
    assert client.get(page_url("plan_list", plan)).context["plans"].count() == 31
    weeks = client.get(page_url("schedule_calendar", plan)).context["weeks"]
    assert sum(len(day["inspections"]) for week in weeks for day in week) == 30
