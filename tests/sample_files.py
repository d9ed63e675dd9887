"""Files to upload in tests: good ones, and one of every kind the upload pipeline must refuse.

The hostile PDFs are written byte by byte (``plain_pdf``, ``objstm_pdf``, ``xref_stream_pdf``) so each hides
its content exactly where the test says: in plain syntax, behind ``#``-escaped names, or inside a Flate-compressed
object stream (pypdf 7 reads object streams but cannot write them, so ``object_stream`` builds one; the
tests read every file back with pypdf to prove it is a valid PDF). Actions of every type at every place a
viewer looks for one; decompression bombs (object streams and cross-reference streams that inflate to 70 MB
from ~70 KB on disk); many pages, many objects, references to nothing.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import zlib
from collections.abc import Iterable, Iterator

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


def object_stream(objects: dict[int, bytes], *, padding: Iterable[bytes] = ()) -> bytes:
    """An /ObjStm holding ``objects`` (Flate-compressed), as the body of a plain object; ``padding`` chunks are
    compressed after them (PDF whitespace such as zero bytes: tiny on disk, any size once inflated)."""
    nums = sorted(objects)
    offsets_in_stream, at = [], 0
    for n in nums:
        offsets_in_stream.append(at)
        at += len(objects[n]) + 1
    header = b" ".join(b"%d %d" % (n, o) for n, o in zip(nums, offsets_in_stream)) + b"\n"
    deflate = zlib.compressobj()
    data = deflate.compress(header + b"\n".join(objects[n] for n in nums) + b"\n")
    for chunk in padding:
        data += deflate.compress(chunk)
    data += deflate.flush()
    return stream(b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(nums), len(header)), data)


def zeros(total: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """``total`` zero bytes, a chunk at a time (never all in memory)."""
    for at in range(0, total, chunk):
        yield bytes(min(chunk, total - at))


def xref_stream_pdf(plain: dict[int, bytes], in_streams: dict[int, tuple[int, int]] | None = None, root: int = 1, *,
                    xref_padding: Iterable[bytes] = (), older_xref_padding: Iterable[bytes] | None = None) -> bytes:
    """A PDF with a cross-reference stream: ``plain`` objects (object streams among them) and ``in_streams``, the
    objects compressed in them (``{number: (object stream number, index)}``). ``xref_padding`` is compressed after
    the cross-reference rows (inflated by any reader, used by none); with ``older_xref_padding`` the
    cross-reference has two sections chained by /Prev, the older one (padded so) listing the compressed objects."""
    in_streams = in_streams or {}
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(plain):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + plain[n] + b"\nendobj\n"
    size = max([*plain, *in_streams]) + 3  # the last two numbers: the cross-reference streams

    def section(number: int, numbers: list[int], padding: Iterable[bytes], extra: bytes = b"") -> None:
        offsets[number] = len(out)
        rows = b"".join(struct.pack(">BIH", 2, *in_streams[n]) if n in in_streams
                        else struct.pack(">BIH", 1, offsets[n], 0) if n in offsets
                        else struct.pack(">BIH", 0, 0, 65535) for n in numbers)
        deflate = zlib.compressobj()
        data = deflate.compress(rows) + b"".join(deflate.compress(chunk) for chunk in padding) + deflate.flush()
        runs: list[list[int]] = []  # /Index: [first count ...] over runs of consecutive numbers
        for n in numbers:
            if runs and runs[-1][0] + runs[-1][1] == n:
                runs[-1][1] += 1
            else:
                runs.append([n, 1])
        index = b" ".join(b"%d %d" % (first, count) for first, count in runs)
        out.extend(b"%d 0 obj\n" % number + stream(
            b"/Type /XRef /Size %d /Index [%s] /W [1 4 2] /Root %d 0 R%s /Filter /FlateDecode" % (size, index, root, extra),
            data) + b"\nendobj\n")

    newest = size - 1
    if older_xref_padding is None:
        section(newest, list(range(size)), xref_padding)
    else:
        older = size - 2
        section(older, sorted(in_streams), older_xref_padding)
        section(newest, [n for n in range(size) if n not in in_streams], xref_padding, b" /Prev %d" % offsets[older])
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[newest]
    return bytes(out)


def objstm_pdf(compressed: dict[int, bytes], plain: dict[int, bytes] | None = None, root: int = 1) -> bytes:
    """A PDF whose ``compressed`` objects live in one Flate-compressed /ObjStm, with a cross-reference stream:
    nothing of them is visible in the file's bytes."""
    plain = dict(plain or {})
    stm = max([*compressed, *plain]) + 1
    plain[stm] = object_stream(compressed)
    return xref_stream_pdf(plain, {n: (stm, i) for i, n in enumerate(sorted(compressed))}, root)


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


