"""The inspection team: its decision, its members (accounts or outside people), one lead."""

import pytest
from django.urls import reverse

from inspections.models import InspectionTeam, TeamMember
from tests.inspections.conftest import LEAD_NAME
from tests.inspections.factories import D, page, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def url(name, *args):
    return reverse(f"inspections:{name}", args=args)


def member_data(agency, **changes):
    return (
        {"user": "", "full_name": "", "email": "", "position": "Trưởng phòng", "agency": agency.pk}
        | {"role": TeamMember.Role.MEMBER}
        | changes
    )


@pytest.fixture
def outsider(plan, unit_b):
    """A member from outside the system, on no visit."""
    return TeamMember.objects.create(team=plan.team, full_name="Trần Văn Đức", position="Trưởng phòng", agency=unit_b)


def test_team_detail_lists_the_members_lead_first(client, coordinator, plan, lead, inspector_member, visit_a):
    secretary = TeamMember.objects.create(
        team=plan.team, full_name="Lê Thu Trang", agency=lead.agency, role=TeamMember.Role.SECRETARY
    )
    deputy = TeamMember.objects.create(
        team=plan.team, full_name="Phạm Quốc Huy", agency=lead.agency, role=TeamMember.Role.DEPUTY
    )
    client.force_login(coordinator)
    response = client.get(url("team_detail", plan.pk))
    assert response.status_code == 200
    assert response.context["members"] == [lead, deputy, inspector_member, secretary]
    assert [m.visit_count for m in response.context["members"]] == [1, 0, 1, 0]
    html = page(response)
    assert "Đoàn Kiểm tra CCHC năm 2022" in html
    assert LEAD_NAME in html and "Vũ Đức Minh" in html
    assert "Đoàn phải có đúng một Trưởng đoàn." not in html
    assert url("member_create", plan.pk) in html


def test_team_without_a_lead_is_flagged(client, leader, plan, lead):
    lead.delete()
    client.force_login(leader)
    html = page(client.get(url("team_detail", plan.pk)))
    assert "Đoàn phải có đúng một Trưởng đoàn." in html
    assert url("member_create", plan.pk) not in html


def test_coordinator_records_the_teams_decision(client, coordinator, plan):
    client.force_login(coordinator)
    response = client.post(
        url("team_edit", plan.pk),
        {"decision_number": "1580/QĐ-UBND", "decision_date": "01/06/2022", "note": "Kèm danh sách thành viên"},
        follow=True,
    )
    assert response.redirect_chain == [(url("team_detail", plan.pk), 302)]
    assert "Đã lưu quyết định thành lập đoàn." in page(response)
    assert "Quyết định số 1580/QĐ-UBND ngày 01/06/2022" in page(response)
    team = InspectionTeam.objects.get(plan=plan)
    assert (team.decision_number, team.decision_date) == ("1580/QĐ-UBND", D(2022, 6, 1))


