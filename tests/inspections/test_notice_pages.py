"""Schedule notices: preview the PDF, send it (kept as sent, emailed with a calendar file), download it."""

import io
import unicodedata
from pathlib import Path

import pytest
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from inspections.models import ScheduleNotice
from tests.factories import UserFactory
from tests.inspections.factories import page, schedule_visit, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords", "media_root")]


def url(name, *args):
    return reverse(f"inspections:{name}", args=args)


def pdf_text(data: bytes) -> str:
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def unit_a_emails(user_a, unit_a):
    """Unit A's staff: one with an address, one without, one inactive."""
    user_a.email = "vanphong@alpha.hanam.gov.vn"
    user_a.save(update_fields=["email"])
    UserFactory(username="no_email", unit=unit_a)
    UserFactory(username="gone", unit=unit_a, email="cu@alpha.hanam.gov.vn", is_active=False)
    return ["vanphong@alpha.hanam.gov.vn"]


@pytest.mark.parametrize("persona", ["coordinator", "leader", "inspector", "user_a"])
def test_the_visits_readers_preview_the_notice_as_pdf(client, request, persona, visit_a, unit_a):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url("notice_preview", visit_a.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="thong-bao-lich-kiem-tra-2022-{unit_a.code}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "1. Thời gian: 08h00-11h30, Thứ Ba, ngày 09/08/2022." in text
    assert "Nguyễn Thị Hồng Hạnh" in text


@pytest.mark.parametrize(("persona", "visit"), [("user_b", "visit_a"), ("user_a", "visit_b"), ("inspector", "visit_b")])
def test_others_get_404_for_the_notice_preview(client, request, persona, visit, visit_a, visit_b):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("notice_preview", request.getfixturevalue(visit).pk)).status_code == 404


def test_coordinator_sends_the_notice_to_the_unit_and_the_members_going(
    client, coordinator, visit_a, lead, inspector, unit_a_emails, media_root, mailoutbox
):
    client.force_login(coordinator)
    response = client.post(url("notice_send", visit_a.pk), follow=True)

    assert response.redirect_chain == [(visit_a.get_absolute_url(), 302)]
    assert "Đã gửi thông báo tới 3 địa chỉ thư điện tử." in page(response)
    notice = ScheduleNotice.objects.get(inspection=visit_a)
    recipients = [*unit_a_emails, lead.email, inspector.email]
    assert (notice.kind, notice.sent_by, notice.reschedule) == (ScheduleNotice.Kind.INITIAL, coordinator, None)
    assert notice.recipients.split("\n") == recipients
    stored = Path(notice.pdf.path)
    assert stored.is_relative_to(media_root)
    assert stored.read_bytes().startswith(b"%PDF")

    [mail] = mailoutbox
    assert mail.to == recipients
    assert mail.subject == "Thông báo lịch kiểm tra CCHC năm 2022 - Huyện Alpha"
    assert "Kính gửi: Ủy ban nhân dân huyện Alpha và các thành viên Đoàn Kiểm tra," in mail.body
    assert "- Thời gian: 08:00-11:30 ngày 09/08/2022" in mail.body
    assert "- Hạn gửi báo cáo: 02/08/2022 (8 bộ bản giấy)" in mail.body
    by_type = {mimetype: (name, content) for name, content, mimetype in mail.attachments}
    assert by_type.keys() == {"application/pdf", "text/calendar"}
    name, content = by_type["application/pdf"]
    assert name.endswith(".pdf")
    assert content == stored.read_bytes()
    name, content = by_type["text/calendar"]
    assert name.endswith(".ics")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Kiểm tra CCHC: Ủy ban nhân dân huyện Alpha"
    assert str(event["LOCATION"]) == "Hội trường Huyện Alpha"

    # The visit page lists the notice as sent.
    html = page(response)
    assert "Thông báo lịch kiểm tra" in html
    assert url("notice_download", visit_a.pk, notice.pk) in html


def test_a_notice_without_any_address_is_kept_and_says_so(client, coordinator, plan, unit_b, home_affairs, mailoutbox):
    outsider = plan.team.members.create(full_name="Trần Văn Đức", agency=home_affairs)
    visit = schedule_visit(plan, unit_b, [outsider])
    client.force_login(coordinator)
    response = client.post(url("notice_send", visit.pk), follow=True)
    assert "Đã lập thông báo nhưng chưa gửi được: đơn vị và thành viên đoàn chưa có địa chỉ thư." in page(response)
    assert ScheduleNotice.objects.get(inspection=visit).recipients == ""
    assert mailoutbox == []


@pytest.mark.parametrize("persona", ["leader", "inspector", "user_a"])
def test_readers_cannot_send_a_notice(client, request, persona, plan, visit_a, mailoutbox):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot(plan)
    assert client.post(url("notice_send", visit_a.pk)).status_code == 403
    assert snapshot(plan) == before
    assert mailoutbox == []


@pytest.fixture
def notice(client, coordinator, visit_a):
    client.force_login(coordinator)
    client.post(url("notice_send", visit_a.pk))
    client.logout()  # ends every session of the account: a later force_login needs the fresh row
    coordinator.refresh_from_db()
    return ScheduleNotice.objects.get(inspection=visit_a)


@pytest.mark.parametrize("persona", ["coordinator", "leader", "inspector", "user_a"])
def test_the_stored_notice_is_downloaded_as_sent(client, request, persona, visit_a, unit_a, notice):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url("notice_download", visit_a.pk, notice.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"thong-bao-initial-2022-{unit_a.code}-{notice.pk}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert b"".join(response.streaming_content) == Path(notice.pdf.path).read_bytes()


def test_unit_b_gets_404_for_unit_as_notice(client, user_b, visit_a, visit_b, notice):
    client.force_login(user_b)
    assert client.get(url("notice_download", visit_a.pk, notice.pk)).status_code == 404
    # Nor through its own visit's address.
    assert client.get(url("notice_download", visit_b.pk, notice.pk)).status_code == 404
