"""Uploaded files: refuse hostile ones before any parser sees them, then read them as a table of text.

Order matters (security.md §3, R4): the size of the upload, then the magic bytes against the name,
then for a workbook the zip directory (entry count, declared sizes, compression ratio, macros, path
names) and a streamed decompression of every entry that stops as soon as an entry is bigger than it
claims or holds a DOCTYPE (the carrier of XXE and "billion laughs"), and only then calamine. A CSV
is counted (lines) before it is parsed. Every refusal is a ``FileRefused`` with a Chinese message.
Memory stays bounded by the configured uncompressed limit, time by the bytes actually read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["FileRefused", "Limits", "Table", "check_upload", "read_table", "sniff"]


class FileRefused(ValidationError):
    """A file refused before parsing: the message says why in Chinese."""


@dataclass(frozen=True)
class Limits:
    """Configurable bounds (settings ``TUOPIN_IMPORT_*`` override the defaults)."""

    max_bytes: int = 200 * 1024 * 1024  # the upload itself
    max_rows: int = 1_100_000  # a sheet or CSV; one spreadsheet holds 1,048,576 rows anyway
    max_entries: int = 2_000  # zip entries of a workbook
    max_unzipped: int = 1024 * 1024 * 1024  # sum of the entries' uncompressed sizes
    max_ratio: int = 150  # uncompressed ÷ compressed for any entry above 1 MB

    @classmethod
    def from_settings(cls) -> Limits:
        """The limits in force: defaults overridden by ``settings.TUOPIN_IMPORT_LIMITS`` (a dict)."""
        return cls(**getattr(settings, "TUOPIN_IMPORT_LIMITS", {}))


MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlsb", ".xlam", ".xls", ".xla"}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"%PDF", b"\xca\xfe\xba\xbe", b"#!")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def _refuse(message: str, code: str) -> FileRefused:
    return FileRefused(message, code=code)


def sniff(head: bytes, filename: str) -> str:
    """``"xlsx"`` or ``"csv"`` from the first bytes and the name; refuse anything else or a mismatch."""
    ext = Path(filename or "").suffix.lower()
    if ext in MACRO_EXTENSIONS and ext != ".xls":
        raise _refuse(_("不接受含宏的工作簿（%(ext)s），请另存为 .xlsx 后上传。") % {"ext": ext}, "macro")
    if head.startswith(OLE_MAGIC):
        raise _refuse(_("这是旧版 Excel（.xls）或其他 OLE 文件，可能含宏，请另存为 .xlsx 后上传。"), "ole")
    if head.startswith(ZIP_MAGIC):
        if ext != ".xlsx":
            raise _refuse(
                _("文件内容是压缩包/工作簿，但扩展名是“%(ext)s”，文件名与内容不符。") % {"ext": ext or _("无")},
                "mismatch",
            )
        return "xlsx"
    if ext == ".xlsx":
        raise _refuse(_("文件扩展名是 .xlsx，但内容不是 Excel 工作簿（文件名与内容不符）。"), "mismatch")
    if ext not in (".csv", ".txt"):
        raise _refuse(_("只接受 .xlsx 和 .csv 文件。"), "extension")
    if head.startswith(EXECUTABLE_MAGIC) or b"\0" in head:
        raise _refuse(_("文件扩展名是 .csv，但内容不是文本（文件名与内容不符）。"), "mismatch")
    return "csv"


def check_upload(path: Path, filename: str, limits: Limits | None = None) -> str:
    """Refuse an oversize, disguised, macro-bearing or bomb-like file; returns its kind."""
    limits = limits or Limits.from_settings()
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _refuse(
            _("文件过大（%(mb).1f MB），上限为 %(max)d MB。") % {"mb": size / 2**20, "max": limits.max_bytes // 2**20},
            "too_large",
        )
    if size == 0:
        raise _refuse(_("文件是空的。"), "empty")
    with path.open("rb") as fh:
        kind = sniff(fh.read(4096), filename)
    if kind == "xlsx":
        _check_workbook(path, limits)
    else:
        with path.open("rb") as fh:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        if lines > limits.max_rows + 10:
            raise _refuse(
                _("文件行数（%(n)d）超过上限 %(max)d 行，请分批导入。") % {"n": lines, "max": limits.max_rows},
                "too_many_rows",
            )
    return kind


def _check_workbook(path: Path, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    # A damaged central directory can also name an entry in bytes that are not the UTF-8 it claims, or
    # a compression method zipfile does not know: the same refusal, never a 500.
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, NotImplementedError):
        raise _refuse(_("工作簿已损坏，无法打开。"), "corrupt") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise _refuse(_("工作簿内部文件数异常（%(n)d个），疑似压缩炸弹。") % {"n": len(entries)}, "zip_bomb")
        names = {e.filename.lower() for e in entries}
        if any(n.endswith("vbaproject.bin") or n.endswith(".bin") and "vba" in n for n in names):
            raise _refuse(_("工作簿含有宏（vbaProject.bin），出于安全原因不予接受，请另存为不含宏的 .xlsx。"), "macro")
        if "[content_types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise _refuse(_("这个压缩包不是 Excel 工作簿（文件名与内容不符）。"), "mismatch")
        total = 0
        for e in entries:
            if e.filename.startswith(("/", "\\")) or ".." in e.filename.replace("\\", "/").split("/"):
                raise _refuse(_("工作簿内部路径异常，不予接受。"), "zip_path")
            if e.flag_bits & 0x1:  # zip encryption: nothing to read without a password (Excel never writes it)
                raise _refuse(_("工作簿内部文件已加密，无法读取；请另存为不加密的 .xlsx 后重新上传。"), "encrypted")
            total += e.file_size
            if e.file_size > 1 << 20 and e.file_size > limits.max_ratio * max(e.compress_size, 1):
                raise _refuse(
                    _("工作簿压缩比异常（%(r)d 倍），疑似压缩炸弹。") % {"r": e.file_size // max(e.compress_size, 1)},
                    "zip_bomb",
                )
        if total > limits.max_unzipped:
            raise _refuse(
                _("工作簿解压后过大（%(mb)d MB），上限为 %(max)d MB。")
                % {"mb": total >> 20, "max": limits.max_unzipped >> 20},
                "zip_bomb",
            )
        for e in entries:
            _scan_entry(archive, e, limits)


def _scan_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: Limits) -> None:
    """Stream one entry: never more than it declares (a lying header is a bomb), no DOCTYPE in XML."""
    name = entry.filename.lower()
    is_xml = name.endswith((".xml", ".rels", ".vml"))
    read = 0
    first = b""
    try:
        # Inside the try: a damaged local header (bad magic, an offset beyond the file) fails on open.
        if name.endswith("].xml") and entry.file_size < 1 << 20:
            with archive.open(entry) as fh:
                if b"macroenabled" in fh.read().lower():
                    raise _refuse(_("工作簿声明为启用宏的格式，不予接受。"), "macro")
        with archive.open(entry) as fh:
            while chunk := fh.read(1 << 20):
                if not first:
                    first = chunk[:8192]
                read += len(chunk)
                if read > entry.file_size or read > limits.max_unzipped:
                    raise _refuse(_("工作簿内部文件实际大小与声明不符，疑似压缩炸弹。"), "zip_bomb")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, UnicodeDecodeError):
        raise _refuse(_("工作簿已损坏，无法打开。"), "corrupt") from None
    if is_xml:
        head = first.lower()
        if b"<!doctype" in head or b"<!entity" in head:
            raise _refuse(_("工作簿含有 XML 实体声明（DOCTYPE/ENTITY），可能是 XML 攻击文件，不予接受。"), "xml_entity")
        if name.startswith("xl/worksheets/") and b"<dimension" in head:
            _check_dimension(head, limits)


def _check_dimension(head: bytes, limits: Limits) -> None:
    start = head.find(b"<dimension")
    ref = head[start : start + 80].split(b'"')
    if len(ref) > 1:
        digits = "".join(ch for ch in ref[1].decode("ascii", "replace").split(":")[-1] if ch.isdigit())
        if digits and int(digits) > limits.max_rows + 10:
            raise _refuse(
                _("工作表行数（%(n)s）超过上限 %(max)d 行，请分批导入。") % {"n": digits, "max": limits.max_rows},
                "too_many_rows",
            )


@dataclass
class Table:
    """A sheet as text: ``rows[i]`` is a list of cell strings, ``rownums[i]`` its row number in the file.

    ``notes`` are things the reader understood on the user's behalf (merged cells filled, blank lines
    skipped, encoding detected, Excel numbers turned into text) — shown in the preview, never silent.
    ``bad_cells`` maps (row index, column index) to a problem found while reading (e.g. an ID number
    that Excel stored as a floating-point number and so lost digits).
    """

    rows: list[list[str]]
    rownums: list[int]
    encoding: str = ""
    notes: list[str] = field(default_factory=list)
    bad_cells: dict[tuple[int, int], str] = field(default_factory=dict)


def _text(value: Any) -> tuple[str, str | None]:
    """A cell as text, and a problem when the conversion lost information."""
    if value is None:
        return "", None
    if isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) >= 2**53:  # Excel keeps 15 significant digits: an 18-digit ID typed as a number is gone
                return f"{value:.0f}", _(
                    "该单元格是数字格式，超过15位的号码已被Excel截断，请把该列设为文本后重新录入。"
                )
            return str(int(value)), None
        return repr(value), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" "), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    return str(value), None


def _read_xlsx(path: Path, limits: Limits) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
    except Exception:  # noqa: BLE001 - any parser failure is a refusal with one message
        raise _refuse(_("工作簿无法读取，请确认文件未损坏。"), "corrupt") from None
    if sheet.total_height > limits.max_rows + 10:
        raise _refuse(_("工作表行数超过上限 %(max)d 行，请分批导入。") % {"max": limits.max_rows}, "too_many_rows")
    raw = sheet.to_python(skip_empty_area=False)
    table = Table(rows=[], rownums=[], encoding="xlsx")
    text_only = {str}
    for i, row in enumerate(raw):
        if set(map(type, row)) <= text_only:  # most sheets are text: no per-cell conversion (C-level check)
            table.rows.append(row)
            continue
        cells = []
        for j, value in enumerate(row):
            text, problem = _text(value)
            cells.append(text)
            if problem:
                table.bad_cells[(i, j)] = problem
        table.rows.append(cells)
    table.rownums = list(range(1, len(table.rows) + 1))
    merged = sheet.merged_cell_ranges or []
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(table.rows):
            continue
        value = table.rows[r0][c0] if c0 < len(table.rows[r0]) else ""
        for r in range(r0, min(r1, len(table.rows) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(table.rows[r]):
                    table.rows[r][c] = value
    if merged:
        table.notes.append(_("工作表有%(n)d处合并单元格，已按合并区域的值填入每一行。") % {"n": len(merged)})
    book.close()
    return table


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and the encoding: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), _("UTF-8（带BOM）")
        except UnicodeDecodeError:
            raise _refuse(
                _("文件以 UTF-8 标记开头，但内容不是有效的 UTF-8：请重新保存为 UTF-8 或 GBK 编码的 CSV。"), "encoding"
            ) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030/GBK"
    except UnicodeDecodeError:
        raise _refuse(_("无法识别文件编码：请保存为 UTF-8 或 GBK 编码的 CSV。"), "encoding") from None


def _read_csv(path: Path) -> Table:
    text, encoding = decode_csv(path.read_bytes())
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    # newline=None: a lone carriage return (old Mac Excel) ends a line like CRLF and LF do, instead of
    # being "a new-line character in an unquoted field".
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. an unterminated quote running past the field size limit
        raise _refuse(
            _("CSV 文件第%(line)d行格式有误（%(why)s），请检查引号是否成对。") % {"line": reader.line_num, "why": exc},
            "csv_format",
        ) from None
    return Table(rows=rows, rownums=list(range(1, len(rows) + 1)), encoding=encoding)


def read_table(path: Path, kind: str, limits: Limits | None = None) -> Table:
    """The first sheet (or the CSV) as text rows; call :func:`check_upload` first."""
    limits = limits or Limits.from_settings()
    table = _read_xlsx(path, limits) if kind == "xlsx" else _read_csv(path)
    if kind == "csv":
        table.notes.append(_("文件编码识别为 %(enc)s。") % {"enc": table.encoding})
    return table


def normalise(value: str) -> str:
    """Full-width letters, digits and spaces to their ASCII forms (NFKC), trimmed."""
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


def iter_chunks(seq: list[Any], size: int) -> Iterator[list[Any]]:
    """Slices of ``seq`` of at most ``size`` items."""
    for i in range(0, len(seq), size):
        yield seq[i : i + size]
