"""Who may read and change what, URL by URL, persona by persona; and posts that try to change more."""

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse

from inspections import services
from inspections.models import Criterion, Inspection, InspectionPlan, ScheduleNotice, TeamMember
from tests.inspections.factories import D, T, page, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords", "media_root")]

GET_POST = ("GET", "POST")
POST = ("POST",)

# Pages that only read: (url name, what the URL points at).
READS = [
    ("plan_detail", "plan"),
    ("plan_units", "plan"),
    ("plan_areas", "plan"),
    ("team_detail", "plan"),
    ("schedule", "plan"),
    ("schedule_calendar", "plan"),
    ("inspection_detail", "visit"),
    ("notice_preview", "visit"),
    ("notice_download", "notice"),
]
# URLs that change something: (url name, what the URL points at, the methods it answers).
WRITES = [
    ("plan_create", "nothing", GET_POST),
    ("plan_edit", "plan", GET_POST),
    ("plan_status", "plan", POST),
    ("plan_copy", "plan", POST),
    ("plan_units", "plan", POST),
    ("team_edit", "plan", GET_POST),
    ("member_create", "plan", GET_POST),
    ("inspection_create", "plan", GET_POST),
    ("criterion_create", "area", GET_POST),
    ("criterion_edit", "criterion", GET_POST),
    ("criterion_retire", "criterion", POST),
    ("criterion_delete", "criterion", POST),
    ("member_edit", "member", GET_POST),
    ("member_delete", "member", POST),
    ("inspection_edit", "visit", GET_POST),
    ("inspection_reschedule", "visit", GET_POST),
    ("inspection_acknowledge", "visit", POST),
    ("notice_send", "visit", POST),
]
# Tested on their own: the list of plans, the user's calendar page, the token feeds.
OTHERS = {"plan_list", "my_calendar", "feed_member", "feed_unit"}

POST_ONLY = [w for w in WRITES if w[2] == POST and w[0] not in {name for name, _t in READS}]
VISIT_WRITES = [(name, methods) for name, target, methods in WRITES if target == "visit"]
PLAN_WRITES = [(name, target, methods) for name, target, methods in WRITES if target not in ("visit", "nothing")]
PLAN_READS = [name for name, target in READS if target == "plan"]
VISIT_READS = [(name, target) for name, target in READS if target in ("visit", "notice")]

# What a hostile post carries: enough to change the plan, the team or a visit if it were accepted.
PAYLOAD = {
    "year": "2030",
    "title": "Đã bị sửa",
    "status": "closed",
    "window_start": "01/07/2022",
    "window_end": "30/09/2022",
    "remediation_deadline": "30/09/2022",
    "self_inspection_deadline": "30/10/2022",
    "text": "Tiêu chí lạ",
    "order": "1",
    "full_name": "Người lạ",
    "decision_number": "99/QĐ",
    "place": "Nơi khác",
    "date": "16/08/2022",
    "start_time": "08:00",
    "end_time": "11:30",
    "reason": "Không rõ",
    "send_notice": "on",
    "next": "/",
}


def stored_notice(visit, user) -> ScheduleNotice:
    notice = ScheduleNotice(inspection=visit, kind=ScheduleNotice.Kind.INITIAL, sent_by=user)
    notice.pdf.save("thong-bao.pdf", ContentFile(b"%PDF-1.4 thu nghiem"), save=False)
    notice.save()
    return notice


@pytest.fixture
def world(plan, coordinator, visit_a, visit_b, home_affairs):
    """The 2022 plan with unit A's visit (the inspector goes) and unit B's (they don't), a notice for each."""
    spare = TeamMember.objects.create(team=plan.team, full_name="Trần Văn Đức", agency=home_affairs)
    area = plan.areas.get(number=1)
    return SimpleNamespace(
        plan=plan,
        area=area,
        criterion=area.criteria.first(),
        member=spare,
        visits={"a": visit_a, "b": visit_b},
        notices={"a": stored_notice(visit_a, coordinator), "b": stored_notice(visit_b, coordinator)},
    )


def target_url(world, name, target, visit="a") -> str:
    args = {
        "nothing": [],
        "plan": [world.plan.pk],
        "area": [world.area.pk],
        "criterion": [world.criterion.pk],
        "member": [world.member.pk],
        "visit": [world.visits[visit].pk],
        "notice": [world.visits[visit].pk, world.notices[visit].pk],
    }[target]
    return reverse(f"inspections:{name}", args=args)


