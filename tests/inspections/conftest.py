"""The 2022 plan every inspections page test starts from, with its team and two visits."""

import pytest

from inspections import services
from inspections.models import InspectionPlan, TeamMember
from tests.factories import UnitFactory
from tests.inspections.factories import D, schedule_visit
from units.models import Unit

PLAN_TITLE = "Kiểm tra việc thực hiện công tác cải cách hành chính năm 2022 trên địa bàn tỉnh Hà Nam"
LEAD_NAME = "Nguyễn Thị Hồng Hạnh"


@pytest.fixture
def fast_passwords(settings):
    """Personas are made with a password; the production hasher costs ~0.3 s a user, and nobody logs in by it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_root(settings, tmp_path):
    """Notices are written under MEDIA_ROOT: keep them out of the repository."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def home_affairs(db):
    return UnitFactory(kind=Unit.Kind.DEPARTMENT, name="Sở Nội vụ tỉnh Hà Nam", short_name="Sở Nội vụ")


@pytest.fixture
def plan(unit_a, unit_b, home_affairs):
    """The 2022 plan (draft): unit_a and unit_b inspected directly, a team with its lead."""
    plan = services.plan_create(
        plan=InspectionPlan(
            year=2022,
            number="1357",
            issue_date=D(2022, 5, 10),
            title=PLAN_TITLE,
            window_start=D(2022, 7, 1),
            window_end=D(2022, 9, 30),
            remediation_deadline=D(2022, 9, 30),
            self_inspection_deadline=D(2022, 10, 30),
        )
    )
    plan.directly_inspected_units.set([unit_a, unit_b])
    TeamMember.objects.create(
        team=plan.team,
        full_name=LEAD_NAME,
        email="hanh.snv@hanam.gov.vn",
        position="Phó Giám đốc Sở Nội vụ",
        agency=home_affairs,
        role=TeamMember.Role.LEAD,
    )
    return plan


@pytest.fixture
def lead(plan):
    return plan.team.members.get(role=TeamMember.Role.LEAD)


@pytest.fixture
def inspector_member(plan, inspector, home_affairs):
    """The `inspector` persona as a member of the 2022 team."""
    inspector.first_name, inspector.last_name, inspector.email = "Minh", "Vũ Đức", "minh.snv@hanam.gov.vn"
    inspector.save(update_fields=["first_name", "last_name", "email"])
    return TeamMember.objects.create(team=plan.team, user=inspector, position="Chuyên viên", agency=home_affairs)


@pytest.fixture
def visit_a(plan, unit_a, lead, inspector_member):
    """Unit A's visit on Tuesday 09/08/2022, with the lead and the inspector going."""
    return schedule_visit(plan, unit_a, [lead, inspector_member], day=D(2022, 8, 9))


@pytest.fixture
def visit_b(plan, unit_b, lead):
    """Unit B's visit on Wednesday 10/08/2022, with the lead only."""
    return schedule_visit(plan, unit_b, [lead], day=D(2022, 8, 10))