# Actions: only in-document navigation (/GoTo) passes. Each hostile file below keeps its action in object
# streams (invisible to a byte search) and reaches it through indirect references.

ACTIONS = {
    "URI": b"<< /S /URI /URI (https://example.com/inloggen) >>",
    "GoToR": b"<< /S /GoToR /F (\\\\\\\\server\\\\share\\\\stukken.pdf) /D [0 /Fit] >>",
    "SubmitForm": b"<< /S /SubmitForm /F << /FS /URL /F (https://example.com/verzamel) >> >>",
    "ImportData": b"<< /S /ImportData /F (gegevens.fdf) >>",
    "JavaScript": b"<< /S /JavaScript /JS 13 0 R >>",  # the script in a stream: no (string) after /JS
    "Launch": b"<< /S /Launch /F (cmd.exe) >>",
    "Named": b"<< /S /Named /N /Print >>",  # viewer commands: strict, not plain navigation
    "ResetForm": b"<< /S /ResetForm >>",
    "Hide": b"<< /S /Hide /T (naam) >>",
    "Rendition": b"<< /S /Rendition /OP 0 >>",
    "Unknown": b"<< /S /Whatever >>",  # a future or vendor action type: not known to be harmless
    "Launch, type behind a reference": b"<< /S 12 0 R /F (cmd.exe) >>",  # object 12 is the name /Launch
}
GOTO = b"<< /S /GoTo /D [3 0 R /Fit] >>"
ACTION_PLACES = ("open action", "catalog /AA", "page /AA", "link /A", "annotation /AA", "form field /AA", "/Next chain",
                 "outline item /A", "/Type /Action elsewhere")


def pdf_action(kind: str, place: str) -> bytes:
    """A PDF with the ``kind`` action (object 10, compressed) at ``place``; everything else is plain navigation."""
    catalog, page = {"/Type": b"/Catalog", "/Pages": b"2 0 R"}, {"/Type": b"/Page", "/Parent": b"2 0 R",
                                                                 "/MediaBox": b"[0 0 200 200]"}
    annot = {"/Type": b"/Annot", "/Subtype": b"/Link", "/Rect": b"[0 0 50 50]", "/A": GOTO}
    objects = {10: ACTIONS[kind], 12: b"/L#61unch", 13: stream(b"", b"app.alert(1)")}
    if place == "open action":
        catalog["/OpenAction"] = b"10 0 R"
    elif place == "catalog /AA":
        catalog["/AA"] = b"<< /WC 10 0 R >>"  # before the document closes
    elif place == "page /AA":
        page["/AA"] = b"11 0 R"
        objects[11] = b"<< /O 10 0 R >>"  # when the page opens
    elif place == "link /A":
        annot["/A"] = b"10 0 R"
    elif place == "annotation /AA":
        annot["/AA"] = b"<< /E 10 0 R >>"  # when the mouse enters
    elif place == "form field /AA":
        catalog["/AcroForm"] = b"<< /Fields [5 0 R] >>"
        objects[5] = (b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (naam) /Rect [60 60 150 80] /P 3 0 R "
                      b"/AA << /K 10 0 R >> >>")  # on every keystroke
        page["/Annots"] = b"[4 0 R 5 0 R]"
    elif place == "/Next chain":  # open: go to page 1, then another /GoTo, then the action
        catalog["/OpenAction"] = b"<< /S /GoTo /D [3 0 R /Fit] /Next [11 0 R] >>"
        objects[11] = b"<< /S /GoTo /D [3 0 R /FitH 100] /Next 10 0 R >>"
    elif place == "outline item /A":
        catalog["/Outlines"] = b"6 0 R"
        objects[6] = b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>"
        objects[7] = b"<< /Title (Hoofdstuk 1) /Parent 6 0 R /A 10 0 R >>"
    elif place == "/Type /Action elsewhere":  # under a key no viewer runs; still an action
        catalog["/PortalExtra"] = b"[10 0 R]"
        objects[10] = objects[10].replace(b"<< ", b"<< /Type /Action ", 1)
    else:
        raise ValueError(place)
    page.setdefault("/Annots", b"[4 0 R]")

    def body(entries: dict[str, bytes]) -> bytes:
        return b"<< " + b" ".join(k.encode() + b" " + v for k, v in entries.items()) + b" >>"

    compressed = {1: body(catalog), 2: PAGES[2], 3: body(page), 4: body(annot),
                  **{n: v for n, v in objects.items() if n != 13}}
    return objstm_pdf(compressed, {13: objects[13]})


