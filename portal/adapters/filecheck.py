"""What may come in: an allow-list by magic bytes, images re-encoded, PDFs inspected.

- Types: PDF, JPEG, PNG, HEIC/HEIF (converted to JPEG). The name and the browser's content type are
  never trusted; the first bytes decide.
- Images: at most ``MAX_PIXELS`` pixels (checked from the header, before decoding), orientation
  applied, scaled to at most ``MAX_SIDE`` pixels on the long side, re-encoded without any metadata
  (no EXIF, no GPS).
- PDFs: refused when encrypted; when any object reachable from the trailer carries JavaScript, an
  action other than plain in-document navigation (``/GoTo``), embedded files, rich media or other media;
  and when they are too big to check safely (pages, objects, inflated bytes: see "PDF limits" below).

Every refusal is a ``Refused`` with a catalog id, so the user reads the reason in their language.
"""

from __future__ import annotations

import io
import logging
import os
import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from PIL import Image, ImageOps
from pypdf import PdfReader, apply_configuration
from pypdf.generic import (ArrayObject, DictionaryObject, EncodedStreamObject, IndirectObject, NameObject, NullObject,
                           NumberObject, PdfObject, StreamObject)

from portal.errors import DomainError

log = logging.getLogger(__name__)

MAX_PIXELS = 50_000_000  # 50 megapixels: any phone photo, not a decompression bomb
MAX_SIDE = 2560  # stored photos: long side at most this many pixels (~200 dpi for an A4 page)
THUMB_SIZE = (320, 320)
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"}
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


# -- PDFs ---------------------------------------------------------------------------------------------------
#
# PDF limits. Checking a PDF inflates two kinds of stream only: cross-reference streams (read when pypdf opens
# the file) and object streams (compressed containers of ordinary objects, inflated when one of their objects is
# looked up). Page content, fonts and images are never decoded: the walk skips them, and pypdf decodes a stream
# only when asked. Both kinds are measured before pypdf inflates them (``_PdfBudget.charge``: zlib in 1 MiB
# steps, the output counted and dropped) against one budget per file, so no stream is ever inflated unbounded:
#
# - inflated bytes: 8 x the file size, at least 16 MiB, at most 128 MiB. Object streams hold only the small
#   objects (pages, annotations, outlines, structure elements: ~100-300 bytes each), which in real files inflate
#   to a fraction of the file size (a scan of 300 pages: ~60 KB); 16 MiB passes any small file and takes ~20 ms
#   to inflate; 128 MiB is MAX_PDF_OBJECTS objects of ~250 bytes. And at most 16 MiB for one stream: writers put
#   some hundred objects in one (qpdf at most 100), and pypdf holds a stream's inflated bytes twice while it
#   parses them (a hostile 15 MiB one: ~0.8 s, ~40 MB). A 342 KB file of three 70 MB streams is refused after
#   inflating 16 MiB, in ~0.05 s.
# - MAX_PDF_OBJECTS numbered objects, counted in the cross-reference and (separately) in the object streams
#   inflated: real files have ~5-20 a page (page, contents, images, fonts, annotations), up to ~100 with a tagged
#   PDF's structure elements: 5,000 pages x 100. pypdf keeps every object it parsed in memory, so this bounds
#   memory too (~120 MB for pypdf's cross-reference of 500,000 entries).
# - MAX_PDF_PAGES: the 250 MB scanned mortgage offer has ~300 pages; 5,000 is some ten full binders.
# - MAX_PDF_CONTAINERS dictionaries and arrays looked at by the walk (direct ones included): 4 per object;
#   real files have 1-2 (what page content, fonts and images hold is skipped).
# - PDF_CHECK_SECONDS: a backstop for slow paths in pypdf (which parses in Python) that the limits above miss;
#   real files take well under a second.
MAX_PDF_PAGES = 5_000
MAX_PDF_OBJECTS = 500_000
MAX_PDF_CONTAINERS = 4 * MAX_PDF_OBJECTS
PDF_INFLATE_RATIO, PDF_INFLATE_MIN, PDF_INFLATE_MAX = 8, 16 * 2**20, 128 * 2**20
PDF_INFLATE_STREAM_MAX = 16 * 2**20
PDF_CHECK_SECONDS = 30
INFLATE_STEP = 2**20

