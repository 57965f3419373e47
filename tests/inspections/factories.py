"""Bulk data and small helpers for the inspections page tests."""

import datetime

import factory
from django.contrib.messages import get_messages

from inspections import services
from inspections.models import (
    ContentArea,
    Criterion,
    Inspection,
    InspectionPlan,
    InspectionTeam,
    Reschedule,
    ScheduleNotice,
    TeamMember,
)
from tests.factories import UnitFactory
from units.models import Unit

D = datetime.date
T = datetime.time


class PlanFactory(factory.django.DjangoModelFactory):
    """A bare plan (no areas, no team): for lists of many plans. Use services.plan_create for a real one."""

    class Meta:
        model = InspectionPlan

    year = factory.Sequence(lambda n: 2030 + n)
    title = factory.LazyAttribute(lambda o: f"Kế hoạch kiểm tra công tác CCHC năm {o.year}")
    window_start = factory.LazyAttribute(lambda o: D(o.year, 7, 1))
    window_end = factory.LazyAttribute(lambda o: D(o.year, 9, 30))
    remediation_deadline = factory.LazyAttribute(lambda o: D(o.year, 9, 30))
    self_inspection_deadline = factory.LazyAttribute(lambda o: D(o.year, 10, 30))


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    full_name = factory.Sequence(lambda n: f"Trần Thị Thử {n}")
    position = "Chuyên viên"
    agency = factory.SubFactory(UnitFactory, kind=Unit.Kind.DEPARTMENT)
    role = TeamMember.Role.MEMBER


class InspectionFactory(factory.django.DjangoModelFactory):
    """A visit written straight to the table (no scheduling rules): for bulk data only."""

    class Meta:
        model = Inspection
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.DISTRICT)
    date = D(2022, 8, 9)
    start_time = T(8)
    end_time = T(11, 30)
    place = factory.LazyAttribute(lambda o: f"Hội trường {o.unit.short_name}")
    scheduled_on = D(2022, 6, 20)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


TUESDAY = D(2022, 8, 9)
MORNING = (T(8), T(11, 30))


def schedule_visit(plan, unit, members, day=TUESDAY, start=MORNING[0], end=MORNING[1], place=None):
    """A visit through the scheduling service, as if scheduled on 20/06/2022 (so no late-report warning)."""
    return services.inspection_schedule(
        plan=plan,
        unit=unit,
        date=day,
        start_time=start,
        end_time=end,
        place=place or f"Hội trường {unit.short_name}",
        members=members,
        scheduled_on=D(2022, 6, 20),
    )


def page(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    """The messages of the request that made `response` (before any redirect is followed)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def snapshot(plan) -> dict:
    """What a refused request must leave exactly as it was."""
    plan.refresh_from_db()
    return {
        "plan": (plan.status, plan.title, plan.number, plan.window_start, plan.window_end, plan.year),
        "plans": InspectionPlan.objects.count(),
        "direct_units": sorted(plan.directly_inspected_units.values_list("pk", flat=True)),
        "areas": ContentArea.objects.count(),
        "criteria": sorted(Criterion.objects.values_list("pk", "text", "order", "is_active")),
        "team": list(InspectionTeam.objects.values_list("pk", "decision_number", "decision_date", "note")),
        "members": sorted(TeamMember.objects.values_list("pk", "full_name", "role", "user_id")),
        "visits": sorted(
            Inspection.objects.values_list(
                "pk", "unit_id", "date", "start_time", "end_time", "place", "status", "warnings_acknowledged_at"
            )
        ),
        "visit_members": sorted(Inspection.members.through.objects.values_list("inspection_id", "teammember_id")),
        "reschedules": Reschedule.objects.count(),
        "notices": ScheduleNotice.objects.count(),
    }
