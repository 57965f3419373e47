"""The one-stop desk checklist of a district visit: answers per desk, and a "no" made a shortcoming."""

import pytest
from django.urls import reverse

from inspections.models import ChecklistAnswer, Conclusion, Finding
from tests.factories import UnitFactory, user_with_role
from tests.inspections.factories import flashed, page
from units.models import Unit
from units.roles import Role

pytestmark = pytest.mark.usefixtures("fast_passwords")

DESK_REFUSED = "Chỉ kiểm tra Bộ phận Một cửa của huyện được kiểm tra và các xã của huyện."
CONVERTED = "Đã ghi thành tồn tại, hạn chế"


@pytest.fixture
def commune(unit_a):
    return UnitFactory(kind=Unit.Kind.COMMUNE, parent=unit_a, name="Ủy ban nhân dân xã An Lão", short_name="Xã An Lão")


@pytest.fixture
def items(plan):
    return list(plan.checklist_items.all())


def page_url(visit):
    return reverse("inspections:visit_findings", args=[visit.pk])


def checklist_url(visit):
    return reverse("inspections:visit_checklist", args=[visit.pk])


def convert_url(answer):
    return reverse("inspections:checklist_to_shortcoming", args=[answer.pk])


def desk_post(desk, answers: dict):
    """answers: {item: (answer, note)}."""
    data = {"desk_unit": desk.pk}
    for item, (answer, note) in answers.items():
        data[f"answer_{item.pk}"] = answer
        data[f"note_{item.pk}"] = note
    return data


def answers_of(visit):
    return sorted(visit.checklist_answers.values_list("desk_unit_id", "item_id", "answer", "note"))


# --- Answering -------------------------------------------------------------------------------


def test_the_district_desk_is_answered_and_blank_answers_are_skipped(client, inspector, visit_a, unit_a, items):
    client.force_login(inspector)
    data = desk_post(
        unit_a,
        {items[0]: ("yes", ""), items[1]: ("no", "Thiếu 3 thủ tục"), items[2]: ("partly", " "), items[3]: ("", "x")},
    )
    response = client.post(checklist_url(visit_a), data)
    assert response.status_code == 302
    assert answers_of(visit_a) == sorted(
        [
            (unit_a.pk, items[0].pk, "yes", ""),
            (unit_a.pk, items[1].pk, "no", "Thiếu 3 thủ tục"),
            (unit_a.pk, items[2].pk, "partly", ""),
        ]
    )
    assert ChecklistAnswer.objects.get(item=items[1]).answered_by == inspector
    html = page(client.get(page_url(visit_a)))
    assert "Kiểm tra Bộ phận Một cửa" in html and items[0].text in html
    assert "Thiếu 3 thủ tục" in html


def test_a_commune_desk_of_the_district_is_added_and_answered(client, inspector, visit_a, unit_a, commune, items):
    client.force_login(inspector)
    html = page(client.get(page_url(visit_a)))
    assert "Xã An Lão" in html and f'id="mot-cua-{commune.pk}"' not in html  # offered, not yet shown
    assert f'id="mot-cua-{commune.pk}"' in page(client.get(page_url(visit_a) + f"?xa={commune.pk}"))
    response = client.post(checklist_url(visit_a), desk_post(commune, {items[0]: ("no", "Chưa niêm yết")}))
    assert response.status_code == 302
    assert answers_of(visit_a) == [(commune.pk, items[0].pk, "no", "Chưa niêm yết")]
    html = page(client.get(page_url(visit_a)))
    assert html.index(f'id="mot-cua-{unit_a.pk}"') < html.index(f'id="mot-cua-{commune.pk}"')


def test_a_desk_of_another_district_is_refused(client, inspector, visit_a, unit_b, items):
    other_district = UnitFactory(kind=Unit.Kind.DISTRICT)
    other_commune = UnitFactory(kind=Unit.Kind.COMMUNE, parent=other_district)
    client.force_login(inspector)
    for desk in (other_district, other_commune, unit_b):
        response = client.post(checklist_url(visit_a), desk_post(desk, {items[0]: ("yes", "")}))
        assert response.status_code == 400
        assert DESK_REFUSED in page(response)
    assert answers_of(visit_a) == []


def test_an_answer_outside_yes_partly_no_is_refused_and_nothing_is_saved(client, inspector, visit_a, unit_a, items):
    client.force_login(inspector)
    response = client.post(checklist_url(visit_a), desk_post(unit_a, {items[0]: ("yes", ""), items[1]: ("maybe", "")}))
    assert response.status_code == 400
    assert "Kết quả kiểm tra chỉ có thể là Có, Một phần hoặc Không." in page(response)
    assert answers_of(visit_a) == []


