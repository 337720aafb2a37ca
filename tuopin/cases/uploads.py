"""Checking and storing documents attached to case steps (security.md §3, ASVS 5.2.1–5.3.2).

A file is accepted only when its *content* is a PDF, JPEG, PNG or DOCX (magic bytes; a DOCX must be
a Word document package without macros, with bounded entries and expanded size), it is within the
size limit (standard ``upload_max_mb``), and its extension agrees with its content. It is stored
under MEDIA_ROOT with a server-generated name; the uploader's name is kept only as a label.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Attachment, Step

__all__ = ["sniff", "CheckedFile", "check_upload", "attach"]

DOCX_MAX_ENTRIES = 1000
DOCX_MAX_EXPANDED = 100 * 1024 * 1024
TYPES = {
    "pdf": ("application/pdf", ("pdf",)),
    "jpg": ("image/jpeg", ("jpg", "jpeg")),
    "png": ("image/png", ("png",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)),
}


def _is_docx(head: bytes, content: bytes) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            infos = z.infolist()
            if len(infos) > DOCX_MAX_ENTRIES or sum(i.file_size for i in infos) > DOCX_MAX_EXPANDED:
                return False
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, ValueError):
        return False
    has_word = "[Content_Types].xml" in names and "word/document.xml" in names
    has_macro = any(n.lower().endswith("vbaproject.bin") for n in names)
    return has_word and not has_macro


def sniff(content: bytes) -> str | None:
    """The accepted type of ``content`` by its bytes (``pdf``/``jpg``/``png``/``docx``), or None."""
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if _is_docx(head, content):
        return "docx"
    return None


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, ready to be attached to a step."""

    name: str
    kind: str
    content: bytes


def check_upload(upload: Any, *, max_bytes: int, field: str = "attachments") -> CheckedFile:
    """Validate an uploaded file (Django ``UploadedFile`` or ``(name, bytes)``); raise a Chinese error."""
    if isinstance(upload, tuple):
        name, content = upload
    else:
        name = getattr(upload, "name", "") or ""
        if upload.size > max_bytes:
            raise ValidationError({field: _("文件“%(n)s”超过%(mb)dMB的上限。") % {"n": name, "mb": max_bytes // 2**20}})
        content = upload.read(max_bytes + 1)
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1][:200] or "附件"
    if len(content) > max_bytes:
        raise ValidationError({field: _("文件“%(n)s”超过%(mb)dMB的上限。") % {"n": name, "mb": max_bytes // 2**20}})
    if not content:
        raise ValidationError({field: _("文件“%(n)s”是空文件。") % {"n": name}})
    kind = sniff(content)
    if kind is None:
        raise ValidationError({field: _("文件“%(n)s”不是PDF、JPEG、PNG或Word（.docx）文件。") % {"n": name}})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES[kind][1]:
        raise ValidationError({field: _("文件“%(n)s”的扩展名与其内容（%(k)s）不符。") % {"n": name, "k": kind.upper()}})
    return CheckedFile(name=name, kind=kind, content=content)


def attach(step: Step, files: list[CheckedFile]) -> list[Attachment]:
    """Store checked files under MEDIA_ROOT with server-generated names and link them to ``step``."""
    out = []
    for f in files:
        att = Attachment(
            step=step,
            original_name=f.name,
            content_type=TYPES[f.kind][0],
            extension=f.kind,
            size=len(f.content),
            sha256=hashlib.sha256(f.content).hexdigest(),
            uploaded_on=timezone.localdate(),
        )
        att.file.save("upload", ContentFile(f.content), save=False)
        att.save()
        out.append(att)
    return out
