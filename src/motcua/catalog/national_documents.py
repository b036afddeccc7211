"""The national portal's list of documents (thành phần hồ sơ), read back into a table.

The portal's page holds one or more tables (name, form file, number of originals and copies) under
headings: documents to hand in, documents to show, notes, or a case ("Trường hợp ủy quyền…:").
The crawl flattened them into run-on text (``Tên giấy tờMẫu đơn, tờ khaiSố lượng`` opens each table,
``1 bản chính,1 bản sao`` closes each row). This reader splits the tables and rows again, then each
row into the document's short name, when it applies (``condition``) and the remarks that follow it
(``notes``), keeping the row's full text. Rows with no paper asked for are legal remarks, not
documents. What it cannot structure is reported, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from motcua.catalog.records import DocumentSection, DocumentSpec

TABLE_HEADER = re.compile(r"Tên giấy tờ\s*Mẫu đơn, tờ khai\s*Số lượng")
COUNT = re.compile(r"(\d+)\s*bản chính(?:\s*,\s*(\d+)\s*bản sao)?|(\d+)\s*bản sao")
BULLET = re.compile(r"^\s*(?:[-+*•]+\s*|\(?(?:[ivx]{1,4}|[a-h](?:\.\d+)?|\d{1,2})\)\s*|\d{1,2}\.\s+)")
# A row that opens with its case: "Trường hợp X thì (phải có) Y", "Trường hợp X phải có Y",
# "Trường hợp X, kèm theo hồ sơ phải có Y".
CASE_FIRST = re.compile(
    r"^(?:trường hợp|nếu|đối với|khi)\s+(?P<case>.+?)"
    r"(?:,?\s+thì\s+|,\s+(?=kèm theo)|\s+(?=phải (?:có|nộp|kèm theo|xuất trình)\s))(?P<rest>.+)$",
    re.I | re.S,
)
# What the row asks for, after the words that ask ("…hồ sơ phải có bản sao hợp đồng").
ASKED = re.compile(r"\bphải (?:có|nộp|kèm theo|gửi kèm theo|xuất trình)\s+", re.I)
# A long name that goes on to say what the document is for: the purpose becomes a remark.
PURPOSE = re.compile(r"\s+(?:\(sau đây gọi[^)]*\)\s*)?(?=để\s)", re.I)
SHORT_ENOUGH = 120
# "Văn bản đề nghị theo Mẫu số 01 Phụ lục I ban hành kèm theo Nghị định…": the form it follows.
FORM_REFERENCE = re.compile(r"\s+(?:được lập\s+)?theo\s+(?=(?:mẫu|phụ lục)\b)", re.I)
# A case given after the name: "Y (nếu X)", "Y trong trường hợp X", "Y đối với trường hợp X".
CASE_AFTER = re.compile(
    r"^(?P<name>.+?)\s*(?:\(\s*(?:nếu|trong trường hợp|trường hợp|đối với trường hợp|đối với)\s+(?P<paren>[^()]+)\)"
    r"|,?\s+(?:trong trường hợp|đối với trường hợp|trường hợp)\s+(?P<tail>.+))\s*$",
    re.I | re.S,
)
ASKING = re.compile(r"^(?:phải\s+)?(?:có|nộp|nộp thêm|kèm theo|gửi kèm theo|bổ sung|xuất trình)\s+", re.I)
# Sentences: a full stop or semicolon before a capital letter or a new case.
SENTENCE_END = re.compile(r"(?<=[.;])\s*(?=[A-ZĐÀ-Ỹ]|trường hợp|nếu )")
FORM_FILE = re.compile(r"\.(?:docx?|pdf|xlsx?|odt)$", re.I)
FORM_NAME = re.compile(r"(?:m[ẫa]u|mau|phụ lục|phu luc)[^.;:/]*\.(?:docx?|pdf|xlsx?|odt)$", re.I)
GLUED = re.compile(r"[a-zà-ỹđ][A-ZĐÀ-Ỹ]")  # two words the crawl glued together
SHOW = ("xuất trình",)
NOTES = ("lưu ý",)
SUBMIT = ("phải nộp", "thành phần hồ sơ", "bao gồm", "hồ sơ gồm")
LONG_NAME = 240  # a short name longer than this was not found in the row


@dataclass
class DocumentTable:
    documents: list[DocumentSpec] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join(text.split()).strip()


def _heading(text: str) -> tuple[DocumentSection, str]:
    """A table's section and, for a case, its heading as written."""
    clean = BULLET.sub("", _clean(text)).strip(" -*:")
    lower = clean.lower()
    if not clean or set(clean) <= {"-"}:
        return "submit", ""
    if any(w in lower for w in NOTES) and len(clean) < 20:
        return "note", ""
    if any(w in lower for w in SHOW) and len(clean) < 80:
        return "show", ""
    if any(w in lower for w in SUBMIT) and len(clean) < 40:
        return "submit", ""
    case = re.split(r",?\s+thì\s+", clean, maxsplit=1)[0] if lower.startswith("trường hợp") else clean
    return "submit", case