def statuses(client, url, methods) -> dict[str, int]:
    return {
        method: (client.get(url) if method == "GET" else client.post(url, PAYLOAD)).status_code for method in methods
    }


def test_every_url_of_the_plan_and_schedule_views_is_in_the_tables():
    # The portal views (inspections.views_portal: reports, self-inspection) have tests of their own.
    [inspections] = [e for e in get_resolver().url_patterns if getattr(e, "namespace", None) == "inspections"]
    names = {p.name for p in inspections.url_patterns if p.callback.__module__ == "inspections.views"}
    assert names == {name for name, _t in READS} | {name for name, _t, _m in WRITES} | OTHERS


@pytest.mark.parametrize(("name", "target", "methods"), POST_ONLY)
@pytest.mark.parametrize("persona", ["coordinator", "leader", "inspector", "user_a"])
def test_a_get_to_a_post_only_url_is_405(client, request, world, persona, name, target, methods):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot(world.plan)
    assert client.get(target_url(world, name, target)).status_code == 405
    assert snapshot(world.plan) == before


# --- Coordinator ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "target"), READS)
@pytest.mark.parametrize("visit", ["a", "b"])
def test_coordinator_reads_every_page(client, coordinator, world, name, target, visit):
    client.force_login(coordinator)
    assert client.get(target_url(world, name, target, visit)).status_code == 200


@pytest.mark.parametrize(("name", "target", "methods"), WRITES)
def test_coordinator_may_use_every_write_url(client, coordinator, world, name, target, methods):
    client.force_login(coordinator)
    result = statuses(client, target_url(world, name, target), methods)
    if "GET" in methods:
        assert result["GET"] == 200
    assert result["POST"] in (200, 302)


def test_coordinator_sees_every_visit_in_the_schedule(client, coordinator, world):
    client.force_login(coordinator)
    rows = client.get(target_url(world, "schedule", "plan")).context["rows"]
    assert [visit for visit, _w in rows] == [world.visits["a"], world.visits["b"]]


# --- Leader: reads everything, changes nothing ------------------------------------------------


@pytest.mark.parametrize(("name", "target"), READS)
@pytest.mark.parametrize("visit", ["a", "b"])
def test_leader_reads_every_page(client, leader, world, name, target, visit):
    client.force_login(leader)
    assert client.get(target_url(world, name, target, visit)).status_code == 200


@pytest.mark.parametrize(("name", "target", "methods"), WRITES)
def test_leader_gets_403_on_every_write_url(client, leader, world, name, target, methods, mailoutbox):
    client.force_login(leader)
    before = snapshot(world.plan)
    assert statuses(client, target_url(world, name, target), methods) == dict.fromkeys(methods, 403)
    assert snapshot(world.plan) == before
    assert mailoutbox == []


def test_leader_sees_every_visit_without_buttons(client, leader, world):
    client.force_login(leader)
    rows = client.get(target_url(world, "schedule", "plan")).context["rows"]
    assert [visit for visit, _w in rows] == [world.visits["a"], world.visits["b"]]
    html = page(client.get(target_url(world, "inspection_detail", "visit")))
    assert target_url(world, "inspection_edit", "visit") not in html
    assert target_url(world, "notice_send", "visit") not in html


# --- Inspector: reads the plan, sees only the visits they go on --------------------------------


@pytest.mark.parametrize("name", PLAN_READS)
def test_inspector_reads_the_plan_pages(client, inspector, world, name):
    client.force_login(inspector)
    assert client.get(target_url(world, name, "plan")).status_code == 200


def test_inspector_sees_in_the_schedule_only_the_visits_they_go_on(client, inspector, world):
    client.force_login(inspector)
    plan = world.plan
    rows = client.get(target_url(world, "schedule", "plan")).context["rows"]
    assert [visit for visit, _w in rows] == [world.visits["a"]]
    month = client.get(target_url(world, "schedule_calendar", "plan"), {"thang": "2022-08"})
    shown = [v for week in month.context["weeks"] for day in week for v in day["inspections"]]
    assert shown == [world.visits["a"]]
    assert "Sở Beta" not in page(month)
    assert client.get(target_url(world, "plan_detail", "plan")).context["visit_total"] == 1
    assert plan.inspections.count() == 2


