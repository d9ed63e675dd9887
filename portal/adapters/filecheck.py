"""What may come in: an allow-list by magic bytes, images re-encoded, PDFs inspected.

- Types: PDF, JPEG, PNG, HEIC/HEIF (converted to JPEG). The name and the browser's content type are
  never trusted; the first bytes decide.
- Images: at most ``MAX_PIXELS`` pixels (checked from the header, before decoding), orientation
  applied, scaled to at most ``MAX_SIDE`` pixels on the long side, re-encoded without any metadata
  (no EXIF, no GPS).
- PDFs: refused when encrypted, or when any object reachable from the trailer carries JavaScript,
  a launch action, embedded files or rich media.

Every refusal is a ``Refused`` with a catalog id, so the user reads the reason in their language.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from portal.domain.errors import DomainError

log = logging.getLogger(__name__)

MAX_PIXELS = 50_000_000  # 50 megapixels: any phone photo, not a decompression bomb
MAX_SIDE = 2560  # stored photos: long side at most this many pixels (~200 dpi for an A4 page)
THUMB_SIZE = (320, 320)
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"}
# /EF: a file specification's embedded file (also behind a FileAttachment annotation, whose stream needs no
# /Type); /RichMediaContent: the required key of a RichMedia annotation (its /Subtype is a value, not a key)
PDF_BAD_KEYS = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/RichMedia",
                "/RichMediaContent", "/XFA"}
PDF_BAD_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
MAX_PDF_OBJECTS = 500_000

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, for any other code path


class Refused(DomainError):
    msgid = "upload.refused"


def sniff(head: bytes) -> str | None:
    """The file kind from its first bytes: 'pdf', 'jpeg', 'png', 'heif', or None.

    >>> sniff(b"%PDF-1.7 ...")
    'pdf'
    >>> sniff(b"<html><script>")
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heif"
    return None


CLEAN_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "heif": "image/jpeg"}  # what a cleaned image is


@dataclass(frozen=True)
class CleanImage:
    data: bytes  # re-encoded: pixels only, no metadata
    content_type: str
    thumbnail: bytes  # a small JPEG preview


def _open_image(path: Path) -> Image.Image:
    """A JPEG or PNG, lazily: only its header is read here. (HEIC/HEIF never reaches this process's decoders: it is
    decoded by a child process, see ``_heif_to_png``.)"""
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:  # Pillow's own guard fires first above 2 x MAX_PIXELS
        raise Refused("upload.refused_too_many_pixels", megapixels=MAX_PIXELS // 1_000_000) from exc
    except Exception as exc:  # a hostile file can make any decoder raise anything: it is simply unreadable
        raise Refused("upload.refused_broken_image") from exc
    width, height = img.size
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise Refused("upload.refused_too_many_pixels", megapixels=MAX_PIXELS // 1_000_000)
    return img


def check_image_header(path: Path, kind: str) -> None:
    """The checks that read only the header (``Image.open`` is lazy): an image of a known format, within the
    pixel limit. HEIC/HEIF is opened only by the child process that decodes it, which checks the same limit."""
    if kind != "heif":
        _open_image(path).close()


HEIF_MEMORY_LIMIT = 1536 * 1024 * 1024
HEIF_TIMEOUT = 60
_HEIF_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[4]), int(sys.argv[4])))
import pillow_heif
from PIL import Image
pillow_heif.register_heif_opener()
img = Image.open(sys.argv[1])
w, h = img.size
if w * h > int(sys.argv[3]) or w <= 0 or h <= 0:
    sys.exit(3)