# /EF: a file specification's embedded file (also behind a FileAttachment annotation, whose stream needs no
# /Type); /RichMediaContent: the required key of a RichMedia annotation (its /Subtype is a value, not a key)
PDF_BAD_KEYS = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/RichMedia",
                "/RichMediaContent", "/XFA"}
# every action type of ISO 32000-2 (table 201) except /GoTo, refused in any dictionary; where a viewer looks for
# an action (PDF_ACTION_KEYS, and every entry of an /AA dictionary), anything but a /GoTo is refused
PDF_ACTIONS = {"/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/URI", "/Sound", "/Movie", "/Hide", "/Named",
               "/SubmitForm", "/ResetForm", "/ImportData", "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView",
               "/JavaScript", "/RichMediaExecute"}
PDF_ACTION_KEYS = {"/A", "/OpenAction", "/PA", "/Next"}
# annotations that open or play something: attached files, sound, movies, screens (renditions), 3D, rich media
PDF_BAD_ANNOTATIONS = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/3D", "/RichMedia"}
PDF_FILTERS = {"/FlateDecode", "/LZWDecode", "/RunLengthDecode", "/ASCIIHexDecode", "/ASCII85Decode", "/CCITTFaxDecode",
               "/JBIG2Decode", "/DCTDecode", "/JPXDecode", "/BrotliDecode", "/Crypt"}
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


def _inflated_size(data: bytes, limit: int) -> int:
    """How many bytes zlib ``data`` inflates to, counting no further than ``limit + 1``; never more than
    INFLATE_STEP of output in memory. Raises ``zlib.error`` on data zlib cannot read.

    >>> _inflated_size(zlib.compress(bytes(5000)), 10_000)
    5000
    >>> _inflated_size(zlib.compress(bytes(5000)), 100)
    101
    """
    inflater = zlib.decompressobj()
    total, pending = 0, data
    while total <= limit:
        out = inflater.decompress(pending, min(INFLATE_STEP, limit + 1 - total))
        total += len(out)
        if inflater.eof or (not out and len(inflater.unconsumed_tail) == len(pending)):
            break  # the end, or no progress (the input is used up)
        pending = inflater.unconsumed_tail
    return total


