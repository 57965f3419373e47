"""Plans: copy to next year, status changes, the 2022 fixture."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError

from inspections import services
from inspections.models import Criterion, Inspection, InspectionPlan, TeamMember, shift_year
from units.models import Unit
from units.services import units_load_fixture

D = datetime.date


@pytest.fixture
def plan_2022(db):
    units_load_fixture()
    plan = services.plan_load_fixture()
    return plan


def snapshot(plan):
    plan.refresh_from_db()
    return (
        [getattr(plan, f.attname) for f in plan._meta.concrete_fields if f.name != "updated_at"],
        list(Criterion.objects.filter(area__plan=plan).values_list("pk", "text", "is_active", "order")),
        list(plan.inspections.values_list("pk", "unit_id", "date", "start_time")),
        sorted(plan.directly_inspected_units.values_list("code", flat=True)),
        list(plan.team.members.values_list("pk", "role")),
    )


def test_the_2022_fixture_has_the_seeds_values(plan_2022):
    plan = plan_2022
    assert (plan.year, plan.number_symbol, plan.issue_date) == (2022, "/KH-UBND", None)
    assert (plan.window_start, plan.window_end) == (D(2022, 7, 1), D(2022, 9, 30))
    assert (plan.report_lead_days, plan.paper_copies_required, plan.district_min_ratio) == (7, 8, 40)
    assert (plan.remediation_deadline, plan.self_inspection_deadline) == (D(2022, 9, 30), D(2022, 10, 30))
    assert [a.title for a in plan.areas.all()][2] == (
        "Công tác cải cách thủ tục hành chính; thực hiện cơ chế một cửa, một cửa liên thông"
    )
    assert plan.areas.count() == 7
    assert all(area.criteria.count() >= 8 for area in plan.areas.all())
    direct = set(plan.directly_inspected_units.values_list("short_name", flat=True))
    assert direct == {
        "Sở Tài chính",
        "Sở Giáo dục và Đào tạo",
        "Sở Công Thương",
        "Sở Khoa học và Công nghệ",
        "Sở Kế hoạch và Đầu tư",
        "Ban Quản lý các KCN",
        "Sở Thông tin và Truyền thông",
        "Huyện Bình Lục",
        "Thành phố Phủ Lý",
    }


def test_the_2022_fixture_has_nine_visits_in_q3_and_the_team_of_seed_v2(plan_2022):
    visits = plan_2022.inspections.all()
    assert visits.count() == 9
    assert all(D(2022, 7, 1) <= v.date <= D(2022, 9, 30) for v in visits)
    assert all(v.date.weekday() < 5 for v in visits)
    team = plan_2022.team
    assert team.members.filter(role=TeamMember.Role.LEAD).count() == 1
    agencies = set(team.members.values_list("agency__code", flat=True))
    assert agencies == {"SNV", "VPUBND", "STP", "STC", "STTTT", "SKHCN"}
    assert all(m.is_demo for m in team.members.all())


def test_the_fixture_loads_once(plan_2022):
    assert services.plan_load_fixture() is None
    assert InspectionPlan.objects.count() == 1
    assert Inspection.objects.count() == 9


def test_self_inspecting_units_are_derived(plan_2022):
    self_inspecting = set(plan_2022.self_inspecting_units().values_list("code", flat=True))
    direct = set(plan_2022.directly_inspected_units.values_list("code", flat=True))
    every = set(Unit.objects.filter(kind__in=["department", "district"]).values_list("code", flat=True))
    assert self_inspecting == every - direct
    assert len(self_inspecting) == 18 + 6 - 9


def test_copy_to_next_year_moves_every_date_and_copies_areas_but_no_schedule(plan_2022):
    before = snapshot(plan_2022)

    new = services.plan_copy_to_next_year(plan=plan_2022)

    assert (new.year, new.status, new.copied_from) == (2023, InspectionPlan.Status.DRAFT, plan_2022)
    assert (new.window_start, new.window_end) == (D(2023, 7, 1), D(2023, 9, 30))
    assert (new.remediation_deadline, new.self_inspection_deadline) == (D(2023, 9, 30), D(2023, 10, 30))
    assert (new.report_lead_days, new.paper_copies_required, new.district_min_ratio) == (7, 8, 40)
    assert "2023" in new.title and "2022" not in new.title
    assert [a.title for a in new.areas.all()] == [a.title for a in plan_2022.areas.all()]
    old_criteria = list(Criterion.objects.filter(area__plan=plan_2022).values_list("text", "order", "is_active"))
    assert list(Criterion.objects.filter(area__plan=new).values_list("text", "order", "is_active")) == old_criteria
    assert new.inspections.count() == 0
    assert new.directly_inspected_units.count() == 0
    assert new.team.members.count() == 0
    assert snapshot(plan_2022) == before


def test_copy_keeps_a_retired_criterion_retired(plan_2022):
    criterion = Criterion.objects.filter(area__plan=plan_2022).first()
    criterion.is_active = False
    criterion.save()
    new = services.plan_copy_to_next_year(plan=plan_2022)
    assert Criterion.objects.get(area__plan=new, text=criterion.text).is_active is False


def test_copy_is_refused_when_the_next_year_exists(plan_2022):
    services.plan_copy_to_next_year(plan=plan_2022)
    with pytest.raises(ValidationError, match="Đã có kế hoạch năm 2023"):
        services.plan_copy_to_next_year(plan=plan_2022)
    assert InspectionPlan.objects.count() == 2


def test_shift_year_handles_29_february():
    assert shift_year(D(2024, 2, 29)) == D(2025, 2, 28)
    assert shift_year(D(2022, 9, 30)) == D(2023, 9, 30)
    assert shift_year(None) is None


def test_status_goes_draft_active_closed_only(plan_2022):
    new = services.plan_copy_to_next_year(plan=plan_2022)
    with pytest.raises(ValidationError, match="đúng một Trưởng đoàn"):
        services.plan_set_status(plan=new, status=InspectionPlan.Status.ACTIVE)
    TeamMember.objects.create(team=new.team, full_name="Vũ Đức Minh", agency=Unit.objects.get(code="SNV"), role="lead")
    with pytest.raises(ValidationError, match="Không thể chuyển"):
        services.plan_set_status(plan=new, status=InspectionPlan.Status.CLOSED)
    services.plan_set_status(plan=new, status=InspectionPlan.Status.ACTIVE)
    services.plan_set_status(plan=new, status=InspectionPlan.Status.CLOSED)
    assert new.is_read_only
    with pytest.raises(ValidationError):
        services.plan_set_status(plan=new, status=InspectionPlan.Status.ACTIVE)
    new.refresh_from_db()
    assert new.status == InspectionPlan.Status.CLOSED


def test_with_the_demo_accounts_the_fixture_has_findings_and_an_issued_conclusion(db, settings):
    from django.core.management import call_command

    from inspections.models import Conclusion, Finding, RemediationAction

    settings.DEBUG = True
    units_load_fixture()
    call_command("demo_accounts", stdout=io.StringIO())
    plan = services.plan_load_fixture()
    assert Finding.objects.filter(plan=plan).count() == 7
    conclusion = Conclusion.objects.get(inspection__unit__code="STC")
    assert conclusion.is_issued and conclusion.revisions.count() == 1
    assert Conclusion.objects.filter(status="issued").count() == 2
    statuses = list(RemediationAction.objects.filter(conclusion=conclusion).values_list("status", flat=True))
    assert statuses == ["verified", "returned", "reported"]
    assert RemediationAction.objects.filter(conclusion__inspection__unit__code="SGDDT", status="open").count() == 1
    assert plan.inspections.filter(status="done").count() == 2
    assert plan.team.lead.user.username == "truongdoan"