def _form_file(name: str) -> tuple[str, str | None]:
    """The row's name without the form file glued to its end, and the file's name. The file starts
    at the latest of: a word that names a form (Mẫu số…), the last separator, or a small letter
    glued to a capital (``theo mẫuTờ khai.docx``)."""
    if not FORM_FILE.search(name):
        return name, None
    starts = [max(name.rfind(";"), name.rfind(". "), name.rfind(":")) + 1]
    found = FORM_NAME.search(name)
    if found:
        starts.append(found.start())
    starts += [m.start() + 1 for m in GLUED.finditer(name)]
    start = max(starts)
    if start <= 0:
        return name, None
    form = name[start:].strip(" ;.")
    return name[:start].strip(" ;"), form or None


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def form_reference(name: str) -> tuple[str, str | None]:
    """A name that says which official form it follows → (the name, the form's reference)."""
    found = FORM_REFERENCE.search(name)
    if found is None or found.start() < 10:
        return name, None
    reference = name[found.end() :].strip(" ;.,")
    if not re.search(r"\d|phụ lục", reference, re.I):  # "theo mẫu" alone names no particular form
        return name, None
    return name[: found.start()], _capital(reference)


def split_row(text: str) -> tuple[str, str | None, list[str]]:
    """A row's text → (short name, the case it applies to or None, remarks)."""
    body = BULLET.sub("", text.lstrip("!?#"), count=1)
    sentences = _sentences(body) or [body]
    first, notes = sentences[0].rstrip(" ;."), sentences[1:]
    condition: str | None = None
    case_first = CASE_FIRST.match(first)
    if case_first:
        condition = _clean(case_first.group("case"))
        rest = case_first.group("rest")
        asked = ASKED.search(rest)
        first = rest[asked.end() :] if asked else ASKING.sub("", rest, count=1)
    else:
        after = CASE_AFTER.match(first)
        if after:
            condition = _clean(after.group("paren") or after.group("tail") or "").rstrip(" ;.)") or None
            first = after.group("name")
    purpose = PURPOSE.search(first) if len(first) > SHORT_ENOUGH else None
    if purpose and purpose.start() > 20:
        notes.insert(0, _capital(first[purpose.end() :].strip()))
        first = first[: purpose.start()]
    return _capital(_clean(first).rstrip(" ;.,:")), condition, [_capital(n.rstrip()) for n in notes]


def read_documents(text: str) -> DocumentTable:
    """The documents of a procedure, from the flattened table text."""
    result = DocumentTable()
    pieces = TABLE_HEADER.split(text or "")
    heading = pieces[0]
    for piece in pieces[1:]:
        section, case = _heading(heading)
        last = 0
        for m in COUNT.finditer(piece):
            raw = _clean(piece[last : m.start()])
            last = m.end()
            if not raw.strip(" -+*;:."):
                continue
            originals = int(m.group(1) or 0)
            copies = int(m.group(2) or m.group(3) or 0)
            named, form = _form_file(raw)
            name, condition, notes = split_row(named)
            name, reference = form_reference(name)
            form = form or reference
            lower = raw.lower()
            is_note = section == "note" or (originals == 0 and copies == 0)
            if len(name) > LONG_NAME and not is_note:
                result.problems.append(f"document name not found in a long row: {raw[:80]!r}")
            result.documents.append(
                DocumentSpec(
                    name=(name or raw)[:600],
                    originals=originals,
                    copies=copies,
                    reusable="cơ sở dữ liệu" in lower or "dữ liệu điện tử" in lower or "không phải nộp" in lower,
                    form=form,
                    section="note" if is_note else section,
                    case=case or None,
                    condition=condition,
                    notes=notes,
                    text=raw[:2000],
                )
            )
        heading = piece[last:]
    tail = _clean(heading).strip(" -*:")
    if len(pieces) > 1 and tail:
        result.problems.append(f"text after the last document not understood: {tail[:80]!r}")
    if len(pieces) == 1 and _clean(text):
        result.problems.append("no document table found in the text")
    return result