class _PdfBudget:
    """What one PDF check may still inflate and parse (see "PDF limits"); the first refusal sticks.

    pypdf catches any exception while it reads the cross-reference, and goes on with what it has: a refusal
    raised there is remembered and raised again after each call into pypdf.
    """

    def __init__(self, file_size: int) -> None:
        self.inflate = min(PDF_INFLATE_MAX, max(PDF_INFLATE_MIN, PDF_INFLATE_RATIO * file_size))
        self.inflate_left = self.inflate
        self.objects_left = MAX_PDF_OBJECTS
        self.refusal: Refused | None = None

    def refuse(self, msgid: str, **params: object) -> NoReturn:
        if self.refusal is None:
            self.refusal = Refused(msgid, **params)
        raise self.refusal

    def raise_if_refused(self) -> None:
        if self.refusal is not None:
            raise self.refusal

    def pypdf_limits(self) -> dict[str, int]:
        """pypdf's own caps for one stream, set to ours: a second line, should a stream ever escape ``charge``."""
        names = ("zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
                 "brotli_maximum_output_length", "jbig2_maximum_output_length", "array_based_stream_maximum_output_length")
        return dict.fromkeys(names, min(self.inflate, PDF_INFLATE_STREAM_MAX))

    def charge(self, stream: StreamObject) -> None:
        """Before pypdf inflates an object stream or a cross-reference stream: count its objects and inflate it here,
        within what is left; refuse a filter whose output cannot be bounded before it runs (only Flate, or none)."""
        kind = dict.get(stream, "/Type")
        if not (kind in ("/ObjStm", "/XRef") or isinstance(kind, IndirectObject)):
            return  # pypdf decodes no other stream while we check
        count = dict.get(stream, "/Size" if kind == "/XRef" else "/N")  # the highest object number + 1; objects held
        count = max(0, int(count)) if isinstance(count, NumberObject) else 0
        if kind == "/XRef" and count > MAX_PDF_OBJECTS + 1:
            self.refuse("upload.refused_pdf_too_complex")  # before pypdf parses that many entries
        elif kind != "/XRef":
            self.objects_left -= count
            if self.objects_left < 0:
                self.refuse("upload.refused_pdf_too_complex")
        filters = dict.get(stream, "/Filter")
        filters = list(filters) if isinstance(filters, ArrayObject) else [] if filters is None else [filters]
        data = stream._data  # the bytes as stored (pypdf has no public name for them)
        if not filters:
            size = len(data)
        elif filters == ["/FlateDecode"]:
            try:
                size = _inflated_size(data, min(self.inflate_left, PDF_INFLATE_STREAM_MAX))
            except zlib.error:
                self.refuse("upload.refused_pdf_broken")
        elif all(name in PDF_FILTERS for name in filters):
            self.refuse("upload.refused_pdf_too_complex")  # a real filter, but its output is not bounded here
        else:
            self.refuse("upload.refused_pdf_broken")
        self.inflate_left -= size
        if self.inflate_left < 0 or size > PDF_INFLATE_STREAM_MAX:
            self.refuse("upload.refused_pdf_too_complex")


class _BoundedReader(PdfReader):
    """pypdf's reader with the check's limits, for our walk and for pypdf's own look-ups alike.

    - Every object stream and cross-reference stream is charged to the budget before pypdf inflates it (pypdf
      caches each such stream object as it reads it, just before inflating it), and the objects it declares are
      counted; so are the cross-reference's entries once it is read.
    - A broken cross-reference is not rebuilt: pypdf would read the whole file into memory and inflate every
      object stream it finds. Such a file is refused as unreadable, as is one that needs pypdf's repair of
      damaged cross-reference entries more than once (each repair reads the whole file into memory).
    - A look-up never searches the whole file: an object not in the cross-reference is null (as ISO 32000-2
      7.3.10 says), an object whose header is not where the cross-reference says makes the file unreadable, and
      an object stream is parsed once (pypdf keeps all its objects: one it lacks is null; pypdf would parse the
      stream's whole index again for each).
    """

    def __init__(self, stream: io.BufferedReader, budget: _PdfBudget) -> None:
        self.budget = budget
        self.unpacked: set[int] = set()  # object streams pypdf has parsed
        self.opened = self.repaired = False
        super().__init__(stream, strict=False, xref_stream_maximum_entries=2 * MAX_PDF_OBJECTS)
        self.opened = True
        budget.raise_if_refused()
        if sum(map(len, self.xref.values())) + len(self.xref_objStm) > MAX_PDF_OBJECTS:
            budget.refuse("upload.refused_pdf_too_complex")

    def cache_indirect_object(self, generation: int, idnum: int, obj: PdfObject | None) -> PdfObject | None:
        if isinstance(obj, StreamObject):
            self.budget.charge(obj)
        return super().cache_indirect_object(generation, idnum, obj)

    def _rebuild_xref_table(self, stream: object) -> NoReturn:  # pypdf's repair of a broken cross-reference
        self.budget.refuse("upload.refused_pdf_broken")

    def _load_recovery_cache(self, data: bytes) -> dict[int, tuple[int, int]]:  # pypdf: repair of an xref section
        if self.repaired:
            self.budget.refuse("upload.refused_pdf_broken")
        self.repaired = True
        return super()._load_recovery_cache(data)

    def get_object(self, indirect_reference: int | IndirectObject) -> PdfObject | None:
        ref = indirect_reference if isinstance(indirect_reference, IndirectObject) else IndirectObject(indirect_reference, 0, self)
        if not self.opened or (ref.generation, ref.idnum) in self.resolved_objects:
            return super().get_object(ref)
        stm = self.xref_objStm.get(ref.idnum) if ref.generation == 0 else None
        if stm is not None:
            stm = stm[0]
            if stm in self.unpacked:
                return NullObject()  # pypdf parsed that stream whole and kept every object it holds
            self._check_header(stm, 0)
            obj = super().get_object(ref)
            self.unpacked.add(stm)
            holder = self.resolved_objects.get((0, stm))
            if isinstance(holder, EncodedStreamObject):
                holder.decoded_self = None  # its objects are parsed: let the inflated bytes go
        elif ref.idnum in self.xref.get(ref.generation, {}):
            if self.xref_free_entry.get(ref.generation, {}).get(ref.idnum):
                return NullObject()
            self._check_header(ref.idnum, ref.generation)
            obj = super().get_object(ref)
        else:
            return None  # not defined: null, as pypdf answers after searching the whole file for it
        self.budget.raise_if_refused()
        return obj

    def _check_header(self, idnum: int, generation: int) -> None:
        """The object's ``idnum generation obj`` is where the cross-reference says (pypdf would otherwise search
        the whole file for it); an object stream must be a plain object."""
        offset = self.xref.get(generation, {}).get(idnum)
        found = None
        if offset is not None and not (generation == 0 and idnum in self.xref_objStm):
            self.stream.seek(offset)
            try:
                found = self.read_object_header(self.stream)
            except Exception:  # ValueError, PdfStreamError...: not an object header
                found = None
        if found != (idnum, generation):
            self.budget.refuse("upload.refused_pdf_broken")


