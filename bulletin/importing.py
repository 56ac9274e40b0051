"""
Reading article files in the site's export format:

    Site - Section - Title
    <blank>
    Title
    <blank>
    Paragraph, paragraph, ...

Parsing is pure (bytes in, a ParsedArticle or an ImportFailure out), so the command
only decides what to write.
"""

import codecs
import hashlib
from dataclasses import dataclass

from charset_normalizer import from_bytes
from django.utils.html import escape

HEADER_SEPARATOR = " - "
MAX_FILE_BYTES = 5 * 1024 * 1024


class ImportFailure(Exception):
    """A file that cannot be imported; the message says why, for a person."""


@dataclass(frozen=True)
class ParsedArticle:
    site: str
    section: str
    title: str
    paragraphs: list
    checksum: str
    encoding: str = "utf-8"

    @property
    def body_html(self):
        return "\n".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)

    @property
    def summary(self):
        first = self.paragraphs[0] if self.paragraphs else ""
        return first if len(first) <= 300 else first[:297].rsplit(" ", 1)[0] + "…"


# Legacy encodings the old site's exports come in. For short texts charset_normalizer
# often ranks a rarer code page first by a hair (cp1250 for French, Thai cp874 for
# GBK), decoding the file into nonsense; these win when they score about as well.
PREFERRED_ENCODINGS = ["cp1252", "gb18030"]  # gb18030 is a superset of GBK and GB2312
CHAOS_TOLERANCE = 0.05


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text of a file and the encoding it was read in: the one given, else UTF-8 (with
    or without BOM), UTF-16, or the legacy encoding that fits best."""
    if encoding:
        try:
            return data.decode(encoding), codecs.lookup(encoding).name
        except UnicodeDecodeError as error:
            raise ImportFailure(f"file is not valid {encoding} ({error.reason})") from error
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as error:
        # A BOM promises an encoding; bytes that break it are not a text file.
        raise ImportFailure(
            f"file is not valid text in the encoding its BOM announces ({error.reason})"
        ) from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise ImportFailure("cannot tell the file's text encoding")
    for encoding in PREFERRED_ENCODINGS:
        for match in results:
            if (
                encoding in match.could_be_from_charset
                and match.chaos <= best.chaos + CHAOS_TOLERANCE
                and match.coherence >= best.coherence
            ):
                return str(match), encoding
    return str(best), best.encoding


def parse(data: bytes, encoding: str | None = None) -> ParsedArticle:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailure(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFailure("file is binary, not text")
    text, encoding = decode(data, encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ImportFailure("file is empty")
    header = lines[0].strip()
    parts = header.split(HEADER_SEPARATOR, 2)
    if len(parts) != 3 or not all(part.strip() for part in parts):
        raise ImportFailure(
            f"first line is not a header of the form 'Site - Section - Title': {header[:80]!r}"
        )
    site, section, header_title = (part.strip() for part in parts)

    blocks, current = [], []
    for line in lines[1:]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))

    # The title line repeats the header's title; the rest are paragraphs.
    title = header_title
    if blocks and blocks[0] == header_title:
        blocks = blocks[1:]
    if not blocks:
        raise ImportFailure("file has a header but no paragraphs")
    # The model's lengths: PostgreSQL refuses longer values with an error mid-run.
    if len(site) > 200 or len(title) > 200 or len(section) > 100:
        raise ImportFailure(
            "site, title or section name is too long (200, 200 and 100 characters at most)"
        )
    normalised = "\n".join([site, section, title, *blocks])
    return ParsedArticle(
        site=site,
        section=section,
        title=title,
        paragraphs=blocks,
        checksum=hashlib.sha256(normalised.encode("utf-8")).hexdigest(),
        encoding=encoding,
    )