img.load()
img.convert("RGB").save(sys.argv[2], format="PNG", compress_level=1)
"""


def _heif_to_png(path: Path) -> Path:
    """Decode HEIC/HEIF in a child process with a memory and time limit: libheif trusts sizes inside the
    file, so a hostile one could otherwise exhaust the server's memory before any check of ours runs."""
    import subprocess
    import sys

    out = path.with_suffix(".decoded.png")
    try:
        result = subprocess.run(  # the child limits its own address space before loading the decoder
            [sys.executable, "-c", _HEIF_CHILD, str(path), str(out), str(MAX_PIXELS), str(HEIF_MEMORY_LIMIT)],
            capture_output=True, timeout=HEIF_TIMEOUT, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out.unlink(missing_ok=True)
        raise Refused("upload.refused_broken_image") from exc
    if result.returncode == 3:
        out.unlink(missing_ok=True)
        raise Refused("upload.refused_too_many_pixels", megapixels=MAX_PIXELS // 1_000_000)
    if result.returncode != 0 or not out.exists():
        out.unlink(missing_ok=True)
        raise Refused("upload.refused_broken_image")
    return out


def _decode(path: Path, kind: str) -> Image.Image:
    """The pixels, orientation applied, at most MAX_SIDE on the long side (a big JPEG is decoded at 1/2, 1/4 … scale)."""
    img = _open_image(path)
    try:
        if kind == "jpeg":
            img.draft("RGB", (MAX_SIDE // 2, MAX_SIDE // 2))
        img.load()
        if img.getexif().get(0x0112, 1) != 1:  # rotate only when the camera says so (a rotation copies the image)
            img = ImageOps.exif_transpose(img)
        if max(img.size) > MAX_SIDE:
            img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    except Exception as exc:  # EOFError, OSError (truncated data), struct errors...: unreadable
        raise Refused("upload.refused_broken_image") from exc
    return img


def _decode_heif(path: Path) -> Image.Image:
    decoded = _heif_to_png(path)
    try:
        return _decode(decoded, "png")
    finally:
        decoded.unlink(missing_ok=True)


def _thumbnail(img: Image.Image) -> bytes:
    """A small JPEG preview of the cleaned image, made from its pixels (no second decode)."""
    scale = min(1.0, THUMB_SIZE[0] / img.width, THUMB_SIZE[1] / img.height)
    small = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), reducing_gap=2.0) if scale < 1 else img
    out = io.BytesIO()
    small.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()


def clean_image(path: Path, kind: str) -> CleanImage:
    """Decode, apply orientation, scale and re-encode without any metadata (no EXIF, no GPS); with a preview.

    HEIC/HEIF becomes a JPEG; a PNG stays a PNG.
    """
    img = _decode_heif(path) if kind == "heif" else _decode(path, kind)
    content_type = CLEAN_TYPES[kind]
    mode = "RGBA" if content_type == "image/png" and img.mode in ("RGBA", "LA", "P") else "RGB"
    if img.mode != mode:  # no second copy of an RGB photo
        img = img.convert(mode)
    img.info = {}  # else Pillow writes the upload's ICC profile, JPEG comment or PNG text again
    out = io.BytesIO()
    if content_type == "image/png":
        img.save(out, format="PNG", optimize=True)
    else:
        img.save(out, format="JPEG", quality=88)  # no exif= argument: nothing carried over
    return CleanImage(out.getvalue(), content_type, _thumbnail(img))


PDF_TOKENS = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?=[\s/<>\[\]()%{}]|$)")
STREAM, ENDSTREAM = re.compile(rb"stream"), re.compile(rb"endstream")  # re finds a literal faster than bytes.find
# keys that hold page content, fonts and images: no actions live there, and they can be huge
PDF_SKIP_KEYS = {"/Contents", "/Resources", "/Thumb", "/Metadata", "/Font", "/XObject", "/ColorSpace", "/Pattern", "/Shading"}


class PdfSyntaxScanner:
    """Looks for active-content names in a PDF's own syntax, outside stream data, fed chunk by chunk.

    Stream contents (images, compressed page content) are skipped from ``stream`` to ``endstream``:
    binary data would match short names such as ``/JS`` by chance. What hides inside compressed
    object streams is found by the object walk in ``check_pdf``. Memory stays bounded for any size,
    and the upload route feeds it while the body is still arriving.
    """

    def __init__(self) -> None:
        self.in_stream = False
        self.carry = b""
        self.found = False

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.found:
            return
        window = self.carry + chunk
        pos = 0
        while True:
            if self.in_stream:
                end = ENDSTREAM.search(window, pos)
                if end is None:  # keep a tail in case "endstream" is split between chunks
                    pos = len(window) if final else max(pos, len(window) - 16)
                    break
                self.in_stream, pos = False, end.end()
                continue
            found = STREAM.search(window, pos)
            if found is None:
                # scan the rest; a name ending exactly at the end of the window may go on in the next chunk
                # ("/JS" of "/JSON"), so it is judged then: a tail is carried over and scanned again
                match = PDF_TOKENS.search(window, pos)
                if match and (final or match.end() < len(window)):
                    self.found = True
                    return
                pos = len(window) if final else max(pos, len(window) - 32)
                break
            start = found.start()
            if PDF_TOKENS.search(window, pos, start):
                self.found = True
                return
            if window[max(0, start - 3):start] == b"end":  # a stray "endstream" outside a stream
                pos = start + 6
                continue
            self.in_stream, pos = True, start + 6
        self.carry = window[pos:]


def _scan_raw(path: Path, chunk_size: int = 4 * 1024 * 1024) -> bool:
    """Whether the file's syntax (outside streams) names active content."""
    scanner = PdfSyntaxScanner()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            scanner.feed(chunk)
    scanner.feed(b"", final=True)
    return scanner.found


def check_pdf(path: Path, *, syntax_flagged: bool | None = None) -> None:
    """Refuse a PDF that is encrypted, unreadable, or carries active content.

    Two passes, both with bounded memory: the raw bytes (catches uncompressed objects), then the
    object graph from the trailer as pypdf reads it (catches what hides in compressed object
    streams or behind #-escaped names), skipping page content, fonts and images.
    """
    if syntax_flagged is None:
        syntax_flagged = _scan_raw(path)
    if syntax_flagged:
        raise Refused("upload.refused_pdf_active")

    try:
        handle = open(path, "rb")  # a file object: pypdf would read a path wholly into memory
    except OSError as exc:
        raise Refused("upload.refused_pdf_broken") from exc
    try:
        reader = PdfReader(handle, strict=False)
        if reader.is_encrypted:
            raise Refused("upload.refused_pdf_encrypted")
        stack = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        count = 0
        while stack:
            obj = stack.pop()
            if isinstance(obj, IndirectObject):
                ref = (obj.idnum, obj.generation)
                if ref in seen:
                    continue
                seen.add(ref)
                obj = obj.get_object()
            count += 1
            if count > MAX_PDF_OBJECTS:
                raise Refused("upload.refused_pdf_broken")
            if isinstance(obj, DictionaryObject):
                for key, value in obj.items():
                    if key in PDF_BAD_KEYS:
                        raise Refused("upload.refused_pdf_active")
                    if key == "/S" and isinstance(value, NameObject) and value in PDF_BAD_ACTIONS:
                        raise Refused("upload.refused_pdf_active")
                    if key not in PDF_SKIP_KEYS:
                        stack.append(value)
            elif isinstance(obj, ArrayObject):
                stack.extend(obj)
    except Refused:
        raise
    except Exception as exc:  # pypdf on hostile input also raises AssertionError, NotImplementedError, LimitReachedError...
        log.info("unreadable PDF refused: %s", type(exc).__name__)
        raise Refused("upload.refused_pdf_broken") from exc
    finally:
        handle.close()


def images_to_pdf(images: list[bytes]) -> bytes:
    """Several cleaned photos, in order, as one PDF (one page per photo)."""
    pages = [Image.open(io.BytesIO(data)).convert("RGB") for data in images]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    return out.getvalue()