@pytest.mark.parametrize(("name", "target"), VISIT_READS)
def test_inspector_reads_their_visit_and_gets_404_for_another(client, inspector, world, name, target):
    client.force_login(inspector)
    assert client.get(target_url(world, name, target, "a")).status_code == 200
    assert client.get(target_url(world, name, target, "b")).status_code == 404


@pytest.mark.parametrize(("name", "target", "methods"), PLAN_WRITES + [("plan_create", "nothing", GET_POST)])
def test_inspector_gets_403_on_plan_write_urls(client, inspector, world, name, target, methods):
    client.force_login(inspector)
    before = snapshot(world.plan)
    assert statuses(client, target_url(world, name, target), methods) == dict.fromkeys(methods, 403)
    assert snapshot(world.plan) == before


@pytest.mark.parametrize(("name", "methods"), VISIT_WRITES)
def test_inspector_gets_403_on_their_visit_and_404_on_another(client, inspector, world, name, methods, mailoutbox):
    client.force_login(inspector)
    before = snapshot(world.plan)
    assert statuses(client, target_url(world, name, "visit", "a"), methods) == dict.fromkeys(methods, 403)
    assert statuses(client, target_url(world, name, "visit", "b"), methods) == dict.fromkeys(methods, 404)
    assert snapshot(world.plan) == before
    assert mailoutbox == []


# --- Unit users: their own unit's visit, nothing of the plan ----------------------------------

UNIT_PERSONAS = [("user_a", "a", "b"), ("user_b", "b", "a")]


@pytest.mark.parametrize(("persona", "own", "other"), UNIT_PERSONAS)
def test_unit_user_gets_404_on_every_plan_page(client, request, world, persona, own, other):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot(world.plan)
    for name in PLAN_READS:
        assert client.get(target_url(world, name, "plan")).status_code == 404, name
    for name, target, methods in PLAN_WRITES:
        assert statuses(client, target_url(world, name, target), methods) == dict.fromkeys(methods, 404), name
    assert snapshot(world.plan) == before


@pytest.mark.parametrize(("persona", "own", "other"), UNIT_PERSONAS)
def test_unit_user_sees_no_plan_and_cannot_create_one(client, request, world, persona, own, other):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("inspections:plan_list"))
    assert response.status_code == 200
    assert list(response.context["plans"]) == []
    assert world.plan.title not in page(response)
    assert statuses(client, reverse("inspections:plan_create"), GET_POST) == {"GET": 403, "POST": 403}
    assert InspectionPlan.objects.count() == 1