def pdf_plain_navigation() -> bytes:
    """Everything a plain document uses that has an /S or an /A without being an action, and /GoTo navigation:
    must pass. A link with a /GoTo action and one with a /Dest, an outline item, an /OpenAction destination,
    page labels (/S /D), a transparency group (/S /Transparency), a border style (/S /S), and a tagged
    structure element (/S /P) with an attribute dictionary under /A."""
    catalog = (b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] /Outlines 6 0 R "
               b"/PageLabels << /Nums [0 << /S /D /St 1 >>] >> /StructTreeRoot 8 0 R /MarkInfo << /Marked true >> >>")
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 5 0 R] "
            b"/Group << /S /Transparency /CS /DeviceRGB >> /StructParents 0 >>")
    return objstm_pdf({
        1: catalog, 2: PAGES[2], 3: page,
        4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /BS << /S /S /W 0 >> /A 10 0 R >>",
        5: b"<< /Type /Annot /Subtype /Link /Rect [60 0 110 50] /Dest [3 0 R /XYZ 0 200 0] >>",
        6: b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
        7: b"<< /Title (Hoofdstuk 1) /Parent 6 0 R /A << /Type /Action /S /GoTo /D [3 0 R /Fit] >> >>",
        8: b"<< /Type /StructTreeRoot /K [9 0 R] >>",
        9: b"<< /Type /StructElem /S /P /P 8 0 R /Pg 3 0 R /A << /O /Layout /Placement /Block >> /K 0 >>",
        10: b"<< /S 11 0 R /D [3 0 R /Fit] >>",  # /S behind a reference, resolved: /GoTo
        11: b"/GoTo",
    })


def pdf_action_cycle(second: bytes = b"/GoTo /D [3 0 R /FitH 100]") -> bytes:
    """Two actions whose /Next point at each other (and the second at itself): a walk must end. With ``second``
    another action type, the cycle carries it."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 10 0 R >>"
    return objstm_pdf({1: catalog, **PAGES, 10: b"<< /S /GoTo /D [3 0 R /Fit] /Next 11 0 R >>",
                       11: b"<< /S " + second + b" /Next [10 0 R 11 0 R] >>"})


def pdf_self_referencing_action_type() -> bytes:
    """An open action whose /S is an object that is only a reference to itself (pypdf cannot read such an
    object: broken either way, never passed)."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S 12 0 R /URI (https://example.com) >> >>"
    return objstm_pdf({1: catalog, **PAGES, 12: b"12 0 R"})


# Sizes: what a check must never inflate or hold whole.

BOMB_STREAM_BYTES = 70_000_000


@functools.cache  # bytes, built once per test run
def pdf_object_stream_bomb(streams: int = 3, size: int = BOMB_STREAM_BYTES) -> bytes:
    """~200 KB on disk: ``streams`` object streams, each holding one annotation of the page and then ``size`` zero
    bytes (whitespace to a PDF reader), compressed ~1000 to 1."""
    annots = list(range(4, 4 + 2 * streams, 2))
    plain = {1: CATALOG, 2: PAGES[2],
             3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [%s] >>"
                % b" ".join(b"%d 0 R" % n for n in annots)}
    for n in annots:
        plain[n + 1] = object_stream({n: b"<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] >>"}, padding=zeros(size))
    return xref_stream_pdf(plain, {n: (n + 1, 0) for n in annots})


@functools.cache
def pdf_content_stream_bomb(size: int = BOMB_STREAM_BYTES) -> bytes:
    """A page whose content stream inflates to ``size`` bytes: never decoded by the check (nothing on the server
    draws pages), so not a danger to it."""
    deflate = zlib.compressobj()
    data = b"".join(deflate.compress(chunk) for chunk in zeros(size)) + deflate.flush()
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>"
    return plain_pdf({1: CATALOG, 2: PAGES[2], 3: page, 4: stream(b"/Filter /FlateDecode", data)})


@functools.cache
def pdf_xref_stream_bomb(size: int = BOMB_STREAM_BYTES) -> bytes:
    """The cross-reference stream itself inflates to ``size`` bytes (zeros after its rows)."""
    return xref_stream_pdf({1: CATALOG, **PAGES}, xref_padding=zeros(size))


