"""The visit page: findings with evidence files, who may read and write them, checked divisions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfWriter

from inspections import services
from inspections.models import Conclusion, Criterion, EvidenceFile, Finding
from tests.factories import UnitFactory, UserFactory, user_with_role
from tests.inspections.factories import flashed, page
from units.models import Unit
from units.roles import Role

pytestmark = pytest.mark.usefixtures("fast_passwords")

FROZEN = "Kết luận đã ban hành: kết quả kiểm tra không thể thay đổi."
UNSUPPORTED = "Định dạng tệp không được chấp nhận"


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name="Biên bản kiểm tra.pdf", content=None):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content)


def findings_url(visit):
    return reverse("inspections:visit_findings", args=[visit.pk])


def add_url(visit):
    return reverse("inspections:visit_finding_add", args=[visit.pk])


def area(plan, number):
    return plan.areas.get(number=number)


def finding_data(plan, **overrides):
    data = {
        "area": area(plan, 3).pk,
        "kind": Finding.Kind.SHORTCOMING,
        "text": "Chưa niêm yết đầy đủ thủ tục hành chính tại Bộ phận Một cửa.",
    }
    return data | overrides


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()]


def issue_conclusion(visit, user):
    Conclusion.objects.create(inspection=visit, status=Conclusion.Status.ISSUED, updated_by=user)


def a_finding(visit, user, text="Chưa công khai kết quả giải quyết hồ sơ.", files=()):
    return services.finding_record(
        inspection=visit,
        area=area(visit.plan, 3),
        criterion=None,
        kind="shortcoming",
        text=text,
        user=user,
        files=files,
    )


# --- Recording a finding ---------------------------------------------------------------------


def test_a_member_going_records_a_finding_with_pdf_evidence_and_sees_it(client, inspector, visit_a, media_root):
    client.force_login(inspector)
    criterion = area(visit_a.plan, 3).criteria.first()
    data = finding_data(visit_a.plan, criterion=criterion.pk, files=[pdf_upload()])
    response = client.post(add_url(visit_a), data)
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.inspection, finding.unit, finding.area.number, finding.criterion) == (
        visit_a,
        visit_a.unit,
        3,
        criterion,
    )
    assert (finding.kind, finding.created_by) == ("shortcoming", inspector)
    evidence = EvidenceFile.objects.get()
    assert evidence.finding == finding and evidence.original_name == "Biên bản kiểm tra.pdf"
    assert "Biên bản" not in evidence.file.name and len(stored_files(media_root)) == 1
    html = page(client.get(findings_url(visit_a)))
    assert "Chưa niêm yết đầy đủ thủ tục hành chính" in html
    assert "3. " + area(visit_a.plan, 3).title in html
    assert "Biên bản kiểm tra.pdf" in html
    assert reverse("inspections:evidence_download", args=[evidence.pk]) in html
    assert "Vũ Đức Minh" in html
    assert reverse("inspections:visit_finding_edit", args=[finding.pk]) in html


def test_evidence_downloads_for_readers_as_an_attachment(client, inspector, coordinator, leader, visit_a):
    finding = a_finding(visit_a, inspector, files=[pdf_upload()])
    url = reverse("inspections:evidence_download", args=[finding.evidence.get().pk])
    for reader in (inspector, coordinator, leader):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and 'filename="Bien-ban-kiem-tra.pdf"' in disposition
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_evidence_is_404_for_another_unit_and_for_the_unit_before_the_conclusion(
    client, inspector, coordinator, user_a, user_b, visit_a
):
    finding = a_finding(visit_a, inspector, files=[pdf_upload()])
    url = reverse("inspections:evidence_download", args=[finding.evidence.get().pk])
    client.force_login(user_b)
    assert client.get(url).status_code == 404
    client.force_login(user_a)
    assert client.get(url).status_code == 404
    assert client.get(findings_url(visit_a)).status_code == 404
    issue_conclusion(visit_a, coordinator)
    assert client.get(url).status_code == 200


def test_a_hostile_evidence_file_refuses_the_whole_finding_and_stores_nothing(client, inspector, visit_a, media_root):
    client.force_login(inspector)
    exe = SimpleUploadedFile("minh-chung.pdf", b"MZ\x90\x00\x03" + b"\x00" * 500)
    response = client.post(add_url(visit_a), finding_data(visit_a.plan, files=[pdf_upload(), exe]))
    assert response.status_code == 400
    assert UNSUPPORTED in page(response)
    assert "minh-chung.pdf" in page(response)
    assert Finding.objects.count() == 0 and EvidenceFile.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_criterion_from_another_area_is_refused(client, inspector, visit_a):
    client.force_login(inspector)
    other = area(visit_a.plan, 1).criteria.first()
    response = client.post(add_url(visit_a), finding_data(visit_a.plan, criterion=other.pk))
    assert response.status_code == 400
    assert "Tiêu chí này không thuộc nội dung đã chọn." in page(response)
    assert Finding.objects.count() == 0


def test_a_retired_criterion_is_not_offered_and_is_refused(client, inspector, visit_a):
    client.force_login(inspector)
    retired = area(visit_a.plan, 3).criteria.first()
    Criterion.objects.filter(pk=retired.pk).update(is_active=False)
    assert f'value="{retired.pk}"' not in page(client.get(findings_url(visit_a)))
    response = client.post(add_url(visit_a), finding_data(visit_a.plan, criterion=retired.pk))
    assert response.status_code == 400
    assert Finding.objects.count() == 0


def test_empty_text_is_refused(client, inspector, visit_a):
    client.force_login(inspector)
    response = client.post(add_url(visit_a), finding_data(visit_a.plan, text="   "))
    assert response.status_code == 400
    assert "Nhập nội dung." in page(response)
    assert Finding.objects.count() == 0


# --- Who may read and write ------------------------------------------------------------------


def test_readers_see_the_page_without_the_write_forms(client, coordinator, leader, inspector, visit_a):
    a_finding(visit_a, inspector)
    for reader in (coordinator, leader):
        client.force_login(reader)
        response = client.get(findings_url(visit_a))
        assert response.status_code == 200
        html = page(response)
        assert "Chưa công khai kết quả giải quyết hồ sơ." in html
        assert add_url(visit_a) not in html and "/sua/" not in html


def test_only_members_going_may_write(client, coordinator, leader, user_a, user_b, inspector, visit_a, visit_b):
    finding = a_finding(visit_a, inspector)
    outsider = user_with_role(Role.INSPECTOR, username="outsider")
    edit = reverse("inspections:visit_finding_edit", args=[finding.pk])
    delete = reverse("inspections:visit_finding_delete", args=[finding.pk])
    divisions = reverse("inspections:visit_divisions", args=[visit_a.pk])
    expected = {coordinator: 403, leader: 403, user_b: 404, outsider: 404}
    for user, status in expected.items():
        client.force_login(user)
        assert client.post(add_url(visit_a), finding_data(visit_a.plan)).status_code == status
        assert client.post(edit, finding_data(visit_a.plan, text="Sửa")).status_code == status
        assert client.get(edit).status_code == status
        assert client.post(delete).status_code == status
        assert client.post(divisions, {"divisions": []}).status_code == status
    # The visited unit's staff may see the visit but not write, nor see its findings before the conclusion.
    client.force_login(user_a)
    assert client.post(add_url(visit_a), finding_data(visit_a.plan)).status_code == 403
    assert client.post(delete).status_code == 404
    # The inspector goes on visit A, not on visit B.
    client.force_login(inspector)
    assert client.get(findings_url(visit_b)).status_code == 404
    assert client.post(add_url(visit_b), finding_data(visit_b.plan)).status_code == 404
    assert Finding.objects.get().text == finding.text


def test_an_inspector_not_on_the_visit_gets_404_for_the_page(client, visit_a):
    client.force_login(user_with_role(Role.INSPECTOR, username="outsider"))
    assert client.get(findings_url(visit_a)).status_code == 404


# --- Edit and delete -------------------------------------------------------------------------


def test_a_member_edits_a_finding(client, inspector, visit_a):
    finding = a_finding(visit_a, inspector)
    client.force_login(inspector)
    url = reverse("inspections:visit_finding_edit", args=[finding.pk])
    form_page = page(client.get(url))
    assert "Sửa kết quả kiểm tra" in form_page and "Chưa công khai kết quả giải quyết hồ sơ." in form_page
    criterion = area(visit_a.plan, 2).criteria.first()
    data = {"area": area(visit_a.plan, 2).pk, "criterion": criterion.pk, "kind": "strength", "text": " Đã rà soát. "}
    assert client.post(url, data).status_code == 302
    finding.refresh_from_db()
    assert (finding.area.number, finding.criterion, finding.kind, finding.text) == (
        2,
        criterion,
        "strength",
        "Đã rà soát.",
    )


def test_an_edit_with_bad_data_changes_nothing(client, inspector, visit_a):
    finding = a_finding(visit_a, inspector)
    client.force_login(inspector)
    url = reverse("inspections:visit_finding_edit", args=[finding.pk])
    other = area(visit_a.plan, 1).criteria.first()
    response = client.post(url, finding_data(visit_a.plan, criterion=other.pk, text="Khác"))
    assert response.status_code == 400
    assert "Tiêu chí này không thuộc nội dung đã chọn." in page(response)
    finding.refresh_from_db()
    assert (finding.criterion, finding.text) == (None, "Chưa công khai kết quả giải quyết hồ sơ.")


def test_a_member_deletes_a_finding_and_its_evidence_files(
    client, inspector, visit_a, media_root, django_capture_on_commit_callbacks
):
    finding = a_finding(visit_a, inspector, files=[pdf_upload()])
    assert len(stored_files(media_root)) == 1
    client.force_login(inspector)
    # The files go once the deletion is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inspections:visit_finding_delete", args=[finding.pk]))
    assert response.status_code == 302
    assert "Đã xóa kết quả kiểm tra." in flashed(response)
    assert Finding.objects.count() == 0 and EvidenceFile.objects.count() == 0
    assert stored_files(media_root) == []


# --- After the conclusion is issued ----------------------------------------------------------


def test_after_the_conclusion_is_issued_every_write_is_refused_and_the_unit_reads(
    client, inspector, coordinator, user_a, visit_a, unit_a, media_root
):
    finding = a_finding(visit_a, inspector, files=[pdf_upload()])
    division = UnitFactory(kind=Unit.Kind.DIVISION, parent=unit_a, name="Phòng Nội vụ huyện Alpha")
    issue_conclusion(visit_a, coordinator)
    files_before = stored_files(media_root)
    client.force_login(inspector)

    response = client.post(add_url(visit_a), finding_data(visit_a.plan, files=[pdf_upload()]))
    assert response.status_code == 400 and FROZEN in page(response)
    edit = reverse("inspections:visit_finding_edit", args=[finding.pk])
    response = client.post(edit, finding_data(visit_a.plan, text="Sửa sau khi ban hành"))
    assert response.status_code == 400 and FROZEN in page(response)
    response = client.post(reverse("inspections:visit_finding_delete", args=[finding.pk]))
    assert any(FROZEN in message for message in flashed(response))
    response = client.post(reverse("inspections:visit_divisions", args=[visit_a.pk]), {"divisions": [division.pk]})
    assert response.status_code == 400 and FROZEN in page(response)

    finding.refresh_from_db()
    assert finding.text == "Chưa công khai kết quả giải quyết hồ sơ."
    assert Finding.objects.count() == 1 and EvidenceFile.objects.count() == 1
    assert list(visit_a.checked_divisions.all()) == []
    assert stored_files(media_root) == files_before

    html = page(client.get(findings_url(visit_a)))
    assert FROZEN in html and add_url(visit_a) not in html and edit not in html

    client.force_login(user_a)
    response = client.get(findings_url(visit_a))
    assert response.status_code == 200
    assert "Chưa công khai kết quả giải quyết hồ sơ." in page(response) and FROZEN in page(response)


# --- Checked divisions -----------------------------------------------------------------------


def test_a_member_marks_the_divisions_checked(client, inspector, visit_a, unit_a):
    home = UnitFactory(kind=Unit.Kind.DIVISION, parent=unit_a, name="Phòng Nội vụ huyện Alpha")
    justice = UnitFactory(kind=Unit.Kind.DIVISION, parent=unit_a, name="Phòng Tư pháp huyện Alpha")
    UnitFactory(kind=Unit.Kind.DIVISION, parent=unit_a, name="Phòng Tài chính - Kế hoạch huyện Alpha")
    client.force_login(inspector)
    url = reverse("inspections:visit_divisions", args=[visit_a.pk])
    response = client.post(url, {"divisions": [home.pk, justice.pk]})
    assert response.status_code == 302
    assert set(visit_a.checked_divisions.all()) == {home, justice}
    assert "Phòng Tài chính - Kế hoạch huyện Alpha" in page(client.get(findings_url(visit_a)))
    client.post(url, {"divisions": [justice.pk]})
    assert list(visit_a.checked_divisions.all()) == [justice]


@pytest.mark.parametrize("which", ["other unit's division", "commune of the district", "another unit"])
def test_a_unit_that_is_not_a_division_of_the_visited_unit_is_refused(
    client, inspector, visit_a, unit_a, unit_b, which
):
    home = UnitFactory(kind=Unit.Kind.DIVISION, parent=unit_a)
    visit_a.checked_divisions.set([home])
    wrong = {
        "other unit's division": lambda: UnitFactory(kind=Unit.Kind.DIVISION, parent=unit_b),
        "commune of the district": lambda: UnitFactory(kind=Unit.Kind.COMMUNE, parent=unit_a),
        "another unit": lambda: unit_b,
    }[which]()
    client.force_login(inspector)
    response = client.post(reverse("inspections:visit_divisions", args=[visit_a.pk]), {"divisions": [wrong.pk]})
    assert response.status_code == 400
    assert "Chỉ chọn phòng, ban của đơn vị được kiểm tra." in page(response)
    assert list(visit_a.checked_divisions.all()) == [home]


# --- Beside the form: the unit's report and figures ------------------------------------------


def test_the_units_latest_report_and_appendix_figures_are_shown(client, inspector, user_a, visit_a):
    plan = visit_a.plan
    for name in ("Báo cáo lần 1.pdf", "Báo cáo lần 2.pdf"):
        services.submission_create(
            plan=plan, unit=visit_a.unit, inspection=visit_a, kind="report", uploaded_file=pdf_upload(name), user=user_a
        )
    figure = plan.figures.first()
    services.appendix_save(plan=plan, unit=visit_a.unit, values={figure.code: 1234}, user=user_a)
    client.force_login(inspector)
    html = page(client.get(findings_url(visit_a)))
    latest = visit_a.submissions.order_by("-uploaded_at", "-pk").first()
    assert reverse("inspections:submission_download", args=[latest.pk]) in html
    assert "Báo cáo lần 2.pdf" in html and "Phiên bản 2 (mới nhất)" in html
    assert figure.label in html and "1.234" in html


# --- Query count -----------------------------------------------------------------------------


def test_the_page_makes_as_many_queries_for_30_findings_as_for_3(client, inspector, visit_a):
    client.force_login(inspector)
    counts = []
    for total in (3, 30):
        while visit_a.findings.count() < total:
            n = visit_a.findings.count()
            author = UserFactory()
            finding = Finding.objects.create(
                plan=visit_a.plan,
                unit=visit_a.unit,
                inspection=visit_a,
                area=area(visit_a.plan, 1 + n % 7),
                criterion=area(visit_a.plan, 1 + n % 7).criteria.first(),
                kind="shortcoming" if n % 2 else "strength",
                text=f"Kết quả số {n}",
                created_by=author,
            )
            EvidenceFile.objects.create(
                finding=finding,
                file=f"evidence/{n}.pdf",
                original_name=f"minh-chung-{n}.pdf",
                extension="pdf",
                size=100,
                sha256="0" * 64,
                uploaded_by=author,
            )
        with CaptureQueriesContext(connection) as context:
            response = client.get(findings_url(visit_a))
        assert response.status_code == 200
        assert "Kết quả số " + str(total - 1) in page(response)
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
