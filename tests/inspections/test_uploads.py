"""What inspections.uploads accepts and refuses. Every file is built in memory; the name never decides."""

import hashlib
import io
import stat
import warnings
import zipfile
import zlib

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from inspections.uploads import CONTENT_TYPES, check_file_count, check_upload, clean_label, download_name

UNSUPPORTED = "Định dạng tệp không được chấp nhận. Chỉ nhận tệp PDF, DOCX, XLSX."
CORRUPT = "Tệp bị hỏng hoặc không đọc được."
MACRO = "Không nhận tệp có macro (.docm, .xlsm)."
XML_DTD = "Tệp có khai báo DOCTYPE hoặc ENTITY trong nội dung XML, không được chấp nhận."
PDF_ACTIVE = "Không nhận tệp PDF có JavaScript, hành động tự động hoặc tệp đính kèm."
PDF_UNCHECKABLE = "Không kiểm tra được nội dung tệp PDF (tệp bị mã hóa hoặc hỏng)."
UNSAFE_PATH = "Tệp chứa thành phần có đường dẫn không an toàn."
SYMLINK = "Tệp chứa liên kết tượng trưng (symlink), không được chấp nhận."

DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
DOCM_CONTENT_TYPES = DOCX_CONTENT_TYPES.replace(
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
)
DOCX_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>'
)
DOCX_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Báo cáo công tác CCHC năm 2022</w:t></w:r></w:p></w:body></w:document>"
).encode()
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, b"&lol%s;" % (b"%d" % (i - 1) if i > 1 else b"") * 10) for i in range(1, 10)
    )
    + b"]>\n"
)


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


# --- Builders --------------------------------------------------------------------------------


