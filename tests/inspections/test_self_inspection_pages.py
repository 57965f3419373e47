"""Self-inspection of units not inspected directly, the district 40% rule, the coordinators' tables."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from inspections.models import Finding, InspectionPlan, SelfInspectedUnit, Submission
from tests.factories import UnitFactory, user_with_role
from tests.inspections.factories import D, page
from tests.inspections.test_portal_pages import pdf_bytes
from units.models import Unit
from units.roles import Role


@pytest.fixture
def active_plan(plan, media_root):
    plan.status = InspectionPlan.Status.ACTIVE
    plan.save()
    return plan


@pytest.fixture
def district(db):
    """A self-inspecting district with 3 divisions and 2 communes (5 units below it)."""
    district = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Lý Nhân", short_name="Huyện Lý Nhân")
    for name in ["Phòng Nội vụ", "Phòng Tư pháp", "Phòng Y tế"]:
        UnitFactory(kind=Unit.Kind.DIVISION, parent=district, short_name=name, name=f"{name} huyện Lý Nhân")
    for name in ["Xã Nhân Thịnh", "Xã Hợp Lý"]:
        UnitFactory(kind=Unit.Kind.COMMUNE, parent=district, short_name=name, name=f"Ủy ban nhân dân {name}")
    return district


@pytest.fixture
def district_user(district):
    return user_with_role(Role.UNIT_STAFF, unit=district)


def si_url(plan, unit, name="self_inspection"):
    return reverse(f"inspections:{name}", args=[plan.pk, unit.pk])


def add_inspected(client, plan, district, unit, day="15/08/2022"):
    return client.post(si_url(plan, district, "self_inspection_unit_add"), {"unit": unit.pk, "inspected_on": day})


def test_district_records_inspected_units_and_sees_coverage_against_the_minimum(
    client, active_plan, district, district_user
):
    client.force_login(district_user)
    children = list(district.children.all())
    add_inspected(client, active_plan, district, children[0])
    html = page(client.get(si_url(active_plan, district)))
    assert "Đã kiểm tra 1/5 cơ quan, đơn vị trực thuộc (20%); tối thiểu 40%." in html
    assert "Chưa đạt tỷ lệ tối thiểu." in html
    add_inspected(client, active_plan, district, children[3])  # a commune counts too
    html = page(client.get(si_url(active_plan, district)))
    assert "Đã kiểm tra 2/5 cơ quan, đơn vị trực thuộc (40%); tối thiểu 40%." in html
    assert "Chưa đạt tỷ lệ tối thiểu." not in html


def test_inspected_unit_refusals(client, active_plan, district, district_user, unit_b):
    client.force_login(district_user)
    child = district.children.first()
    add_inspected(client, active_plan, district, child)
    response = add_inspected(client, active_plan, district, child)  # twice
    assert response.status_code == 400
    response = add_inspected(client, active_plan, district, unit_b)  # not below the district
    assert response.status_code == 400
    response = add_inspected(client, active_plan, district, district.children.last(), day="15/08/2021")
    assert "Ngày kiểm tra phải trong năm 2022." in page(response)
    assert SelfInspectedUnit.objects.count() == 1


def test_self_inspection_findings_use_the_finding_model(client, active_plan, district, district_user):
    client.force_login(district_user)
    area = active_plan.areas.get(number=3)
    criterion = area.criteria.first()
    response = client.post(
        si_url(active_plan, district, "self_inspection_finding_add"),
        {"area": area.pk, "criterion": criterion.pk, "kind": "shortcoming", "text": "Chưa niêm yết TTHC đầy đủ."},
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.unit, finding.plan, finding.inspection, finding.kind) == (
        district,
        active_plan,
        None,
        "shortcoming",
    )
    assert "Chưa niêm yết TTHC đầy đủ." in page(client.get(si_url(active_plan, district)))
    other_area = active_plan.areas.get(number=1)
    response = client.post(
        si_url(active_plan, district, "self_inspection_finding_add"),
        {"area": other_area.pk, "criterion": criterion.pk, "kind": "strength", "text": "X"},
    )
    assert "Tiêu chí này không thuộc nội dung đã chọn." in page(response)
    assert Finding.objects.count() == 1


def test_results_report_before_the_deadline_and_a_late_one_flagged(client, active_plan, district, district_user):
    client.force_login(district_user)
    url = si_url(active_plan, district, "self_inspection_upload")
    with freeze_time("2022-10-29 16:00:00+07:00"):
        client.post(url, {"kind": "si_report", "files": [SimpleUploadedFile("ket-qua.pdf", pdf_bytes())]})
    with freeze_time("2022-11-02 08:00:00+07:00"):
        client.post(url, {"kind": "si_report", "files": [SimpleUploadedFile("ket-qua-2.pdf", pdf_bytes())]})
    first, second = Submission.objects.order_by("uploaded_at")
    assert (first.due_date, first.is_late, second.is_late) == (D(2022, 10, 30), False, True)
    html = page(client.get(si_url(active_plan, district)))
    assert "Đúng hạn (hạn 30/10/2022)" in html and "Muộn 2 ngày 8 giờ (hạn 30/10/2022)" in html


def test_a_district_user_reads_but_cannot_change_a_communes_self_inspection(
    client, active_plan, district, district_user
):
    commune = district.children.filter(kind=Unit.Kind.COMMUNE).first()
    commune_user = user_with_role(Role.UNIT_STAFF, unit=commune)
    client.force_login(commune_user)
    client.post(
        si_url(active_plan, commune, "self_inspection_upload"),
        {"kind": "si_plan", "files": [SimpleUploadedFile("ke-hoach.pdf", pdf_bytes())]},
    )
    file_url = reverse("inspections:submission_download", args=[Submission.objects.get().pk])
    client.force_login(district_user)
    assert client.get(si_url(active_plan, commune)).status_code == 200
    assert client.get(file_url).status_code == 200
    response = client.post(
        si_url(active_plan, commune, "self_inspection_upload"),
        {"kind": "si_plan", "files": [SimpleUploadedFile("x.pdf", pdf_bytes())]},
    )
    assert response.status_code == 403
    assert Submission.objects.count() == 1
    # ... and the commune cannot read the district's.
    client.force_login(commune_user)
    assert client.get(si_url(active_plan, district)).status_code == 404


def test_another_units_user_gets_404(client, active_plan, district, user_a, user_b):
    client.force_login(user_b)
    assert client.get(si_url(active_plan, district)).status_code == 404
    assert add_inspected(client, active_plan, district, district.children.first()).status_code == 404
    assert SelfInspectedUnit.objects.count() == 0


def test_coordinators_see_every_districts_coverage_in_one_table(
    client, coordinator, active_plan, district, district_user, unit_a
):
    client.force_login(district_user)
    for child in list(district.children.all())[:2]:
        add_inspected(client, active_plan, district, child)
    client.force_login(coordinator)
    response = client.get(reverse("inspections:plan_coverage", args=[active_plan.pk]))
    rows = {
        c.district.short_name: (c.inspected, c.total, c.percent, c.below_minimum) for c in response.context["coverages"]
    }
    assert rows["Huyện Lý Nhân"] == (2, 5, 40, False)
    assert rows[unit_a.short_name][0] == 0


def test_overview_has_one_row_per_unit_with_report_status(client, coordinator, active_plan, visit_a, district):
    client.force_login(coordinator)
    with freeze_time("2022-11-01 08:00:00+07:00"):
        response = client.get(reverse("inspections:plan_overview", args=[active_plan.pk]))
    rows = {row["unit"].pk: row for row in response.context["rows"]}
    assert rows[visit_a.unit_id]["direct"] and rows[visit_a.unit_id]["report"] is None
    assert not rows[district.pk]["direct"]
    html = page(response)
    assert "Chưa gửi (quá hạn)" in html


def test_overview_shows_50_units_a_page_each_with_its_own_figures(client, coordinator, active_plan, district):
    for _ in range(60):
        UnitFactory(kind=Unit.Kind.DEPARTMENT)
    last = UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Zeta", short_name="Huyện Zeta")
    SelfInspectedUnit.objects.create(
        self_inspection=active_plan.self_inspections.create(unit=last),
        unit=UnitFactory(kind=Unit.Kind.COMMUNE, parent=last),
        inspected_on=D(2022, 8, 15),
        recorded_by=coordinator,
    )
    Finding.objects.create(
        plan=active_plan,
        unit=last,
        area=active_plan.areas.first(),
        kind="shortcoming",
        text="x",
        created_by=coordinator,
    )
    client.force_login(coordinator)
    url = reverse("inspections:plan_overview", args=[active_plan.pk])
    first = client.get(url)
    total = first.context["page"].paginator.count
    assert len(first.context["rows"]) == 50 and total >= 62
    assert "?page=2" in page(first)
    pages = [first] + [client.get(url, {"page": n}) for n in range(2, first.context["page"].paginator.num_pages + 1)]
    rows = [row for response in pages for row in response.context["rows"]]
    assert len(rows) == total and len({row["unit"].pk for row in rows}) == total
    zeta = next(row for row in rows if row["unit"] == last)
    assert zeta["si_findings"] == 1
    assert (zeta["coverage"].inspected, zeta["coverage"].total) == (1, 1)


@pytest.mark.parametrize("name", ["plan_coverage", "plan_overview"])
def test_coordinators_tables_refuse_unit_users(client, active_plan, user_a, name):
    client.force_login(user_a)
    assert client.get(reverse(f"inspections:{name}", args=[active_plan.pk])).status_code == 404


@pytest.mark.parametrize("name", ["plan_coverage", "plan_overview"])
def test_coordinators_tables_keep_their_query_count(client, coordinator, active_plan, name):
    client.force_login(coordinator)
    url = reverse(f"inspections:{name}", args=[active_plan.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        d = UnitFactory(kind=Unit.Kind.DISTRICT)
        UnitFactory.create_batch(3, kind=Unit.Kind.COMMUNE, parent=d)
    small = count()
    for _ in range(20):
        d = UnitFactory(kind=Unit.Kind.DISTRICT)
        UnitFactory.create_batch(3, kind=Unit.Kind.COMMUNE, parent=d)
        UnitFactory(kind=Unit.Kind.DEPARTMENT)
    assert count() == small