def test_posting_again_updates_the_answers_without_duplicates(client, inspector, visit_a, unit_a, items):
    client.force_login(inspector)
    client.post(checklist_url(visit_a), desk_post(unit_a, {items[0]: ("no", "Chưa có"), items[1]: ("yes", "")}))
    client.post(checklist_url(visit_a), desk_post(unit_a, {items[0]: ("partly", "Đã bổ sung một phần")}))
    assert answers_of(visit_a) == sorted(
        [(unit_a.pk, items[0].pk, "partly", "Đã bổ sung một phần"), (unit_a.pk, items[1].pk, "yes", "")]
    )


# --- A "no" becomes a shortcoming ------------------------------------------------------------


def test_a_no_becomes_one_shortcoming_of_area_3_once(client, inspector, visit_a, unit_a, items):
    client.force_login(inspector)
    client.post(checklist_url(visit_a), desk_post(unit_a, {items[1]: ("no", "Thiếu 3 thủ tục")}))
    answer = ChecklistAnswer.objects.get()
    assert f'form="ton-tai-{answer.pk}"' in page(client.get(page_url(visit_a)))
    response = client.post(convert_url(answer))
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.area.number, finding.kind, finding.inspection, finding.checklist_answer) == (
        3,
        "shortcoming",
        visit_a,
        answer,
    )
    assert items[1].text in finding.text
    html = page(client.get(page_url(visit_a)))
    area_3 = html[html.index('id="noi-dung-3"') : html.index('id="noi-dung-4"')]
    assert items[1].text in area_3
    assert CONVERTED in html and f'form="ton-tai-{answer.pk}"' not in html

    response = client.post(convert_url(answer))
    assert "Nội dung này đã được ghi thành tồn tại, hạn chế." in flashed(response)
    assert Finding.objects.count() == 1


def test_a_yes_cannot_be_converted(client, inspector, visit_a, unit_a, items):
    client.force_login(inspector)
    client.post(checklist_url(visit_a), desk_post(unit_a, {items[0]: ("yes", "")}))
    response = client.post(convert_url(ChecklistAnswer.objects.get()))
    assert "Chỉ nội dung trả lời “Không” mới chuyển thành tồn tại, hạn chế." in flashed(response)
    assert Finding.objects.count() == 0


# --- Who, when and where ---------------------------------------------------------------------


def test_only_members_going_may_answer_or_convert(
    client, coordinator, leader, user_a, user_b, inspector, visit_a, unit_a, items
):
    client.force_login(inspector)
    client.post(checklist_url(visit_a), desk_post(unit_a, {items[0]: ("no", "")}))
    answer = ChecklistAnswer.objects.get()
    outsider = user_with_role(Role.INSPECTOR, username="outsider")
    for user, status in {coordinator: 403, leader: 403, user_a: 403, user_b: 404, outsider: 404}.items():
        client.force_login(user)
        assert client.post(checklist_url(visit_a), desk_post(unit_a, {items[0]: ("yes", "")})).status_code == status
        expected_convert = 404 if user == user_a else status  # the unit sees no findings before the conclusion
        assert client.post(convert_url(answer)).status_code == expected_convert
    assert answers_of(visit_a) == [(unit_a.pk, items[0].pk, "no", "")]
    assert Finding.objects.count() == 0


def test_after_the_conclusion_is_issued_the_checklist_is_frozen(client, inspector, coordinator, visit_a, unit_a, items):
    client.force_login(inspector)
    client.post(checklist_url(visit_a), desk_post(unit_a, {items[0]: ("no", "")}))
    answer = ChecklistAnswer.objects.get()
    Conclusion.objects.create(inspection=visit_a, status=Conclusion.Status.ISSUED, updated_by=coordinator)
    response = client.post(checklist_url(visit_a), desk_post(unit_a, {items[0]: ("yes", "")}))
    assert response.status_code == 400
    assert "Kết luận đã ban hành: kết quả kiểm tra không thể thay đổi." in page(response)
    response = client.post(convert_url(answer))
    assert any("Kết luận đã ban hành" in message for message in flashed(response))
    assert answers_of(visit_a) == [(unit_a.pk, items[0].pk, "no", "")]
    assert Finding.objects.count() == 0
    html = page(client.get(page_url(visit_a)))
    assert checklist_url(visit_a) not in html and convert_url(answer) not in html


def test_a_department_visit_has_no_checklist_and_refuses_answers(
    client, inspector, inspector_member, visit_b, unit_b, items
):
    visit_b.members.add(inspector_member)
    client.force_login(inspector)
    html = page(client.get(page_url(visit_b)))
    assert "Kiểm tra Bộ phận Một cửa" not in html and items[0].text not in html
    response = client.post(checklist_url(visit_b), desk_post(unit_b, {items[0]: ("yes", "")}))
    assert response.status_code == 400
    assert DESK_REFUSED in page(response)
    assert ChecklistAnswer.objects.count() == 0