class _PdfWalk:
    """Every object reachable from the trailer, each once, by pypdf's reading of it (indirect references and
    object streams resolved); page content, fonts and images skipped."""

    def __init__(self, reader: _BoundedReader) -> None:
        self.reader, self.budget = reader, reader.budget
        self.pages = self.containers = 0

    def run(self) -> None:
        self._check_page_count()
        deadline = time.monotonic() + PDF_CHECK_SECONDS
        stack: list[PdfObject] = [self.reader.trailer]
        seen: set[tuple[int, int]] = set()
        while stack:
            obj = stack.pop()
            if isinstance(obj, IndirectObject):
                ref = (obj.idnum, obj.generation)
                if ref in seen:
                    continue
                seen.add(ref)
                obj = self.reader.get_object(obj)
            if not isinstance(obj, (DictionaryObject, ArrayObject)):
                continue
            self.containers += 1
            if self.containers > MAX_PDF_CONTAINERS or (self.containers % 1024 == 0 and time.monotonic() > deadline):
                self.budget.refuse("upload.refused_pdf_too_complex")
            if isinstance(obj, ArrayObject):
                stack.extend(v for v in obj if isinstance(v, (DictionaryObject, ArrayObject, IndirectObject)))
                continue
            self._check_dictionary(obj)
            for key, value in dict.items(obj):
                if key in PDF_BAD_KEYS:
                    self._active()
                if key in PDF_ACTION_KEYS:
                    self._check_action(value, several=key == "/Next")
                elif key == "/AA":  # additional actions: event name -> action
                    events = self._resolve(value)
                    for action in dict.values(events) if isinstance(events, DictionaryObject) else ():
                        self._check_action(action)
                if key not in PDF_SKIP_KEYS and isinstance(value, (DictionaryObject, ArrayObject, IndirectObject)):
                    stack.append(value)

    def _check_page_count(self) -> None:
        """The page tree's own count, before the walk (which counts the pages it meets: a count can lie)."""
        root = self._resolve(dict.get(self.reader.trailer, "/Root"))
        pages = self._resolve(dict.get(root, "/Pages")) if isinstance(root, DictionaryObject) else None
        count = self._resolve(dict.get(pages, "/Count")) if isinstance(pages, DictionaryObject) else None
        if isinstance(count, NumberObject) and count > MAX_PDF_PAGES:
            self.budget.refuse("upload.refused_pdf_too_many_pages", pages=MAX_PDF_PAGES)

    def _check_dictionary(self, obj: DictionaryObject) -> None:
        kind, type_ = self._name(obj, "/S"), self._name(obj, "/Type")
        if kind in PDF_ACTIONS or (type_ == "/Action" and kind != "/GoTo"):
            self._active()
        if self._name(obj, "/Subtype") in PDF_BAD_ANNOTATIONS:
            self._active()
        if type_ == "/Page":
            self.pages += 1
            if self.pages > MAX_PDF_PAGES:
                self.budget.refuse("upload.refused_pdf_too_many_pages", pages=MAX_PDF_PAGES)

    def _check_action(self, value: PdfObject, *, several: bool = False) -> None:
        """``value`` sits where a viewer runs an action (/Next: one or an array of them): only /GoTo passes."""
        action = self._resolve(value)
        if several and isinstance(action, ArrayObject):
            for item in action:
                self._check_action(item)
        elif isinstance(action, DictionaryObject) and ("/S" in action or self._name(action, "/Type") == "/Action"):
            if self._name(action, "/S") != "/GoTo":
                self._active()

    def _resolve(self, value: PdfObject | None) -> PdfObject | None:
        for _ in range(32):  # an object may be a reference to another: follow a few, never a cycle
            if not isinstance(value, IndirectObject):
                return value
            value = self.reader.get_object(value)
        self.budget.refuse("upload.refused_pdf_broken")

    def _name(self, obj: DictionaryObject, key: str) -> str | None:
        value = self._resolve(dict.get(obj, key))
        return str(value) if isinstance(value, NameObject) else None

    def _active(self) -> NoReturn:
        self.budget.refuse("upload.refused_pdf_active")