@functools.cache
def pdf_older_xref_stream_bomb(size: int = BOMB_STREAM_BYTES) -> bytes:
    """The bomb in the older cross-reference section (reached through /Prev), which alone says where the
    compressed objects are: a reader that gave up on it would miss the open action it leads to."""
    plain = {1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 10 0 R >>", **PAGES, 11: object_stream({10: ACTIONS["URI"]})}
    return xref_stream_pdf(plain, {10: (11, 0)}, older_xref_padding=zeros(size))


@functools.cache
def pdf_broken_xref_with_bomb(size: int = BOMB_STREAM_BYTES) -> bytes:
    """An object-stream bomb whose startxref points nowhere: pypdf would rebuild the cross-reference by reading
    the whole file and inflating every object stream it finds."""
    data = pdf_object_stream_bomb(1, size)
    at = data.rindex(b"startxref\n") + 10
    return data[:at] + b"17\n%%EOF\n"


def pdf_many_pages(count: int, declared: int | None = None) -> bytes:
    """``count`` blank pages, plain syntax; the page tree says ``declared`` (default: the truth)."""
    kids = b" ".join(b"%d 0 R" % (n + 3) for n in range(count))
    objects = {1: CATALOG, 2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count if declared is None else declared)}
    for n in range(count):
        objects[n + 3] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"
    return plain_pdf(objects)


def pdf_many_objects(count: int, per_stream: int = 10_000) -> bytes:
    """One page and ``count`` small numbered objects in object streams (an array in the catalog lists them)."""
    first = 10
    numbers = list(range(first, first + count))
    plain: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R /PortalExtra 4 0 R >>", **PAGES,
                               4: b"[%s]" % b" ".join(b"%d 0 R" % n for n in numbers[:1000])}
    in_streams = {}
    stm = first + count
    for at in range(0, count, per_stream):
        chunk = numbers[at:at + per_stream]
        plain[stm] = object_stream({n: b"<< /N %d >>" % n for n in chunk})
        in_streams.update({n: (stm, i) for i, n in enumerate(chunk)})
        stm += 1
    return xref_stream_pdf(plain, in_streams)


def pdf_many_missing_references(count: int = 20_000) -> bytes:
    """An array of ``count`` references to objects that do not exist (a reader treats each as null)."""
    refs = b" ".join(b"%d 0 R" % n for n in range(100, 100 + count))
    return plain_pdf({1: b"<< /Type /Catalog /Pages 2 0 R /PortalExtra 4 0 R >>", **PAGES, 4: b"[%s]" % refs})


def pdf_absent_from_object_stream(count: int = 5_000) -> bytes:
    """The cross-reference puts ``count`` objects in an object stream that holds none of them (and the stream
    has ``count`` entries of its own): each lookup would parse the stream's whole index again."""
    own = {n: b"null" for n in range(20_000, 20_000 + count)}
    claimed = list(range(100, 100 + count))
    plain = {1: b"<< /Type /Catalog /Pages 2 0 R /PortalExtra 4 0 R >>", **PAGES,
             4: b"[%s]" % b" ".join(b"%d 0 R" % n for n in claimed), 5: object_stream(own)}
    return xref_stream_pdf(plain, {n: (5, i) for i, n in enumerate(claimed)})


def pdf_misplaced_object() -> bytes:
    """The cross-reference sends object 3 (the page) to where object 2 is: pypdf would search the whole file for
    the right place, on every such look-up."""
    data = plain_pdf({1: CATALOG, **PAGES})
    rows = data[data.rindex(b"\nxref\n") + 1:].split(b"\n")
    return data.replace(rows[4], rows[3])  # rows: xref, 0 4, free 0, then objects 1, 2, 3


def pdf_damaged_xref_twice() -> bytes:
    """Two cross-reference sections (an update chained by /Prev), each with an unreadable entry: pypdf repairs
    each by reading the whole file into memory and indexing every object in it."""
    base = plain_pdf({1: CATALOG, **PAGES})
    base_xref = base.rindex(b"\nxref\n") + 1
    base = base.replace(b"0000000015 00000 n", b"00000000xx 00000 n")  # object 1's entry
    update = len(base)
    page = b"3 0 obj\n" + PAGES[3] + b"\nendobj\n"
    xref = update + len(page)
    return (base + page + b"xref\n3 1\n%010d 0000x n \n" % update
            + b"trailer\n<< /Size 4 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (base_xref, xref))


def pdf_object_stream_claiming(count: int) -> bytes:
    """An object stream whose /N says it holds ``count`` objects (it holds three)."""
    held = object_stream({1: CATALOG, **PAGES}).replace(b"/Type /ObjStm /N 3 ", b"/Type /ObjStm /N %d " % count)
    return xref_stream_pdf({4: held}, {1: (4, 0), 2: (4, 1), 3: (4, 2)})


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
