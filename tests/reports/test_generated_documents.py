"""The summary report made in the background: asked for with a POST, watched, downloaded, retried."""

import io

import openpyxl
import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from reports import summary_docs
from reports.models import GeneratedDocument
from reports.services import summary_request
from tests.inspections import conftest as inspection_fixtures
from tests.inspections.factories import page

fast_passwords = inspection_fixtures.fast_passwords
media_root = inspection_fixtures.media_root

pytestmark = pytest.mark.usefixtures("fast_passwords", "media_root")

FAILURE_MESSAGE = "Không tạo được báo cáo do lỗi hệ thống."
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def request_url(plan, kind):
    return reverse("reports:summary_request", args=[plan.pk, kind])


def status_url(document):
    return reverse("reports:generated_document", args=[document.pk])


def download_url(document):
    return reverse("reports:generated_download", args=[document.pk])


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """POST the request as `user`, running what waits for the commit (the enqueue)."""

    def ask(user, plan, kind):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(request_url(plan, kind))
        return response

    return ask


@pytest.fixture
def failing_pdf(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("weasyprint fell over")

    monkeypatch.setattr(summary_docs, "summary_pdf", broken)


def read_back(kind: str, content: bytes):
    if kind == "pdf":
        assert "BÁO CÁO" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    elif kind == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames
    else:
        assert Document(io.BytesIO(content)).paragraphs


@pytest.mark.parametrize("kind", ["pdf", "xlsx", "docx"])
def test_asking_makes_the_document_and_the_page_offers_it(client, ask, plan, coordinator, kind):
    response = ask(coordinator, plan, kind)
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == status_url(document)
    assert (document.plan, document.kind, document.requested_by) == (plan, kind, coordinator)
    assert document.status == GeneratedDocument.Status.DONE
    assert document.task_id and document.finished_at and not document.error

    body = page(client.get(status_url(document)))
    assert "Đã xong" in body
    assert download_url(document) in body
    assert 'http-equiv="refresh"' not in body

    response = client.get(download_url(document))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-ket-qua-kiem-tra-cchc-2022.{kind}"'
    assert response["Cache-Control"] == "private, no-store"
    read_back(kind, b"".join(response.streaming_content))


def test_a_failed_render_says_so_in_vietnamese_and_offers_a_retry(client, ask, plan, leader, failing_pdf, caplog):
    ask(leader, plan, "pdf")
    document = GeneratedDocument.objects.get()
    assert document.status == GeneratedDocument.Status.FAILED
    assert FAILURE_MESSAGE in document.error and not document.file
    assert "weasyprint fell over" in caplog.text  # the traceback is logged, not shown

    body = page(client.get(status_url(document)))
    assert "Lỗi" in body and FAILURE_MESSAGE in body and "weasyprint" not in body
    assert f'action="{request_url(plan, "pdf")}"' in body and "Thử lại" in body
    assert download_url(document) not in body
    assert client.get(download_url(document)).status_code == 404


def test_retrying_after_a_failure_makes_a_new_document(client, ask, plan, leader, monkeypatch, failing_pdf):
    ask(leader, plan, "pdf")
    monkeypatch.undo()  # the renderer works again
    response = ask(leader, plan, "pdf")
    failed, retried = GeneratedDocument.objects.order_by("pk")
    assert failed.status == GeneratedDocument.Status.FAILED
    assert retried.status == GeneratedDocument.Status.DONE
    assert response["Location"] == status_url(retried)


def test_the_request_does_not_wait_for_the_render(client, ask, plan, coordinator, settings, monkeypatch):
    settings.TASKS = DUMMY_TASKS  # enqueues, runs nothing: as with a worker that has not started yet
    calls = []
    monkeypatch.setattr(summary_docs, "summary_pdf", lambda *args, **kwargs: calls.append(args) or b"%PDF")
    response = ask(coordinator, plan, "pdf")
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and not calls
    assert document.status == GeneratedDocument.Status.QUEUED and document.task_id

    response = client.get(status_url(document))
    body = page(response)
    assert "Đang chờ" in body
    assert '<meta http-equiv="refresh" content="3">' in body and response["Refresh"] == "3"
    assert download_url(document) not in body
    assert client.get(download_url(document)).status_code == 404


def test_a_pending_document_is_reused_not_enqueued_twice(ask, plan, coordinator, leader, settings):
    settings.TASKS = DUMMY_TASKS
    first = ask(coordinator, plan, "xlsx")
    second = ask(leader, plan, "xlsx")
    assert GeneratedDocument.objects.count() == 1
    assert first["Location"] == second["Location"]
    ask(leader, plan, "docx")  # another format is another document
    assert GeneratedDocument.objects.count() == 2


def test_a_finished_document_is_not_reused(plan, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = summary_request(plan=plan, kind="xlsx", user=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        second = summary_request(plan=plan, kind="xlsx", user=coordinator)
    assert first.pk != second.pk


def test_plan_readers_see_and_download_the_document(client, ask, plan, coordinator, leader, inspector):
    ask(coordinator, plan, "xlsx")
    document = GeneratedDocument.objects.get()
    for user in (coordinator, leader, inspector):
        client.force_login(user)
        assert client.get(status_url(document)).status_code == 200, user
        assert client.get(download_url(document)).status_code == 200, user
    assert ask(inspector, plan, "docx").status_code == 302


def test_unit_staff_get_404_everywhere(client, ask, plan, coordinator, user_a):
    ask(coordinator, plan, "pdf")
    document = GeneratedDocument.objects.get()
    assert ask(user_a, plan, "pdf").status_code == 404
    assert GeneratedDocument.objects.count() == 1
    client.force_login(user_a)
    assert client.get(status_url(document)).status_code == 404
    assert client.get(download_url(document)).status_code == 404


def test_an_unknown_plan_or_format_is_404_and_get_is_refused(client, ask, plan, coordinator):
    assert ask(coordinator, plan, "odt").status_code == 404
    client.force_login(coordinator)
    assert client.post(reverse("reports:summary_request", args=[999, "pdf"])).status_code == 404
    assert client.get(request_url(plan, "pdf")).status_code == 405
    assert client.get(reverse("reports:generated_document", args=[999])).status_code == 404
    assert not GeneratedDocument.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, plan):
    response = client.post(request_url(plan, "pdf"))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    assert not GeneratedDocument.objects.exists()


def test_the_plan_page_asks_with_a_post(client, plan, coordinator):
    client.force_login(coordinator)
    body = page(client.get(reverse("inspections:plan_detail", args=[plan.pk])))
    for kind in ["pdf", "xlsx", "docx"]:
        assert f'action="{request_url(plan, kind)}"' in body
    assert f"/bao-cao/tong-hop/{plan.pk}/bao-cao.pdf" not in body