def check_pdf(path: Path, *, syntax_flagged: bool | None = None) -> None:
    """Refuse a PDF that is encrypted, unreadable, too big to check (see "PDF limits"), or carries active content.

    Two passes: the raw bytes (catches uncompressed objects; the upload route runs it as the body arrives),
    then the object graph from the trailer as pypdf reads it (the authority: indirect references and compressed
    object streams resolved, ``#``-escaped names decoded), skipping page content, fonts and images. Memory and
    time stay bounded by the limits above, whatever the file holds.
    """
    if syntax_flagged is None:
        syntax_flagged = _scan_raw(path)
    if syntax_flagged:
        raise Refused("upload.refused_pdf_active")

    try:
        handle = open(path, "rb")  # a file object: pypdf would read a path wholly into memory
    except OSError as exc:
        raise Refused("upload.refused_pdf_broken") from exc
    with handle:
        budget = _PdfBudget(os.fstat(handle.fileno()).st_size)
        try:
            with apply_configuration(**budget.pypdf_limits()):
                reader = _BoundedReader(handle, budget)
                if reader.is_encrypted:
                    raise Refused("upload.refused_pdf_encrypted")
                _PdfWalk(reader).run()
        except Refused:
            raise
        except Exception as exc:  # pypdf on hostile input also raises AssertionError, NotImplementedError, LimitReachedError...
            if budget.refusal is not None:  # ours, which pypdf caught and replaced
                raise budget.refusal from exc
            log.info("unreadable PDF refused: %s", type(exc).__name__)
            raise Refused("upload.refused_pdf_broken") from exc


def images_to_pdf(images: list[bytes]) -> bytes:
    """Several cleaned photos, in order, as one PDF (one page per photo)."""
    pages = [Image.open(io.BytesIO(data)).convert("RGB") for data in images]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    return out.getvalue()
