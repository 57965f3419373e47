"""The unit portal: self-reports with versions and lateness, appendix figures, paper copies, access."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time
from pypdf import PdfWriter

from inspections import services
from inspections.models import AppendixValue, InspectionPlan, PaperCopyReceipt, Submission
from tests.factories import user_with_role
from tests.inspections.factories import D, T, page
from units.roles import Role


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name="Báo cáo CCHC.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else pdf_bytes())


def reports_url(visit):
    return reverse("inspections:inspection_reports", args=[visit.pk])


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


# --- Uploading reports -----------------------------------------------------------------------


@freeze_time("2022-07-20 10:00:00+07:00")
def test_unit_user_uploads_a_report_on_time_and_sees_it(client, user_a, visit_a):
    client.force_login(user_a)
    response = client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.unit, submission.inspection, submission.kind) == (visit_a.unit, visit_a, "report")
    assert submission.original_name == "Báo cáo CCHC.pdf"
    assert "Báo cáo CCHC" not in submission.file.name  # the stored name is the app's own
    assert submission.due_date == D(2022, 8, 2)
    assert not submission.is_late
    html = page(client.get(reports_url(visit_a)))
    assert "Báo cáo CCHC.pdf" in html
    assert "Đúng hạn (hạn 02/08/2022)" in html


def test_a_late_report_is_accepted_and_says_how_late(client, user_a, visit_a):
    client.force_login(user_a)
    with freeze_time("2022-08-04 09:30:00+07:00"):  # due at the end of 02/08/2022, Asia/Ho_Chi_Minh
        client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]})
    submission = Submission.objects.get()
    assert submission.lateness == datetime.timedelta(days=1, hours=9, minutes=30)
    assert "Muộn 1 ngày 9 giờ (hạn 02/08/2022)" in page(client.get(reports_url(visit_a)))


@pytest.mark.parametrize(
    ("moment", "late"), [("2022-08-02 23:59:00+07:00", False), ("2022-08-03 00:01:00+07:00", True)]
)
def test_the_deadline_is_the_end_of_the_due_day_in_vietnam(client, user_a, visit_a, moment, late):
    client.force_login(user_a)
    with freeze_time(moment):
        client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]})
    assert Submission.objects.get().is_late is late


def test_every_upload_is_a_new_version_and_nothing_is_overwritten(client, user_a, visit_a):
    client.force_login(user_a)
    with freeze_time("2022-07-20 10:00:00+07:00"):
        client.post(reports_url(visit_a), {"kind": "report", "files": [upload("v1.pdf")]})
    with freeze_time("2022-07-25 10:00:00+07:00"):
        client.post(reports_url(visit_a), {"kind": "report", "files": [upload("v2.pdf")]})
    first, second = Submission.objects.order_by("uploaded_at")
    assert first.file.name != second.file.name
    assert first.file.storage.exists(first.file.name) and second.file.storage.exists(second.file.name)
    html = page(client.get(reports_url(visit_a)))
    assert "v1.pdf" in html and "v2.pdf" in html and "mới nhất" in html


def test_timeliness_is_judged_against_the_deadline_in_force_on_arrival(client, user_a, coordinator, visit_a):
    client.force_login(user_a)
    with freeze_time("2022-08-01 10:00:00+07:00"):
        client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]})
    services.inspection_reschedule(
        inspection=visit_a,
        date=D(2022, 8, 5),
        start_time=T(8),
        end_time=T(11),
        place="Hội trường",
        reason="Trùng lịch họp",
        user=coordinator,
    )
    submission = Submission.objects.get()
    assert submission.due_date == D(2022, 8, 2)  # the deadline when it arrived
    assert not submission.is_late
    assert "Lịch kiểm tra đã thay đổi" in page(client.get(reports_url(visit_a)))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 200, "Định dạng tệp không được chấp nhận"),
        ("bao-cao.pdf", b"<html><body>hi</body></html>", "Định dạng tệp không được chấp nhận"),
        ("rong.pdf", b"", "Tệp rỗng"),
    ],
)
def test_refused_files_change_nothing(client, user_a, visit_a, name, content, message):
    client.force_login(user_a)
    response = client.post(reports_url(visit_a), {"kind": "report", "files": [upload(name, content)]})
    assert response.status_code == 200
    assert message.lower() in page(response).lower()
    assert Submission.objects.count() == 0


def test_more_files_than_allowed_in_one_request_are_refused(client, user_a, visit_a, settings):
    settings.UPLOAD_MAX_FILES_PER_REQUEST = 2
    client.force_login(user_a)
    files = [upload(f"f{i}.pdf") for i in range(3)]
    response = client.post(reports_url(visit_a), {"kind": "report", "files": files})
    assert "tối đa 2 tệp" in page(response)
    assert Submission.objects.count() == 0


def test_posting_another_unit_or_kind_in_the_form_changes_nothing(client, user_a, visit_a, unit_b):
    client.force_login(user_a)
    client.post(reports_url(visit_a), {"kind": "report", "unit": unit_b.pk, "plan": 999, "files": [upload()]})
    assert Submission.objects.get().unit == visit_a.unit
    response = client.post(reports_url(visit_a), {"kind": "si_report", "files": [upload()]})
    assert response.status_code == 200
    assert Submission.objects.count() == 1


# --- Who may see and send --------------------------------------------------------------------


def test_another_units_user_gets_404_for_the_page_and_the_file(client, user_a, user_b, visit_a):
    client.force_login(user_a)
    client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]})
    file_url = reverse("inspections:submission_download", args=[Submission.objects.get().pk])
    client.force_login(user_b)
    assert client.get(reports_url(visit_a)).status_code == 404
    assert client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]}).status_code == 404
    assert client.get(file_url).status_code == 404
    assert Submission.objects.count() == 1


def test_download_is_an_attachment_with_a_safe_name(client, user_a, visit_a):
    client.force_login(user_a)
    client.post(reports_url(visit_a), {"kind": "report", "files": [upload('Báo "cáo"\r\n.pdf')]})
    response = client.get(reverse("inspections:submission_download", args=[Submission.objects.get().pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition and '"cáo"' not in disposition
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_readers_see_but_cannot_upload(client, coordinator, leader, inspector, visit_a, user_a):
    client.force_login(user_a)
    client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]})
    file_url = reverse("inspections:submission_download", args=[Submission.objects.get().pk])
    for reader in (coordinator, leader, inspector):  # the inspector goes on visit A
        client.force_login(reader)
        assert client.get(reports_url(visit_a)).status_code == 200
        assert client.get(file_url).status_code == 200
        assert client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]}).status_code == 403
    assert Submission.objects.count() == 1


def test_an_inspector_not_on_the_visit_sees_nothing_of_it(client, visit_b, user_b):
    client.force_login(user_b)
    client.post(reports_url(visit_b), {"kind": "report", "files": [upload()]})
    outsider = user_with_role(Role.INSPECTOR)
    client.force_login(outsider)
    assert client.get(reports_url(visit_b)).status_code == 404
    file_url = reverse("inspections:submission_download", args=[Submission.objects.get().pk])
    assert client.get(file_url).status_code == 404


# --- Paper copies ----------------------------------------------------------------------------


def test_coordinator_records_paper_copies_and_short_counts_show(client, coordinator, visit_a):
    client.force_login(coordinator)
    response = client.post(
        reverse("inspections:paper_copies_add", args=[visit_a.pk]), {"count": 5, "received_on": "01/08/2022"}
    )
    assert response.status_code == 302
    receipt = PaperCopyReceipt.objects.get()
    assert (receipt.count, receipt.received_on, receipt.recorded_by) == (5, D(2022, 8, 1), coordinator)
    html = page(client.get(reports_url(visit_a)))
    assert "Đã nhận 5/8 bộ." in html
    assert "Còn thiếu 3 bộ." in html


def test_paper_copies_refusals(client, coordinator, user_a, leader, visit_a):
    url = reverse("inspections:paper_copies_add", args=[visit_a.pk])
    client.force_login(coordinator)
    client.post(url, {"count": 0, "received_on": "31/02/2022"})
    assert PaperCopyReceipt.objects.count() == 0
    for other in (user_a, leader):
        client.force_login(other)
        assert client.post(url, {"count": 8, "received_on": "01/08/2022"}).status_code == 403
    assert PaperCopyReceipt.objects.count() == 0


# --- Appendix figures ------------------------------------------------------------------------


def appendix_url(visit):
    return reverse("inspections:inspection_appendix", args=[visit.pk])


def figure_values(plan, **overrides):
    values = {f.code: 10 for f in plan.figures.all()}
    values.update(received_total=100, received_in_person=40, received_online=50, received_post=10)
    values.update(resolved_early=20, resolved_on_time=60, resolved_late=5, pending=15)
    values.update(tthc_total=300, tthc_one_stop=250, online_full=100, online_partial=150)
    values.update(docs_sent_total=1000, docs_sent_electronic=900, docs_digitally_signed=800)
    values.update(docs_received_total=500, docs_received_electronic=450)
    values.update(overrides)
    return {code: v for code, v in values.items() if code in {f.code for f in plan.figures.all()}}


def test_the_template_downloads_with_vietnamese_headers(client, user_a, visit_a):
    client.force_login(user_a)
    response = client.get(reverse("inspections:appendix_template", args=[visit_a.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Phụ lục"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "Chỉ tiêu" in cells and "Số liệu" in cells


def fill_template(client, visit, values):
    data = client.get(reverse("inspections:appendix_template", args=[visit.pk])).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Phụ lục"]
    cells = {}
    for row in sheet.iter_rows():
        code = row[4].value
        if code in values:
            row[2].value = values[code]
            cells[code] = row[2].coordinate
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), cells


def test_a_filled_template_is_read_back_and_saved(client, user_a, visit_a):
    client.force_login(user_a)
    values = figure_values(visit_a.plan)
    data, _cells = fill_template(client, visit_a, values)
    response = client.post(appendix_url(visit_a), {"upload": "1", "workbook": SimpleUploadedFile("phu-luc.xlsx", data)})
    assert response.status_code == 302
    saved = dict(AppendixValue.objects.filter(unit=visit_a.unit).values_list("figure__code", "value"))
    assert saved == values


def test_a_sheet_with_problems_shows_each_cell_and_saves_nothing(client, user_a, visit_a):
    client.force_login(user_a)
    values = figure_values(visit_a.plan, received_online=-3, resolved_on_time=500)
    data, cells = fill_template(client, visit_a, values)
    response = client.post(appendix_url(visit_a), {"upload": "1", "workbook": SimpleUploadedFile("phu-luc.xlsx", data)})
    html = page(response)
    assert f"{cells['received_online']}: phải là số nguyên không âm." in html
    assert "lớn hơn" in html and cells["received_total"] in html
    assert AppendixValue.objects.count() == 0


def test_figures_typed_in_are_checked_by_the_same_rules(client, user_a, visit_a):
    client.force_login(user_a)
    values = figure_values(visit_a.plan, resolved_on_time=500)
    response = client.post(appendix_url(visit_a), {"save_values": "1", **values})
    assert "lớn hơn" in page(response)
    assert AppendixValue.objects.count() == 0
    values = figure_values(visit_a.plan)
    response = client.post(appendix_url(visit_a), {"save_values": "1", **values})
    assert response.status_code == 302
    assert AppendixValue.objects.count() == len(values)


def test_typed_figures_accept_vietnamese_grouping_and_refuse_negatives(client, user_a, visit_a):
    client.force_login(user_a)
    values = {k: str(v) for k, v in figure_values(visit_a.plan).items()}
    values["docs_sent_total"] = "1.000"
    response = client.post(appendix_url(visit_a), {"save_values": "1", **values})
    assert response.status_code == 302
    assert AppendixValue.objects.get(figure__code="docs_sent_total").value == 1000
    values["received_online"] = "-1"
    response = client.post(appendix_url(visit_a), {"save_values": "1", **values})
    assert "Phải là số nguyên không âm." in page(response)


def test_only_the_units_staff_change_figures(client, coordinator, user_b, visit_a):
    values = figure_values(visit_a.plan)
    client.force_login(coordinator)
    assert client.post(appendix_url(visit_a), {"save_values": "1", **values}).status_code == 403
    client.force_login(user_b)
    assert client.post(appendix_url(visit_a), {"save_values": "1", **values}).status_code == 404
    assert client.get(reverse("inspections:appendix_template", args=[visit_a.pk])).status_code == 404
    assert AppendixValue.objects.count() == 0


def test_a_hostile_workbook_is_refused_before_it_is_read(client, user_a, visit_a):
    client.force_login(user_a)
    response = client.post(
        appendix_url(visit_a), {"upload": "1", "workbook": SimpleUploadedFile("phu-luc.xlsx", pdf_bytes())}
    )
    assert response.status_code == 200
    assert AppendixValue.objects.count() == 0


# --- The unit's home page --------------------------------------------------------------------


def test_unit_home_shows_the_visit_deadlines_and_what_arrived(client, user_a, visit_a):
    plan = visit_a.plan
    plan.status = InspectionPlan.Status.ACTIVE
    plan.save()
    client.force_login(user_a)
    with freeze_time("2022-07-30 09:00:00+07:00"):
        html = page(client.get(reverse("home")))
        assert "Kiểm tra trực tiếp" in html
        assert "02/08/2022" in html and "còn 3 ngày" in html
        assert "Chưa gửi" in html
        client.post(reports_url(visit_a), {"kind": "report", "files": [upload()]})
        html = page(client.get(reverse("home")))
        assert "Đã nhận" in html
    with freeze_time("2022-08-05 09:00:00+07:00"):
        html = page(client.get(reverse("home")))
        assert "Chưa gửi, đã quá hạn" in html  # the appendix file


def test_home_of_a_self_inspecting_unit(client, plan):
    from tests.factories import UnitFactory
    from units.models import Unit

    plan.status = InspectionPlan.Status.ACTIVE
    plan.save()
    district = UnitFactory(kind=Unit.Kind.DISTRICT, short_name="Huyện Lý Nhân")
    client.force_login(user_with_role(Role.UNIT_STAFF, unit=district))
    with freeze_time("2022-10-20 09:00:00+07:00"):
        html = page(client.get(reverse("home")))
    assert "Tự kiểm tra" in html
    assert "30/10/2022" in html and "còn 10 ngày" in html