def upload(content: bytes, name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    # The browser's content type is deliberately wrong: it must play no part.
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def refusal(content: bytes, name: str = "bao-cao.pdf", **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(content, name), **kwargs)
    return exc.value.messages


def pdf_bytes(writer: PdfWriter | None = None) -> bytes:
    if writer is None:
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bytes(entries, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """entries: (name or ZipInfo, data) pairs, written in order."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted in one test
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return buffer.getvalue()


def docx_entries(*, content_types: bytes = DOCX_CONTENT_TYPES, document: bytes = DOCX_DOCUMENT) -> list:
    return [("[Content_Types].xml", content_types), ("_rels/.rels", DOCX_RELS), ("word/document.xml", document)]


def docx_bytes(extra=(), **kwargs) -> bytes:
    return zip_bytes(docx_entries(**kwargs) + list(extra))


def xlsx_entries() -> list:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Điểm tự đánh giá"
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def xlsx_bytes(extra=(), replace: dict[str, bytes] | None = None) -> bytes:
    replace = replace or {}
    return zip_bytes([(name, replace.get(name, data)) for name, data in xlsx_entries()] + list(extra))


# --- Accepted --------------------------------------------------------------------------------


def test_benign_pdf_is_accepted():
    content = pdf_bytes()
    uploaded = upload(content, "Báo cáo CCHC 2022.pdf")
    checked = check_upload(uploaded)
    assert checked.extension == "pdf"
    assert checked.content_type == "application/pdf"
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.original_name == "Báo cáo CCHC 2022.pdf"
    # Rewound, ready to be saved.
    assert uploaded.tell() == 0
    assert uploaded.read() == content


def test_benign_docx_is_accepted():
    content = docx_bytes()
    checked = check_upload(upload(content, "bao-cao.docx"))
    assert checked.extension == "docx"
    assert checked.content_type == CONTENT_TYPES["docx"]
    assert checked.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_benign_xlsx_is_accepted():
    content = xlsx_bytes()
    checked = check_upload(upload(content, "diem.xlsx"))
    assert checked.extension == "xlsx"
    assert checked.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_the_name_does_not_decide_the_type():
    assert check_upload(upload(docx_bytes(), "bao-cao.pdf")).extension == "docx"
    assert check_upload(upload(xlsx_bytes(), "bao-cao.exe")).extension == "xlsx"
    assert check_upload(upload(pdf_bytes(), "bao-cao")).extension == "pdf"


def test_a_large_upload_spooled_to_disk_is_checked_too():
    content = docx_bytes()
    uploaded = TemporaryUploadedFile("bao-cao.docx", "application/octet-stream", len(content), None)
    uploaded.write(content)
    uploaded.seek(0)
    try:
        checked = check_upload(uploaded)
        assert checked.extension == "docx"
        assert checked.sha256 == hashlib.sha256(content).hexdigest()
        assert uploaded.read() == content
    finally:
        uploaded.close()


def test_allowed_narrows_the_types():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(docx_bytes(), "bao-cao.docx"), allowed=("pdf",))
    assert exc.value.messages == ["Định dạng tệp không được chấp nhận. Chỉ nhận tệp PDF."]
    assert check_upload(upload(pdf_bytes()), allowed=("pdf",)).extension == "pdf"


def test_a_pdf_with_object_streams_and_no_active_content_is_accepted():
    objects = b"2 0 3 40 << /Type /Catalog /Pages 3 0 R >> << /Type /Pages /Kids [] /Count 0 >>"
    assert check_upload(upload(raw_pdf_with_object_stream(objects))).extension == "pdf"


# --- Size and count --------------------------------------------------------------------------


def test_empty_file_is_refused():
    assert refusal(b"") == ["Tệp rỗng."]


def test_one_byte_over_the_limit_is_refused_and_the_limit_itself_accepted(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    at_limit = pdf_bytes().ljust(1024 * 1024, b"\n")
    assert check_upload(upload(at_limit)).size == 1024 * 1024
    assert refusal(at_limit + b"\n") == ["Tệp vượt quá dung lượng cho phép (1 MB)."]


def test_the_default_limit_is_20_mb():
    content = pdf_bytes().ljust(20 * 1024 * 1024 + 1, b"\n")
    assert refusal(content) == ["Tệp vượt quá dung lượng cho phép (20 MB)."]


def test_more_files_than_allowed_in_one_request_are_refused(settings):
    check_file_count([object()] * 5)
    with pytest.raises(ValidationError) as exc:
        check_file_count([object()] * 6)
    assert exc.value.messages == ["Chỉ được gửi tối đa 5 tệp mỗi lần."]
    settings.UPLOAD_MAX_FILES_PER_REQUEST = 2
    with pytest.raises(ValidationError) as exc:
        check_file_count([object()] * 3)
    assert exc.value.messages == ["Chỉ được gửi tối đa 2 tệp mỗi lần."]


# --- Not a PDF, DOCX or XLSX -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param(
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54 + b"PE\x00\x00" + b"\x00" * 200, "x.pdf", id="exe"
        ),
        pytest.param(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "x.pdf", id="html"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
            "x.pdf",
            id="svg",
        ),
        pytest.param(
            b'<?xml version="1.0"?><html><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
            b"</svg>%PDF-1.4\n1 0 obj << >> endobj</html>",
            "x.pdf",
            id="svg-html-polyglot",
        ),
        pytest.param(" %PDF-1.4 chỉ là văn bản".encode(), "x.pdf", id="pdf-magic-not-at-start"),
        pytest.param("Báo cáo viết tay, không phải Word.\n".encode(), "x.docx", id="plain-text"),
        pytest.param(zip_bytes([("readme.txt", b"hello")]), "x.docx", id="plain-zip"),
        pytest.param(zip_bytes([("word/document.xml", DOCX_DOCUMENT)]), "x.docx", id="zip-without-content-types"),
        pytest.param(b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "x.xlsx", id="elf"),
    ],
)
def test_other_types_are_refused_whatever_their_name(content, name):
    assert refusal(content, name) == [UNSUPPORTED]


def test_legacy_or_password_protected_office_files_get_their_own_message():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
    assert refusal(ole, "x.docx") == [
        "Không nhận tệp Word/Excel định dạng cũ (.doc, .xls) hoặc tệp đặt mật khẩu. Hãy lưu lại thành PDF, DOCX, XLSX."
    ]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"PK\x03\x04" + b"\x14\x00\x00\x00\x08\x00" + b"garbage" * 50, id="garbage-after-header"),
        pytest.param(None, id="truncated-xlsx"),
    ],
)
def test_corrupt_zip_is_refused(content):
    if content is None:
        whole = xlsx_bytes()
        content = whole[: len(whole) // 2]
    assert refusal(content, "x.xlsx") == [CORRUPT]


def test_duplicate_part_names_are_refused():
    evil = DOCX_DOCUMENT.replace("Báo cáo".encode(), b"Other")
    assert refusal(docx_bytes(extra=[("word/document.xml", evil)]), "x.docx") == [CORRUPT]


# --- Archive bombs and unsafe entries --------------------------------------------------------


def test_docx_zip_bomb_is_refused_from_declared_sizes(settings):
    settings.UPLOAD_MAX_UNPACKED_BYTES = 10 * 1024 * 1024
    content = docx_bytes(extra=[("word/media/zeros.bin", b"\x00" * (30 * 1024 * 1024))])
    assert len(content) < 100 * 1024  # 30 MB of zeros deflate to a few dozen KB
    assert refusal(content, "x.docx") == ["Dung lượng sau khi giải nén vượt quá giới hạn (10 MB)."]


def test_archive_with_too_many_entries_is_refused(settings):
    settings.UPLOAD_MAX_ARCHIVE_ENTRIES = 10
    extra = [(f"customXml/item{i}.bin", b"x") for i in range(10)]
    assert refusal(docx_bytes(extra=extra), "x.docx") == ["Tệp có quá nhiều thành phần bên trong (tối đa 10)."]
    assert check_upload(upload(docx_bytes(extra=extra[:7]), "x.docx")).extension == "docx"


def test_symlink_entry_is_refused():
    link = zipfile.ZipInfo("word/media/image1.png")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert refusal(docx_bytes(extra=[(link, b"/etc/passwd")]), "x.docx") == [SYMLINK]


@pytest.mark.parametrize(
    "entry",
    ["../../evil.txt", "word/../../evil.txt", "/etc/cron.d/evil", "C:/Windows/evil.dll", "word\\evil.xml"],
)
def test_zip_slip_entry_names_are_refused(entry):
    assert refusal(docx_bytes(extra=[(entry, b"evil")]), "x.docx") == [UNSAFE_PATH]


def test_entry_name_with_a_nul_byte_is_refused():
    # zipfile cannot write a NUL in a name; patch it into both headers (same length, the CRC does not cover names).
    content = docx_bytes(extra=[("word/evil.exeZ.xml", b"evil")]).replace(b"evil.exeZ.xml", b"evil.exe\x00.xml")
    assert refusal(content, "x.docx") == [UNSAFE_PATH]


# --- Macros ----------------------------------------------------------------------------------


def test_docm_renamed_docx_is_refused():
    content = docx_bytes(
        content_types=DOCM_CONTENT_TYPES, extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 Attribute VB_Name")]
    )
    assert refusal(content, "bao-cao.docx") == [MACRO]


def test_macro_enabled_content_type_alone_is_refused():
    assert refusal(docx_bytes(content_types=DOCM_CONTENT_TYPES), "bao-cao.docx") == [MACRO]


@pytest.mark.parametrize("entry", ["xl/vbaProject.bin", "xl/media/VBAPROJECT.BIN"])
def test_xlsx_with_a_vba_project_is_refused(entry):
    assert refusal(xlsx_bytes(extra=[(entry, b"\xd0\xcf\x11\xe0 macro")]), "diem.xlsx") == [MACRO]


# --- XML entity declarations -----------------------------------------------------------------


def test_xlsx_with_billion_laughs_in_the_workbook_is_refused():
    workbook = dict(xlsx_entries())["xl/workbook.xml"]
    assert not workbook.startswith(b"<?xml")  # openpyxl writes no declaration; the bomb brings its own
    bomb = BILLION_LAUGHS + workbook.replace(
        b"<sheets>", b"<definedNames><definedName>&lol9;</definedName></definedNames><sheets>", 1
    )
    assert b"<!ENTITY lol9" in bomb
    assert refusal(xlsx_bytes(replace={"xl/workbook.xml": bomb}), "diem.xlsx") == [XML_DTD]


@pytest.mark.parametrize(
    ("entry", "data", "content_types"),
    [
        pytest.param("word/document.xml", b'<!doctype x SYSTEM "file:///etc/passwd"><x/>', None, id="lowercase"),
        pytest.param("[Content_Types].xml", b"<!DOCTYPE Types []>" + DOCX_CONTENT_TYPES[56:], None, id="manifest"),
        pytest.param(
            "customXml/item1.xml",
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>'.encode("utf-16"),
            None,
            id="utf16-part",
        ),
        pytest.param(
            "word/settings.dat",
            b'<!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>',
            DOCX_CONTENT_TYPES.replace(
                b"</Types>", b'<Override PartName="/word/settings.dat" ContentType="application/xml"/></Types>'
            ),
            id="xml-part-without-xml-name",
        ),
    ],
)
def test_dtd_in_any_xml_part_is_refused(entry, data, content_types):
    entries = dict(docx_entries(content_types=content_types or DOCX_CONTENT_TYPES))
    entries[entry] = data
    assert refusal(zip_bytes(entries.items()), "x.docx") == [XML_DTD]


# --- PDF active content ----------------------------------------------------------------------


def raw_pdf(catalog_extra: bytes) -> bytes:
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def raw_pdf_with_object_stream(objects: bytes, *, compress=zlib.compress) -> bytes:
    data = compress(objects)
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /N 2 /First 9 /Filter /FlateDecode /Length "
        + str(len(data)).encode()
        + b" >>\nstream\n"
        + data
        + b"\nendstream\nendobj\ntrailer\n<< /Root 2 0 R >>\n%%EOF\n"
    )


def test_pdf_with_open_action_javascript_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x')")}
    )
    assert refusal(pdf_bytes(writer)) == [PDF_ACTIVE]


def test_pdf_with_a_javascript_open_action_from_pypdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('x');"))
    assert refusal(pdf_bytes(writer)) == [PDF_ACTIVE]


def test_pdf_with_attachment_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ")
    assert refusal(pdf_bytes(writer)) == [PDF_ACTIVE]


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(b"/OpenAction << /S /Launch /F (cmd.exe) >>", id="launch"),
        pytest.param(b"/AA << /O << /S /URI /URI (http://x) >> >>", id="additional-actions"),
        pytest.param(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>", id="hex-escaped-names"),
        pytest.param(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>", id="no-whitespace"),
    ],
)
def test_pdf_actions_are_refused(extra):
    assert refusal(raw_pdf(extra)) == [PDF_ACTIVE]


def test_innocent_names_that_start_like_active_ones_are_accepted():
    extra = b"/PieceInfo << /AAPL:Keywords [] /JSON (x) /Launcher 1 >> /Lang (vi-VN) /OpenAction [2 0 R /Fit]"
    assert check_upload(upload(raw_pdf(extra))).extension == "pdf"


def test_pdf_with_javascript_hidden_in_an_object_stream_is_refused():
    objects = b"2 0 3 60 << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> << >>"
    content = raw_pdf_with_object_stream(objects)
    assert b"/JS" not in content
    assert refusal(content) == [PDF_ACTIVE]


def test_pdf_whose_object_stream_cannot_be_read_is_refused():
    scrambled = raw_pdf_with_object_stream(b"2 0 << /JS (x) >>", compress=lambda data: data[::-1])
    assert refusal(scrambled) == [PDF_UNCHECKABLE]


def test_pdf_a_name_split_across_chunks_is_still_seen():
    # Django reads in 64 KB chunks: put "/JavaScript" across the first boundary.
    prefix = b"%PDF-1.7\n%" + b"x" * (64 * 1024 - 15) + b"\n"
    content = prefix + b"/JavaScript (x)\n%%EOF\n"
    assert content.index(b"/JavaScript") < 64 * 1024 < content.index(b"/JavaScript") + 11
    assert refusal(content) == [PDF_ACTIVE]


# --- Names -----------------------------------------------------------------------------------


def test_a_path_as_file_name_keeps_only_the_base_name():
    checked = check_upload(upload(pdf_bytes(), "..\\..\\Windows\\x.pdf"))
    assert checked.extension == "pdf"
    assert checked.original_name == "x.pdf"
    assert clean_label("../../x.pdf") == "x.pdf"
    assert clean_label("/etc/passwd") == "passwd"


def test_a_file_name_with_line_breaks_and_quotes_is_cleaned():
    checked = check_upload(upload(pdf_bytes(), 'Báo cáo "CCHC"\r\nnăm 2022<script>.pdf'))
    assert checked.original_name == "Báo cáo _CCHC_ năm 2022_script_.pdf"
    assert not set(checked.original_name) & set("\r\n\"'<>")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        (None, "tai-lieu"),
        ("", "tai-lieu"),
        ("..", "tai-lieu"),
        ("\r\n\t", "tai-lieu"),
        ("a:b|c?d*e.pdf", "a_b_c_d_e.pdf"),
        ("bao-cao\u202efdp.exe", "bao-caofdp.exe"),  # the right-to-left override that fakes "exe.pdf"
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
        ("y" * 300, "y" * 150),
    ],
)
def test_clean_label(name, label):
    assert clean_label(name) == label


def test_download_name_is_ascii():
    name = download_name('Báo cáo "CCHC"\r\n năm 2022', "pdf")
    assert name == "Bao-cao-CCHC-nam-2022.pdf"
    assert name.isascii()


@pytest.mark.parametrize(
    ("label", "extension", "expected"),
    [
        ("Đề án đổi mới.docx", "docx", "De-an-doi-moi.docx"),
        ("Kết quả tự chấm điểm.XLSX", "xlsx", "Ket-qua-tu-cham-diem.xlsx"),
        ("../../etc/passwd", "pdf", "etc-passwd.pdf"),
        ("", "pdf", "tai-lieu.pdf"),
        ("中文", "pdf", "tai-lieu.pdf"),
        ("a" * 300, "xlsx", "a" * 95 + ".xlsx"),
    ],
)
def test_download_name(label, extension, expected):
    name = download_name(label, extension)
    assert name == expected
    assert name.isascii() and len(name) <= 100 and name.endswith("." + extension)
    assert not set(name) & set("\"'\r\n/\\ ")
