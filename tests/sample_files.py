"""Files to upload in tests: good ones, and one of every kind the upload pipeline must refuse.

The hostile PDFs are written byte by byte (``plain_pdf``, ``objstm_pdf``) so each hides its content
exactly where the test says: in plain syntax, behind ``#``-escaped names, or inside a Flate-compressed
object stream (pypdf 7 reads object streams but cannot write them, so ``objstm_pdf`` builds one; the
tests read every file back with pypdf to prove it is a valid PDF).
"""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import ExifTags, Image
from pypdf import PdfWriter

# -- PDFs ------------------------------------------------------------------------------------------

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = {2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"}


def stream(dict_body: bytes, data: bytes) -> bytes:
    return b"<< " + dict_body + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def plain_pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF with the given objects (``{number: body}``) and a classic xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + objects[n] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def objstm_pdf(compressed: dict[int, bytes], plain: dict[int, bytes] | None = None, root: int = 1) -> bytes:
    """A PDF whose ``compressed`` objects live in one Flate-compressed /ObjStm, with a cross-reference stream:
    nothing of them is visible in the file's bytes."""
    plain = dict(plain or {})
    nums = sorted(compressed)
    offsets_in_stream, at = [], 0
    for n in nums:
        offsets_in_stream.append(at)
        at += len(compressed[n]) + 1
    header = b" ".join(b"%d %d" % (n, o) for n, o in zip(nums, offsets_in_stream)) + b"\n"
    payload = header + b"\n".join(compressed[n] for n in nums) + b"\n"
    stm = max([*compressed, *plain]) + 1
    plain[stm] = stream(b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(nums), len(header)),
                        zlib.compress(payload))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(plain):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + plain[n] + b"\nendobj\n"
    xref_num = stm + 1
    offsets[xref_num] = len(out)
    rows = bytearray()
    for n in range(xref_num + 1):
        if n in compressed:
            rows += struct.pack(">BIH", 2, stm, nums.index(n))
        elif n in offsets:
            rows += struct.pack(">BIH", 1, offsets[n], 0)
        else:
            rows += struct.pack(">BIH", 0, 0, 65535)
    out += b"%d 0 obj\n" % xref_num + stream(
        b"/Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Filter /FlateDecode" % (xref_num + 1, root), zlib.compress(bytes(rows))
    ) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_num]
    return bytes(out)


def clean_pdf(text: str = "Loonstrook mei") -> bytes:
    from portal.adapters.pdf import text_pdf

    return text_pdf(text, [f"{text}: gewone inhoud, geen scripts."])


def clean_objstm_pdf() -> bytes:
    return objstm_pdf({1: CATALOG, **PAGES})


JS_ACTION = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"


def pdf_js_open_action() -> bytes:
    """JavaScript run on opening, in plain syntax."""
    return plain_pdf({1: JS_ACTION, **PAGES})


def pdf_js_in_object_stream() -> bytes:
    """The same OpenAction, but inside a compressed object stream: only the object walk can see it."""
    return objstm_pdf({1: JS_ACTION, **PAGES})


def pdf_js_escaped_names() -> bytes:
    """``/J#61vaScript`` and ``/J#53`` are ``/JavaScript`` and ``/JS`` to a PDF reader, not to a byte search."""
    return plain_pdf({1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
                      **PAGES})