@pytest.mark.parametrize(("persona", "own", "other"), UNIT_PERSONAS)
@pytest.mark.parametrize(("name", "target"), VISIT_READS)
def test_unit_user_sees_own_units_visit_and_gets_404_for_the_other(
    client, request, world, persona, own, other, name, target
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(target_url(world, name, target, own)).status_code == 200
    response = client.get(target_url(world, name, target, other))
    assert response.status_code == 404
    assert world.visits[other].unit.short_name not in page(response)


@pytest.mark.parametrize(("persona", "own", "other"), UNIT_PERSONAS)
@pytest.mark.parametrize(("name", "methods"), VISIT_WRITES)
def test_unit_user_gets_403_on_own_visit_and_404_on_the_other(
    client, request, world, persona, own, other, name, methods, mailoutbox
):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot(world.plan)
    assert statuses(client, target_url(world, name, "visit", own), methods) == dict.fromkeys(methods, 403)
    assert statuses(client, target_url(world, name, "visit", other), methods) == dict.fromkeys(methods, 404)
    assert snapshot(world.plan) == before
    assert mailoutbox == []


def test_unit_users_visit_page_has_no_plan_links(client, user_a, world):
    client.force_login(user_a)
    html = page(client.get(target_url(world, "inspection_detail", "visit", "a")))
    assert "Huyện Alpha" in html
    assert target_url(world, "plan_detail", "plan") not in html
    assert target_url(world, "notice_preview", "visit", "a") in html


# --- Tampering: fields the form does not offer are not changed ---------------------------------


@pytest.fixture
def plan_2021(db):
    return services.plan_create(
        plan=InspectionPlan(
            year=2021,
            title="Kế hoạch kiểm tra CCHC năm 2021",
            window_start=D(2021, 7, 1),
            window_end=D(2021, 9, 30),
            remediation_deadline=D(2021, 9, 30),
            self_inspection_deadline=D(2021, 10, 30),
        )
    )


def test_inspection_edit_ignores_plan_unit_date_and_times(client, coordinator, world, plan_2021, unit_b, lead):
    visit = world.visits["a"]
    client.force_login(coordinator)
    response = client.post(
        reverse("inspections:inspection_edit", args=[visit.pk]),
        {
            "place": "Phòng họp số 2",
            "members": [lead.pk],
            "status": "done",
            "plan": plan_2021.pk,
            "unit": unit_b.pk,
            "date": "20/09/2022",
            "start_time": "13:00",
            "end_time": "17:00",
            "scheduled_on": "01/01/2022",
            "warnings_acknowledged_at": "01/01/2022 08:00",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.plan, visit.unit, visit.date) == (world.plan, world.visits["a"].unit, D(2022, 8, 9))
    assert (visit.start_time, visit.end_time) == (T(8), T(11, 30))
    assert (visit.scheduled_on, visit.warnings_acknowledged_at) == (D(2022, 6, 20), None)
    # What the form offers did change.
    assert (visit.place, visit.status, list(visit.members.all())) == ("Phòng họp số 2", "done", [lead])


def test_inspection_edit_ignores_members_of_another_plans_team(client, coordinator, world, plan_2021, home_affairs):
    stranger = TeamMember.objects.create(team=plan_2021.team, full_name="Người đoàn khác", agency=home_affairs)
    visit = world.visits["a"]
    client.force_login(coordinator)
    before = snapshot(world.plan)
    response = client.post(
        reverse("inspections:inspection_edit", args=[visit.pk]),
        {"place": visit.place, "members": [stranger.pk], "status": "scheduled"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["members"]
    assert snapshot(world.plan) == before


def test_plan_edit_ignores_status_and_year(client, coordinator, world, plan_2021):
    plan = world.plan
    client.force_login(coordinator)
    data = PAYLOAD | {
        "title": "Tên mới của kế hoạch 2022",
        "number": plan.number,
        "symbol": plan.symbol,
        "issuing_body": plan.issuing_body,
        "place": plan.place,
        "report_lead_days": "7",
        "paper_copies_required": "8",
        "min_remediation_days": "7",
        "district_min_ratio": "40",
        "status": "closed",
        "year": "2030",
        "copied_from": plan_2021.pk,
    }
    response = client.post(reverse("inspections:plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Tên mới của kế hoạch 2022"
    assert (plan.status, plan.year, plan.copied_from) == (InspectionPlan.Status.DRAFT, 2022, None)


def test_inspection_create_ignores_plan_and_status(client, coordinator, world, plan_2021, unit_a, unit_b, lead):
    Inspection.objects.filter(pk=world.visits["b"].pk).delete()
    client.force_login(coordinator)
    response = client.post(
        reverse("inspections:inspection_create", args=[world.plan.pk]),
        {
            "unit": unit_b.pk,
            "date": "17/08/2022",
            "start_time": "08:00",
            "end_time": "11:30",
            "place": "Hội trường Sở Beta",
            "members": [lead.pk],
            "plan": plan_2021.pk,
            "status": "done",
            "warnings_acknowledged_at": "01/01/2022 08:00",
        },
    )
    assert response.status_code == 302
    visit = Inspection.objects.get(unit=unit_b)
    assert (visit.plan, visit.status, visit.warnings_acknowledged_at) == (world.plan, "scheduled", None)
    assert not plan_2021.inspections.exists()


def test_member_and_criterion_stay_where_the_url_puts_them(client, coordinator, world, plan_2021, home_affairs):
    client.force_login(coordinator)
    client.post(
        reverse("inspections:member_create", args=[world.plan.pk]),
        {"full_name": "Lê Văn An", "agency": home_affairs.pk, "role": "member", "team": plan_2021.team.pk},
    )
    assert world.plan.team.members.filter(full_name="Lê Văn An").exists()
    assert not plan_2021.team.members.exists()

    other_area = plan_2021.areas.get(number=2)
    client.post(
        reverse("inspections:criterion_create", args=[world.area.pk]),
        {"text": "Tiêu chí thêm", "order": "20", "area": other_area.pk, "is_active": ""},
    )
    added = Criterion.objects.get(text="Tiêu chí thêm")
    assert (added.area, added.is_active) == (world.area, True)
