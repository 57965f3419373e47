"""ICS feeds: a private URL per user that calendar apps poll without a session."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from inspections.models import CalendarToken, Inspection
from tests.factories import UnitFactory
from tests.inspections.factories import page
from units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

SUMMARY = "Kiểm tra CCHC: Ủy ban nhân dân huyện Bình Lục"


@pytest.fixture
def unit_a(db):
    # Unit A here is a real district name, to check the Vietnamese survives the round trip.
    return UnitFactory(kind=Unit.Kind.DISTRICT, name="Ủy ban nhân dân huyện Bình Lục", short_name="Huyện Bình Lục")


def token_of(user) -> str:
    return CalendarToken.objects.get_or_create(user=user)[0].token


def member_feed(token):
    return reverse("inspections:feed_member", args=[token])


def unit_feed(token):
    return reverse("inspections:feed_unit", args=[token])


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_my_calendar_gives_a_member_their_feed_url(client, inspector, inspector_member):
    client.force_login(inspector)
    response = client.get(reverse("inspections:my_calendar"))
    assert response.status_code == 200
    token = CalendarToken.objects.get(user=inspector).token
    html = page(response)
    assert f"http://testserver{member_feed(token)}" in html
    assert unit_feed(token) not in html


def test_my_calendar_gives_a_unit_user_their_units_feed_url(client, user_a):
    client.force_login(user_a)
    html = page(client.get(reverse("inspections:my_calendar")))
    token = CalendarToken.objects.get(user=user_a).token
    assert f"http://testserver{unit_feed(token)}" in html
    assert member_feed(token) not in html


def test_my_calendar_says_when_there_is_nothing_to_follow(client, leader):
    client.force_login(leader)
    html = page(client.get(reverse("inspections:my_calendar")))
    assert "chưa có lịch để theo dõi" in html


def test_the_member_feed_lists_the_members_visits_in_vietnamese_and_local_time(inspector, visit_a, visit_b):
    # A fresh client: the feed works without any session.
    response = Client().get(member_feed(token_of(inspector)))

    [event] = events(response)
    assert str(event["SUMMARY"]) == SUMMARY
    assert str(event["LOCATION"]) == "Hội trường Huyện Bình Lục"
    assert "Hạn gửi báo cáo: 02/08/2022" in str(event["DESCRIPTION"])
    assert "Vũ Đức Minh" in str(event["DESCRIPTION"])
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert (start.date(), start.time(), end.time()) == (
        datetime.date(2022, 8, 9),
        datetime.time(8),
        datetime.time(11, 30),
    )
    assert start.utcoffset() == datetime.timedelta(hours=7)
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20220809T080000" in response.content.decode()
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_cancelled_visit_stays_in_the_feed_marked_cancelled(inspector, visit_a):
    Inspection.objects.filter(pk=visit_a.pk).update(status=Inspection.Status.CANCELLED)
    [event] = events(Client().get(member_feed(token_of(inspector))))
    assert str(event["STATUS"]) == "CANCELLED"


def test_the_unit_feed_lists_only_the_users_units_visit(user_a, visit_a, visit_b):
    [event] = events(Client().get(unit_feed(token_of(user_a))))
    assert str(event["SUMMARY"]) == SUMMARY
    assert str(event["UID"]) == f"inspection-{visit_a.pk}@cchc-inspection"


def test_unit_b_s_feed_has_only_unit_b(user_b, visit_a, visit_b):
    [event] = events(Client().get(unit_feed(token_of(user_b))))
    assert str(event["SUMMARY"]) == "Kiểm tra CCHC: Sở Beta tỉnh Hà Nam"


def test_the_unit_feed_is_404_for_a_user_without_a_unit(inspector, visit_a):
    assert Client().get(unit_feed(token_of(inspector))).status_code == 404


@pytest.mark.parametrize("feed", [member_feed, unit_feed])
def test_a_wrong_token_is_404(feed, user_a, visit_a):
    token_of(user_a)
    assert Client().get(feed("not-a-token")).status_code == 404
    assert Client().get(feed(token_of(user_a)[:-1])).status_code == 404


def test_regenerating_the_token_retires_the_old_url(client, user_a, visit_a):
    old = token_of(user_a)
    client.force_login(user_a)
    response = client.post(reverse("inspections:my_calendar"), follow=True)
    assert response.redirect_chain == [(reverse("inspections:my_calendar"), 302)]
    assert "Đã tạo địa chỉ lịch mới; địa chỉ cũ không còn dùng được." in page(response)
    new = CalendarToken.objects.get(user=user_a).token
    assert new != old
    assert unit_feed(new) in page(response)
    assert Client().get(unit_feed(old)).status_code == 404
    assert len(events(Client().get(unit_feed(new)))) == 1


def test_an_inactive_users_token_is_404(inspector, user_a, visit_a):
    member_token, unit_token = token_of(inspector), token_of(user_a)
    for user in (inspector, user_a):
        user.is_active = False
        user.save(update_fields=["is_active"])
    assert Client().get(member_feed(member_token)).status_code == 404
    assert Client().get(unit_feed(unit_token)).status_code == 404


def test_the_feeds_need_no_session_but_my_calendar_does(inspector, visit_a):
    anonymous = Client()
    assert anonymous.get(member_feed(token_of(inspector))).status_code == 200
    response = anonymous.get(reverse("inspections:my_calendar"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_feed_defines_the_time_zone_it_uses(inspector, visit_a):
    calendar = Calendar.from_ical(Client().get(member_feed(token_of(inspector))).content)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