def pdf_launch_escaped() -> bytes:
    return plain_pdf({1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /L#61unch /F (cmd.exe) >> >>", **PAGES})


def pdf_js_on_link() -> bytes:
    """JavaScript behind a link annotation on the page, in an object stream."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>"
    link = b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /JavaScript /JS (this.submitForm()) >> >>"
    return objstm_pdf({1: CATALOG, 2: PAGES[2], 3: page, 4: link})


def pdf_embedded_file() -> bytes:
    """An attachment the usual way (pypdf's ``add_attachment``: the /EmbeddedFiles name tree)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("factuur.exe", b"MZ\x90\x00 not really a program")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_file_attachment_annotation() -> bytes:
    """An embedded file behind a FileAttachment annotation, in an object stream; the file's stream has no /Type
    (it is optional), so neither /EmbeddedFile nor /EmbeddedFiles appears anywhere."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>"
    annot = (b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] "
             b"/FS << /Type /Filespec /F (factuur.exe) /EF << /F 5 0 R >> >> >>")
    return objstm_pdf({1: CATALOG, 2: PAGES[2], 3: page, 4: annot}, {5: stream(b"", b"MZ\x90\x00 payload")})


def pdf_rich_media() -> bytes:
    """A RichMedia (Flash/3D) annotation in an object stream: its content dictionary is the tell."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>"
    annot = b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 20 20] /RichMediaContent << /Assets << /Names [] >> >> >>"
    return objstm_pdf({1: CATALOG, 2: PAGES[2], 3: page, 4: annot})


def pdf_encrypted(user_password: str = "geheim") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password, "eigenaar", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_with_active_names_in_stream_data(size: int = 600_000) -> bytes:
    """A valid PDF whose big binary image data happens to contain ``/JS ``, ``/JavaScript`` and ``/Launch``:
    stream data is not PDF syntax, so this is NOT active content."""
    junk = bytearray(os.urandom(size))
    for at in range(1000, size - 100, size // 8):
        junk[at:at + 40] = b" /JS (x) /JavaScript /Launch /EmbeddedFiles"
    side = int(len(junk) ** 0.5)
    data = bytes(junk[: side * side])
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>"
    image = stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
                   % (side, side), data)
    content = stream(b"", b"q 200 0 0 200 0 0 cm /Im1 Do Q /JS % not an operator, just bytes")
    return plain_pdf({1: CATALOG, 2: PAGES[2], 3: page, 4: image, 5: content})


def pdf_of_size(size: int) -> bytes:
    """A valid PDF of exactly ``size`` bytes (a comment pads it; readers ignore what follows %%EOF)."""
    base = clean_pdf("Precies op de grens")
    assert size >= len(base) + 2
    return base + b"%" + b"x" * (size - len(base) - 2) + b"\n"


BROKEN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"  # a header and then nothing readable
HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>fetch('/steal?c='+document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00"
       b"\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
ZIP = b"PK\x03\x04" + b"\x00" * 26


# -- images ----------------------------------------------------------------------------------------

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 22.0, 12.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (4.0, 53.0, 30.0),
}
LEFT, RIGHT = (220, 30, 30), (30, 30, 220)  # red left half, blue right half: shows where a rotation went


def two_tone(size: tuple[int, int]) -> Image.Image:
    img = Image.new("RGB", size, RIGHT)
    img.paste(LEFT, (0, 0, size[0] // 2, size[1]))
    return img


def jpeg(size: tuple[int, int] = (120, 80), *, color: tuple[int, int, int] | None = None, orientation: int | None = None,
         gps: bool = False, comment: bytes = b"") -> bytes:
    """A phone-like photo: camera EXIF (make, model, owner), optionally GPS and an orientation tag."""
    img = Image.new("RGB", size, color) if color else two_tone(size)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PortalCam"
    exif[ExifTags.Base.Model] = "Secret Model 9"
    exif[ExifTags.Base.Artist] = "Alice de Jong"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, exif=exif, comment=comment)
    return buf.getvalue()


def png(size: tuple[int, int] = (90, 60), color: tuple[int, int, int] = (30, 160, 60), *, text: str = "") -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if text:
        info.add_text("Comment", text)
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def png_pixel_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` pixels (900 megapixels by default)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9)) + chunk(b"IEND", b"")


def heic(size: tuple[int, int] = (120, 80), *, orientation: int | None = None) -> bytes | None:
    """A HEIC photo with EXIF (GPS included), or None when this machine's pillow_heif cannot encode HEVC."""
    try:
        import pillow_heif
    except ImportError:
        return None
    if not pillow_heif.libheif_info().get("encoders", {}).get("x265") and not pillow_heif.libheif_info().get("HEIF"):
        return None
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PortalCam"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    buf = io.BytesIO()
    try:
        pillow_heif.from_pillow(two_tone(size)).save(buf, quality=90, exif=exif.tobytes())
    except (RuntimeError, ValueError, OSError):
        return None
    return buf.getvalue()


def exif_of(data: bytes) -> dict:
    """Every EXIF tag of an image, GPS included ({} when there is none)."""
    img = Image.open(io.BytesIO(data))
    exif = img.getexif()
    return {**dict(exif), **{f"gps.{k}": v for k, v in exif.get_ifd(ExifTags.IFD.GPSInfo).items()}}


def metadata_markers(data: bytes) -> list[bytes]:
    """Byte markers of metadata that must not survive cleaning, found anywhere in the file."""
    return [m for m in (b"Exif", b"GPS", b"PortalCam", b"Secret Model", b"Alice de Jong", b"tEXt", b"iTXt", b"zTXt",
                        b"eXIf", b"http://ns.adobe.com/xap") if m in data]
