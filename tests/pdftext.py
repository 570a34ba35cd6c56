"""Read back what a generated PDF says, as a reader would: each page's text, NFC, runs of blanks as one
space (justified lines come back with wider gaps), through pypdf."""
import io
import re
import unicodedata

from pypdf import PdfReader


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-"), data[:20]
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", unicodedata.normalize("NFC", page.extract_text())) for page in reader.pages]


def pdf_text(data: bytes) -> str:
    """The whole document's text, pages joined; a line break reads as a space, so a wrapped sentence
    still reads whole unless it wrapped inside a word."""
    return " ".join(pdf_pages(data))