def test_team_decision_with_a_bad_date_changes_nothing(client, coordinator, plan):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(
        url("team_edit", plan.pk), {"decision_number": "1580/QĐ-UBND", "decision_date": "31/06/2022"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["decision_date"] == ["Nhập một ngày hợp lệ."]
    assert snapshot(plan) == before


def test_coordinator_adds_an_account_as_member(client, coordinator, plan, inspector, home_affairs):
    client.force_login(coordinator)
    response = client.post(url("member_create", plan.pk), member_data(home_affairs, user=inspector.pk), follow=True)
    assert response.redirect_chain == [(url("team_detail", plan.pk), 302)]
    assert "Đã thêm thành viên đoàn." in page(response)
    member = plan.team.members.get(user=inspector)
    assert (member.role, member.agency, member.full_name) == (TeamMember.Role.MEMBER, home_affairs, "")
    assert inspector.get_full_name() in page(response)


def test_coordinator_adds_an_outside_person_by_full_name(client, coordinator, plan, unit_b):
    client.force_login(coordinator)
    response = client.post(
        url("member_create", plan.pk),
        member_data(unit_b, full_name="Trần Văn Đức", email="duc@hanam.gov.vn"),
        follow=True,
    )
    assert "Đã thêm thành viên đoàn." in page(response)
    member = plan.team.members.get(full_name="Trần Văn Đức")
    assert member.user is None
    assert member.contact_email == "duc@hanam.gov.vn"
    assert "ngoài hệ thống" in page(response)


def test_a_member_with_neither_account_nor_name_is_refused(client, coordinator, plan, unit_b):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("member_create", plan.pk), member_data(unit_b, full_name="   "))
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"] == ["Nhập họ tên, hoặc chọn một tài khoản."]
    assert "Nhập họ tên, hoặc chọn một tài khoản." in page(response)
    assert snapshot(plan) == before


def test_only_inspectors_and_coordinators_are_offered_as_accounts(client, coordinator, plan, inspector, leader, user_a):
    client.force_login(coordinator)
    offered = set(client.get(url("member_create", plan.pk)).context["form"].fields["user"].queryset)
    assert offered == {coordinator, inspector}


def test_a_second_lead_is_refused(client, coordinator, plan, unit_b):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(
        url("member_create", plan.pk), member_data(unit_b, full_name="Trần Văn Đức", role=TeamMember.Role.LEAD)
    )
    assert response.status_code == 200
    message = f"Đoàn đã có Trưởng đoàn ({LEAD_NAME}). Đổi vai trò của người đó trước."
    assert response.context["form"].errors["role"] == [message]
    assert message in page(response)
    assert snapshot(plan) == before


def test_making_another_member_lead_is_refused_while_the_team_has_one(client, coordinator, plan, outsider):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(
        url("member_edit", outsider.pk),
        member_data(outsider.agency, full_name=outsider.full_name, role=TeamMember.Role.LEAD),
    )
    assert response.status_code == 200
    assert f"Đoàn đã có Trưởng đoàn ({LEAD_NAME})." in page(response)
    assert snapshot(plan) == before


def test_the_lead_can_be_edited_and_stay_lead(client, coordinator, plan, lead):
    client.force_login(coordinator)
    response = client.post(
        url("member_edit", lead.pk),
        member_data(lead.agency, full_name=LEAD_NAME, position="Giám đốc Sở Nội vụ", role=TeamMember.Role.LEAD),
        follow=True,
    )
    assert "Đã lưu thành viên đoàn." in page(response)
    lead.refresh_from_db()
    assert (lead.position, lead.role) == ("Giám đốc Sở Nội vụ", TeamMember.Role.LEAD)


def test_adding_the_same_account_twice_is_refused_with_a_message(client, coordinator, plan, inspector_member):
    # `team` is not a form field, so ModelForm skips the user_once_per_team constraint: the form checks it.
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(
        url("member_create", plan.pk), member_data(inspector_member.agency, user=inspector_member.user_id)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["user"] == ["Tài khoản này đã là thành viên của đoàn."]
    assert "Tài khoản này đã là thành viên của đoàn." in page(response)
    assert snapshot(plan) == before


def test_a_member_on_no_visit_is_deleted(client, coordinator, plan, outsider):
    client.force_login(coordinator)
    response = client.post(url("member_delete", outsider.pk), follow=True)
    assert response.redirect_chain == [(url("team_detail", plan.pk), 302)]
    assert "Đã xóa thành viên khỏi đoàn." in page(response)
    assert not TeamMember.objects.filter(pk=outsider.pk).exists()


def test_a_member_on_a_visit_cannot_be_deleted(client, coordinator, plan, inspector_member, visit_a):
    client.force_login(coordinator)
    before = snapshot(plan)
    response = client.post(url("member_delete", inspector_member.pk), follow=True)
    assert response.redirect_chain == [(url("team_detail", plan.pk), 302)]
    assert "Vũ Đức Minh đã được phân công đi kiểm tra: hãy bỏ khỏi các buổi kiểm tra trước." in page(response)
    assert snapshot(plan) == before


def test_leader_reads_the_team_but_cannot_change_it(client, leader, plan, outsider, unit_b):
    client.force_login(leader)
    before = snapshot(plan)
    assert client.get(url("team_detail", plan.pk)).status_code == 200
    assert client.post(url("team_edit", plan.pk), {"decision_number": "1"}).status_code == 403
    assert client.post(url("member_create", plan.pk), member_data(unit_b, full_name="Ai đó")).status_code == 403
    assert client.post(url("member_edit", outsider.pk), member_data(unit_b, full_name="Ai đó")).status_code == 403
    assert client.post(url("member_delete", outsider.pk)).status_code == 403
    assert snapshot(plan) == before


def test_unit_user_gets_404_for_the_team(client, user_a, plan, outsider):
    client.force_login(user_a)
    assert client.get(url("team_detail", plan.pk)).status_code == 404
    assert client.get(url("member_edit", outsider.pk)).status_code == 404
    assert client.post(url("member_delete", outsider.pk)).status_code == 404
    assert TeamMember.objects.filter(pk=outsider.pk).exists()
