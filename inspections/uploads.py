"""Checks on the reports units upload (PDF, DOCX, XLSX).

The type is judged from the content, never from the name or the browser's content type. A file is read once,
in chunks, for its size, SHA-256 and (PDF) the names of active content; a DOCX/XLSX is then inspected through
the ZIP central directory and its XML parts are streamed, never extracted to disk. Every refusal is a
ValidationError with a Vietnamese message.
"""

import hashlib
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from xml.parsers import expat

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DEFAULT_ALLOWED = ("pdf", "docx", "xlsx")
FALLBACK_LABEL = "tai-lieu"
LABEL_MAX_CHARS = 150
DOWNLOAD_NAME_MAX_CHARS = 100

_HEAD_BYTES = 8192  # what filetype looks at
_READ_BYTES = 64 * 1024
# filetype names a ZIP after its first entry; any of these is only a candidate until the archive is read.
_ZIP_MIMES = frozenset(
    {
        "application/zip",
        "application/epub+zip",
        CONTENT_TYPES["docx"],
        CONTENT_TYPES["xlsx"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls, and password-protected .docx/.xlsx

# PDF names (after #xx escapes are decoded) that run code, act on opening or carry files.
_PDF_ACTIVE_NAMES = frozenset(
    {b"JavaScript", b"JS", b"AA", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"}
)
# Filters that would hide names from a plain inflate of an object stream; refused in a PDF with object streams.
_PDF_OPAQUE_FILTERS = frozenset(
    {
        b"ASCIIHexDecode",
        b"AHx",
        b"ASCII85Decode",
        b"A85",
        b"LZWDecode",
        b"LZW",
        b"RunLengthDecode",
        b"RL",
    }
)
# A PDF name: "/" then regular characters (anything but white-space and delimiters), ISO 32000-1 §7.3.5.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_OVERLAP = 64  # longer than any escaped name in _PDF_ACTIVE_NAMES ("EmbeddedFiles" = 39 bytes escaped)
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_PDF_OBJSTM_HEADER = re.compile(rb"\s*\d+\s+\d+\s")  # "object-number offset" pairs, ISO 32000-1 §7.5.7

_XML_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_EXTENSIONS = (".xml", ".rels", ".vml")
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
_LABEL_FORBIDDEN = re.compile(r"[<>:\"'/\\|?*]")
_DOWNLOAD_FORBIDDEN = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class CheckedFile:
    """What check_upload learnt about an accepted file."""

    extension: str  # "pdf", "docx" or "xlsx", from the content
    content_type: str
    size: int
    sha256: str
    original_name: str  # a cleaned label, never a path


class _Forbidden(Exception):
    """Raised from expat handlers to stop parsing at a DTD."""


# --- Public API ------------------------------------------------------------------------------


def check_upload(uploaded_file, *, allowed: tuple[str, ...] = DEFAULT_ALLOWED) -> CheckedFile:
    """Accept a PDF, DOCX or XLSX judged from its content, or raise ValidationError saying why not.

    The name plays no part in the decision; it only becomes the cleaned `original_name` label.
    The file is rewound before returning so that it can be saved.
    """
    max_bytes = settings.UPLOAD_MAX_BYTES
    digest = hashlib.sha256()
    size = 0
    head = b""
    pdf_names = _PdfNameScanner()
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > max_bytes:
            raise ValidationError(
                _("Tệp vượt quá dung lượng cho phép (%(limit)s)."),
                code="too_large",
                params={"limit": _format_bytes(max_bytes)},
            )
        digest.update(chunk)
        if len(head) < _HEAD_BYTES:
            head += chunk[: _HEAD_BYTES - len(head)]
        if len(head) < 4 or head.startswith(b"%PDF"):
            pdf_names.feed(chunk)
    pdf_names.close()
    if size == 0:
        raise ValidationError(_("Tệp rỗng."), code="empty")

    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime == "application/pdf" and head.startswith(b"%PDF-"):
        extension = "pdf"
        if extension in allowed:
            _check_pdf(uploaded_file, pdf_names.found)
    elif mime in _ZIP_MIMES and head.startswith(b"PK\x03\x04"):
        extension = _check_zip(uploaded_file, allowed)
    elif head.startswith(_OLE_MAGIC):
        raise ValidationError(
            _(
                "Không nhận tệp Word/Excel định dạng cũ (.doc, .xls) hoặc tệp đặt mật khẩu. "
                "Hãy lưu lại thành %(types)s."
            ),
            code="legacy_office",
            params={"types": _types_label(allowed)},
        )
    else:
        extension = None
    if extension not in allowed:
        raise _unsupported(allowed)

    uploaded_file.seek(0)
    return CheckedFile(
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        size=size,
        sha256=digest.hexdigest(),
        original_name=clean_label(getattr(uploaded_file, "name", None)),
    )


def check_file_count(files: list) -> None:
    """Refuse a request that sends more files than UPLOAD_MAX_FILES_PER_REQUEST."""
    limit = settings.UPLOAD_MAX_FILES_PER_REQUEST
    if len(files) > limit:
        raise ValidationError(
            _("Chỉ được gửi tối đa %(max)d tệp mỗi lần."), code="too_many_files", params={"max": limit}
        )


def clean_label(name: str | None) -> str:
    """A display label from a client-supplied file name: basename only, no control characters,
    no quotes or characters that are special in paths, at most 150 characters, never empty."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    # Categories C* include CR/LF, NUL and the bidi overrides that disguise "fdp.exe" as "exe.pdf".
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split())
    text = _LABEL_FORBIDDEN.sub("_", text).strip(" .")
    if len(text) > LABEL_MAX_CHARS:
        stem, dot, suffix = text.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            text = stem[: LABEL_MAX_CHARS - len(suffix) - 1].rstrip(" .") + "." + suffix
        else:
            text = text[:LABEL_MAX_CHARS].rstrip(" .")
    return text or FALLBACK_LABEL


def download_name(label: str, extension: str) -> str:
    """An ASCII file name for Content-Disposition: no diacritics (đ→d), only [A-Za-z0-9._-],
    at most 100 characters, always ending in "." + extension."""
    extension = re.sub(r"[^a-z0-9]", "", str(extension).lower()) or "bin"
    suffix = "." + extension
    text = str(label or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.encode("ascii", "ignore").decode("ascii")
    if text.lower().endswith(suffix):
        text = text[: -len(suffix)]
    text = _DOWNLOAD_FORBIDDEN.sub("-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-._")
    text = text[: DOWNLOAD_NAME_MAX_CHARS - len(suffix)].rstrip("-._")
    return (text or FALLBACK_LABEL) + suffix


# --- Messages --------------------------------------------------------------------------------


def _format_bytes(value: int) -> str:
    """20971520 → "20 MB"; a Vietnamese decimal comma where needed."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if value >= factor:
            number = f"{value / factor:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{number} {unit}"
    return f"{value} byte"


def _types_label(allowed: Iterable[str]) -> str:
    return ", ".join(ext.upper() for ext in allowed)


def _unsupported(allowed: tuple[str, ...]) -> ValidationError:
    return ValidationError(
        _("Định dạng tệp không được chấp nhận. Chỉ nhận tệp %(types)s."),
        code="unsupported_type",
        params={"types": _types_label(allowed)},
    )


def _corrupt() -> ValidationError:
    return ValidationError(_("Tệp bị hỏng hoặc không đọc được."), code="corrupt")


def _xml_declarations() -> ValidationError:
    return ValidationError(
        _("Tệp có khai báo DOCTYPE hoặc ENTITY trong nội dung XML, không được chấp nhận."), code="xml_dtd"
    )


def _macro() -> ValidationError:
    return ValidationError(_("Không nhận tệp có macro (.docm, .xlsm)."), code="macro")


# --- PDF -------------------------------------------------------------------------------------


def _decode_pdf_name(raw: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), raw)


def _pdf_names_in(data: bytes) -> set[bytes]:
    return {_decode_pdf_name(m[1]) for m in _PDF_NAME.finditer(data)}


class _PdfNameScanner:
    """Collects the PDF names of interest across chunk boundaries (a name may be split between chunks)."""

    interesting = _PDF_ACTIVE_NAMES | _PDF_OPAQUE_FILTERS | {b"ObjStm"}

    def __init__(self) -> None:
        self.found: set[bytes] = set()
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        window = self._tail + chunk
        for match in _PDF_NAME.finditer(window):
            # A name touching the end may go on in the next chunk; the overlap scans it again.
            if match.end() < len(window):
                self._add(match[1])
        self._tail = window[-_PDF_OVERLAP:]

    def close(self) -> None:
        for match in _PDF_NAME.finditer(self._tail):
            self._add(match[1])
        self._tail = b""

    def _add(self, raw: bytes) -> None:
        name = _decode_pdf_name(raw)
        if name in self.interesting:
            self.found.add(name)


def _check_pdf(uploaded_file, names: set[bytes]) -> None:
    """Refuse JavaScript, automatic actions and attachments, also when hidden in compressed object streams."""
    if names & _PDF_ACTIVE_NAMES:
        raise _pdf_active()
    if b"ObjStm" in names:
        # Object streams hold dictionaries in Flate-compressed form, out of reach of the raw scan.
        if names & _PDF_OPAQUE_FILTERS:
            raise _pdf_uncheckable()
        uploaded_file.seek(0)
        if _pdf_object_stream_names(uploaded_file.read()) & _PDF_ACTIVE_NAMES:
            raise _pdf_active()


def _pdf_active() -> ValidationError:
    return ValidationError(
        _("Không nhận tệp PDF có JavaScript, hành động tự động hoặc tệp đính kèm."), code="pdf_active_content"
    )


def _pdf_object_stream_names(data: bytes) -> set[bytes]:
    """The names inside every object stream, inflated within UPLOAD_MAX_UNPACKED_BYTES in total.

    Fails closed: an object stream that does not inflate to an object-stream header (encrypted, another
    filter, a predictor) makes the PDF uncheckable.
    """
    budget = settings.UPLOAD_MAX_UNPACKED_BYTES
    view = memoryview(data)
    names: set[bytes] = set()
    done: set[int] = set()
    for name in _PDF_NAME.finditer(data):
        if _decode_pdf_name(name[1]) != b"ObjStm":
            continue
        # The stream keyword follows the dictionary that names the type.
        stream = _PDF_STREAM.search(data, name.end())
        if stream is None:
            raise _pdf_uncheckable()
        if stream.end() in done:
            continue
        done.add(stream.end())
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(view[stream.end() :], budget + 1)
        except zlib.error as exc:
            raise _pdf_uncheckable() from exc
        budget -= len(inflated)
        if budget < 0 or not inflater.eof or not _PDF_OBJSTM_HEADER.match(inflated):
            raise _pdf_uncheckable()
        names |= _pdf_names_in(inflated)
    return names


def _pdf_uncheckable() -> ValidationError:
    return ValidationError(_("Không kiểm tra được nội dung tệp PDF (tệp bị mã hóa hoặc hỏng)."), code="pdf_uncheckable")


# --- DOCX / XLSX -----------------------------------------------------------------------------


def _check_zip(uploaded_file, allowed: tuple[str, ...]) -> str:
    """Inspect an Office Open XML package and return "docx" or "xlsx"."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            return _check_archive(archive, allowed)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, zlib.error) as exc:
        raise _corrupt() from exc


def _check_archive(archive: zipfile.ZipFile, allowed: tuple[str, ...]) -> str:
    infos = archive.infolist()
    max_entries = settings.UPLOAD_MAX_ARCHIVE_ENTRIES
    if len(infos) > max_entries:
        raise ValidationError(
            _("Tệp có quá nhiều thành phần bên trong (tối đa %(max)d)."),
            code="too_many_entries",
            params={"max": max_entries},
        )
    # Declared sizes only: nothing is inflated before this, and reads below stop at the declared size.
    max_unpacked = settings.UPLOAD_MAX_UNPACKED_BYTES
    if sum(info.file_size for info in infos) > max_unpacked:
        raise ValidationError(
            _("Dung lượng sau khi giải nén vượt quá giới hạn (%(limit)s)."),
            code="unpacked_too_large",
            params={"limit": _format_bytes(max_unpacked)},
        )

    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_entry(info)
        key = info.filename.lower()  # OPC part names are case-insensitive
        if key in by_name:
            raise _corrupt()  # two parts with one name: readers would disagree on which is meant
        by_name[key] = info

    content_types = by_name.get("[content_types].xml")
    if content_types is None:
        raise _unsupported(allowed)
    has_document = "word/document.xml" in by_name
    has_workbook = "xl/workbook.xml" in by_name
    if has_document == has_workbook:
        raise _unsupported(allowed)
    extension = "docx" if has_document else "xlsx"
    if extension not in allowed:
        raise _unsupported(allowed)

    # Macros: the VBA part itself (under any folder) or a macro-enabled type (docm, xlsm, an embedded xlsm...).
    if any(key.rsplit("/", 1)[-1] == "vbaproject.bin" for key in by_name):
        raise _macro()
    manifest = _read_part(archive, content_types).replace(b"\x00", b"").lower()
    if b"macroenabled" in manifest or b"vbaproject" in manifest:
        raise _macro()

    xml_types = _scan_xml(archive, content_types, collect_types=True)
    for key, info in by_name.items():
        if info is content_types or info.is_dir():
            continue
        if key.endswith(_XML_EXTENSIONS) or _declared_xml(key, xml_types):
            _scan_xml(archive, info)
    return extension


def _check_entry(info: zipfile.ZipInfo) -> None:
    """Refuse a symlink, a path that could land outside an extraction folder, or an entry we will not read."""
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ValidationError(_("Tệp chứa liên kết tượng trưng (symlink), không được chấp nhận."), code="symlink")
    name = info.orig_filename
    if (
        not name
        or name.startswith("/")
        or ".." in name
        or "\\" in name
        or _DRIVE_LETTER.match(name)
        or any(unicodedata.category(ch)[0] == "C" for ch in name)
    ):
        raise ValidationError(_("Tệp chứa thành phần có đường dẫn không an toàn."), code="unsafe_path")
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _corrupt()  # Office writes neither encrypted entries nor other compression methods


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as part:
        return part.read(info.file_size + 1)


def _declared_xml(key: str, xml_types: dict[str, set[str]]) -> bool:
    """Whether [Content_Types].xml declares this part as XML (by Override, or Default for its extension)."""
    if key in xml_types["overrides"]:
        return True
    return "." in key and key.rsplit(".", 1)[-1] in xml_types["defaults"]


def _scan_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, collect_types: bool = False) -> dict[str, set[str]]:
    """Stream one XML part: refuse any DOCTYPE or ENTITY declaration (an entity bomb needs one).

    Two independent checks: a byte scan (NULs dropped, so UTF-16 text is seen too) and expat, which decodes
    the declared encoding and stops at the first DTD. With collect_types, also returns the XML parts that
    [Content_Types].xml declares: {"overrides": part names, "defaults": extensions}.
    """
    xml_types: dict[str, set[str]] = {"overrides": set(), "defaults": set()}

    def forbid(*args) -> None:
        raise _Forbidden

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        content_type = attrs.get("ContentType", "").strip().lower()
        if not content_type.endswith("xml"):
            return
        if local == "Override" and attrs.get("PartName"):
            xml_types["overrides"].add(attrs["PartName"].lstrip("/").lower())
        elif local == "Default" and attrs.get("Extension"):
            xml_types["defaults"].add(attrs["Extension"].lstrip(".").lower())

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.UnparsedEntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if collect_types:
        parser.StartElementHandler = start
    tail = b""
    try:
        with archive.open(info) as part:
            while chunk := part.read(_READ_BYTES):
                window = tail + chunk
                if _XML_DECLARATION.search(window.replace(b"\x00", b"")):
                    raise _Forbidden
                tail = window[-64:]
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Forbidden as exc:
        raise _xml_declarations() from exc
    except expat.ExpatError as exc:
        raise _corrupt() from exc
    return xml_types
