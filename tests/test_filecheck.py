"""What may come in (portal/adapters/filecheck.py) and the domain's upload pipeline around it.

First the checks on their own: the magic-byte allow-list, PDF inspection (plain syntax, ``#``-escaped
names, compressed object streams, embedded files, encryption; binary stream data that merely looks like
a script is fine; every action but in-document navigation, wherever it sits; decompression bombs, too many
pages or objects, and look-ups that would read the whole file again and again), and image cleaning (no EXIF/GPS/comments left, orientation applied, size and pixel
limits, HEIC to JPEG). Then ``deliveries.receive_upload`` with every refused kind: the user gets the
reason, and nothing stays behind — no file in the store (its tmp folder included) and no row. The same
refusals through the HTTP route, in Dutch and English, are in tests/test_upload_route.py.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import sample_files as sf
from portal.adapters import filecheck
from portal.adapters.filecheck import PdfSyntaxScanner, Refused
from portal.db.models import AuditEvent, Delivery, Document, Upload
from portal.domain import deliveries


def write(tmp_path: Path, data: bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refusal(fn, *args, **kwargs) -> tuple[str, dict]:
    with pytest.raises(Refused) as caught:
        fn(*args, **kwargs)
    return caught.value.msgid, caught.value.params


# -- the allow-list by magic bytes ---------------------------------------------------------------------


@pytest.mark.parametrize("head, kind", [
    (b"%PDF-1.7\n", "pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00", "heif"),
    (b"\x00\x00\x00\x18ftypmif1\x00\x00", "heif"),
    (sf.HTML_AS_PDF[:16], None),
    (sf.SVG[:16], None),
    (sf.GIF[:16], None),
    (sf.ZIP[:16], None),
    (b"\x00\x00\x00\x18ftypisom\x00\x00", None),  # an MP4 video: ftyp, but not a HEIF brand
    (b" %PDF-1.7", None),  # the header must be at the very start
    (b"", None),
])
def test_sniff_decides_by_the_first_bytes_only(head, kind):
    assert filecheck.sniff(head) == kind


# -- PDFs ------------------------------------------------------------------------------------------------

REFUSED_PDFS = {
    "JavaScript on opening": (sf.pdf_js_open_action, "upload.refused_pdf_active"),
    "JavaScript in a compressed object stream": (sf.pdf_js_in_object_stream, "upload.refused_pdf_active"),
    "#-escaped /JavaScript and /JS": (sf.pdf_js_escaped_names, "upload.refused_pdf_active"),
    "#-escaped /Launch": (sf.pdf_launch_escaped, "upload.refused_pdf_active"),
    "JavaScript behind a link": (sf.pdf_js_on_link, "upload.refused_pdf_active"),
    "embedded file (name tree)": (sf.pdf_embedded_file, "upload.refused_pdf_active"),
    "embedded file (annotation)": (sf.pdf_file_attachment_annotation, "upload.refused_pdf_active"),
    "rich media": (sf.pdf_rich_media, "upload.refused_pdf_active"),
    "encrypted": (sf.pdf_encrypted, "upload.refused_pdf_encrypted"),
    "encrypted, empty user password": (lambda: sf.pdf_encrypted(""), "upload.refused_pdf_encrypted"),
    "unreadable": (lambda: sf.BROKEN_PDF, "upload.refused_pdf_broken"),
    # pypdf's own failures on hostile input that are not PdfReadError: still just "cannot be read"
    "object stream of the wrong type": (lambda: sf.clean_objstm_pdf().replace(b"/Type /ObjStm", b"/Type /ObjStX"),
                                        "upload.refused_pdf_broken"),  # AssertionError inside pypdf
    "unknown filter": (lambda: sf.clean_objstm_pdf().replace(b"/FlateDecode /Length", b"/FlateDecodX /Length", 1),
                       "upload.refused_pdf_broken"),  # NotImplementedError
    "absurd xref size": (lambda: sf.plain_pdf({1: sf.CATALOG, **sf.PAGES}).replace(b"xref\n0 4", b"xref\n0 65535"),
                         "upload.refused_pdf_broken"),  # LimitReachedError
}


@pytest.mark.parametrize("label", sorted(REFUSED_PDFS))
def test_pdfs_with_active_content_encryption_or_garbage_are_refused(tmp_path, label):
    make, msgid = REFUSED_PDFS[label]
    assert refusal(filecheck.check_pdf, write(tmp_path, make()))[0] == msgid


@pytest.mark.parametrize("make", [sf.pdf_js_in_object_stream, sf.pdf_js_escaped_names, sf.pdf_file_attachment_annotation,
                                  sf.pdf_rich_media, sf.pdf_js_on_link])
def test_hidden_active_content_is_found_by_the_object_walk_alone(tmp_path, make):
    """These files carry no tell-tale name in their bytes: the fast syntax scan passes them, and they are still
    valid PDFs (pypdf reads their page); only the walk through the object graph can refuse them."""
    data = make()
    path = write(tmp_path, data)
    assert not any(name in data for name in (b"/JavaScript", b"/JS ", b"/Launch", b"/EmbeddedFile"))
    assert filecheck._scan_raw(path) is False
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert refusal(filecheck.check_pdf, path, syntax_flagged=False)[0] == "upload.refused_pdf_active"


@pytest.mark.parametrize("make", [sf.clean_pdf, sf.clean_objstm_pdf, sf.pdf_with_active_names_in_stream_data])
def test_plain_pdfs_are_accepted(tmp_path, make):
    filecheck.check_pdf(write(tmp_path, make()))  # no exception


def test_script_names_inside_binary_stream_data_are_not_active_content(tmp_path):
    data = sf.pdf_with_active_names_in_stream_data()
    assert data.count(b"/JS (x) /JavaScript /Launch /EmbeddedFiles") >= 7  # the bytes really are there
    assert len(data) > 500_000
    path = write(tmp_path, data)
    assert filecheck._scan_raw(path) is False
    filecheck.check_pdf(path)
    assert PdfReader(io.BytesIO(data)).pages[0].mediabox.width == 200  # and it is a real PDF


SCANNED = [(sf.pdf_js_open_action, True), (sf.pdf_embedded_file, True), (sf.clean_pdf, False),
           (sf.pdf_with_active_names_in_stream_data, False)]


@pytest.mark.parametrize("make, flagged, chunk", [
    (make, flagged, chunk) for make, flagged in SCANNED for chunk in (1, 5, 31, 32, 33, 4096, 10**7)
    if not (chunk == 1 and make is sf.pdf_with_active_names_in_stream_data)  # 600 kB byte by byte: too slow
])
def test_syntax_scanner_gives_the_same_answer_whatever_the_chunk_size(make, flagged, chunk):
    """The upload route feeds the scanner as the body arrives: a name or ``endstream`` split between two
    chunks must not change the verdict."""
    data = make()
    scanner = PdfSyntaxScanner()
    for at in range(0, len(data), chunk):
        scanner.feed(data[at:at + chunk])
    scanner.feed(b"", final=True)
    assert scanner.found is flagged


def scan_in_chunks(data: bytes, size: int) -> bool:
    scanner = PdfSyntaxScanner()
    for at in range(0, len(data), size):
        scanner.feed(data[at:at + size])
    scanner.feed(b"", final=True)
    return scanner.found


@pytest.mark.parametrize("name", [b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFiles", b"/RichMedia"])
def test_syntax_scanner_finds_a_name_wherever_a_chunk_ends(name):
    """One name, moved byte by byte along 64-byte chunks: found at every offset, also straddling a boundary."""
    missed = [offset for offset in range(64)
              if not scan_in_chunks(b"%PDF-1.7\n" + b" " * offset + b"<< /S " + name + b" (x) >>" + b" " * 100, 64)]
    assert missed == []


def test_syntax_scanner_judges_a_name_at_a_chunk_end_by_what_follows():
    """``/JSON`` is not ``/JS``, wherever the chunk happens to end."""
    flagged = [offset for offset in range(64)
               if scan_in_chunks(b"%PDF-1.7\n" + b" " * offset + b"<< /JSON 1 /JavaScriptish 2 >>" + b" " * 100, 64)]
    assert flagged == []
    for rest, expected in [(b"ON /Type /Metadata >>", False), (b" (x) >>", True)]:
        scanner = PdfSyntaxScanner()
        scanner.feed(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Names << /Dests 4 0 R >> /JS")
        scanner.feed(rest)
        scanner.feed(b"", final=True)
        assert scanner.found is expected, rest


def test_syntax_scanner_finds_a_name_split_across_chunks_and_skips_stream_data():
    scanner = PdfSyntaxScanner()
    for part in (b"%PDF-1.7\n1 0 obj\n<< /S /Java", b"Script /", b"JS (x) >>\nendobj\n"):
        scanner.feed(part)
    scanner.feed(b"", final=True)
    assert scanner.found

    scanner = PdfSyntaxScanner()
    for part in (b"4 0 obj\n<< /Length 9 >>\nstre", b"am\n/JS /Java", b"Script\nendst", b"ream\nendobj\n"):
        scanner.feed(part)
    scanner.feed(b"", final=True)
    assert not scanner.found  # all of it was stream data

    scanner = PdfSyntaxScanner()  # after the stream, syntax is scanned again
    for part in (b"4 0 obj\n<< /Length 3 >>\nstream\nabc\nendstream\nendobj\n", b"5 0 obj << /S /Launch >>"):
        scanner.feed(part)
    scanner.feed(b"", final=True)
    assert scanner.found


# -- PDF actions: only in-document navigation passes -------------------------------------------------------


@pytest.mark.parametrize("place", sf.ACTION_PLACES)
@pytest.mark.parametrize("kind", sorted(sf.ACTIONS))
def test_every_action_but_go_to_is_refused_wherever_a_viewer_finds_it(tmp_path, kind, place):
    """Each action sits compressed in an object stream behind indirect references (the byte scan sees nothing;
    the object walk is the authority), on opening, in the catalog's, a page's, an annotation's or a form field's
    additional actions, behind a link, an outline item, at the end of a /Next chain, or marked /Type /Action
    anywhere. Web links (/URI) included: only /GoTo, which stays inside the document, passes."""
    data = sf.pdf_action(kind, place)
    path = write(tmp_path, data)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1  # a valid PDF
    assert filecheck._scan_raw(path) is False
    assert refusal(filecheck.check_pdf, path)[0] == "upload.refused_pdf_active"


@pytest.mark.parametrize("make", [sf.pdf_plain_navigation, sf.pdf_action_cycle])
def test_go_to_navigation_and_names_that_are_not_actions_pass(tmp_path, make):
    """/GoTo links and outline items, destinations, /S in page labels, transparency groups, border styles and
    structure elements, /A holding a structure element's attributes; a cycle of /GoTo actions ends the walk."""
    filecheck.check_pdf(write(tmp_path, make()))


def test_a_cycle_of_actions_is_walked_once_and_what_it_carries_is_found(tmp_path):
    data = sf.pdf_action_cycle(b"/URI /URI (https://example.com/inloggen)")
    assert refusal(filecheck.check_pdf, write(tmp_path, data))[0] == "upload.refused_pdf_active"


def test_an_action_type_that_is_a_reference_to_itself_is_not_passed(tmp_path):
    assert refusal(filecheck.check_pdf, write(tmp_path, sf.pdf_self_referencing_action_type()))[0] == "upload.refused_pdf_broken"


@pytest.mark.parametrize("subtype", [b"/Sound", b"/Movie", b"/Screen", b"/3D", b"/FileAttachment"])
def test_annotations_that_play_or_open_something_are_refused(tmp_path, subtype):
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>"
    annot = b"<< /Type /Annot /Subtype " + subtype + b" /Rect [0 0 20 20] >>"
    data = sf.objstm_pdf({1: sf.CATALOG, 2: sf.PAGES[2], 3: page, 4: annot})
    assert refusal(filecheck.check_pdf, write(tmp_path, data))[0] == "upload.refused_pdf_active"


# -- PDF sizes: nothing inflated or parsed beyond the limits ----------------------------------------------------


@pytest.fixture
def pypdf_inflates(monkeypatch):
    """The sizes of every stream pypdf inflates (``decode_stream_data`` is where all of its decoding goes)."""
    import pypdf.filters

    sizes: list[int] = []
    original = pypdf.filters.decode_stream_data

    def spy(stream):
        data = original(stream)
        sizes.append(len(data))
        return data

    monkeypatch.setattr(pypdf.filters, "decode_stream_data", spy)
    return sizes


@pytest.mark.parametrize("make", [sf.pdf_object_stream_bomb, sf.pdf_xref_stream_bomb, sf.pdf_older_xref_stream_bomb])
def test_a_decompression_bomb_is_refused_before_pypdf_inflates_it(tmp_path, make, pypdf_inflates, monkeypatch):
    """~70-200 KB files whose object streams or cross-reference streams inflate to 70 MB each (the older section of
    the cross-reference leads to a web link). The budget is measured in 1 MiB steps and stops at 16 MiB; pypdf
    inflates nothing big. (Time and memory: benchmarks/pdf_bomb.py.)"""
    measured: list[int] = []
    original = getattr(filecheck, "_inflated_size", None)

    def measure(data, limit):
        measured.append(original(data, limit))
        return measured[-1]

    monkeypatch.setattr(filecheck, "_inflated_size", measure, raising=False)
    data = make()
    assert len(data) < 250_000
    assert refusal(filecheck.check_pdf, write(tmp_path, data))[0] == "upload.refused_pdf_too_complex"
    assert measured and sum(measured) <= 16 * 2**20 + 1
    assert max(pypdf_inflates, default=0) < 1_000_000


def test_a_bomb_behind_a_broken_cross_reference_is_not_rebuilt(tmp_path, pypdf_inflates):
    """pypdf alone would read the whole file and inflate every object stream it finds to rebuild the
    cross-reference: such a file is refused as unreadable, with nothing inflated."""
    assert refusal(filecheck.check_pdf, write(tmp_path, sf.pdf_broken_xref_with_bomb()))[0] == "upload.refused_pdf_broken"
    assert pypdf_inflates == []


def test_page_content_is_never_inflated(tmp_path, pypdf_inflates):
    """Nothing on the server draws a page, so a page whose content inflates to 70 MB costs the check nothing."""
    filecheck.check_pdf(write(tmp_path, sf.pdf_content_stream_bomb()))
    assert pypdf_inflates == []


def test_the_inflate_budget_grows_with_the_file_between_a_floor_and_a_ceiling():
    assert filecheck._PdfBudget(342_000).inflate == 16 * 2**20
    assert filecheck._PdfBudget(5 * 2**20).inflate == 40 * 2**20
    assert filecheck._PdfBudget(250_000_000).inflate == 128 * 2**20


def test_object_streams_of_a_real_looking_document_fit_the_budget(tmp_path, pypdf_inflates):
    """1,000 numbered objects in object streams of 100, all looked up: accepted, each stream inflated once."""
    data = sf.pdf_many_objects(1_000, per_stream=100)
    filecheck.check_pdf(write(tmp_path, data))
    assert len(pypdf_inflates) == 1 + 10  # the cross-reference stream and the ten object streams


@pytest.mark.parametrize("count, declared", [(5_001, None), (5_001, 1)])
def test_more_pages_than_the_limit_are_refused_with_the_limit(tmp_path, count, declared):
    """By the page tree's count, or, when that lies, by the pages the walk meets."""
    data = sf.pdf_many_pages(count, declared)
    assert refusal(filecheck.check_pdf, write(tmp_path, data)) == ("upload.refused_pdf_too_many_pages", {"pages": 5_000})


def test_the_page_limit_itself_is_accepted(tmp_path):
    filecheck.check_pdf(write(tmp_path, sf.pdf_many_pages(5_000)))


def test_more_objects_than_the_limit_are_refused_before_pypdf_reads_them(tmp_path):
    """500,001 objects (4.7 MB): the cross-reference stream's /Size tells, before pypdf parses its entries."""
    data = sf.pdf_many_objects(filecheck.MAX_PDF_OBJECTS + 1)
    assert refusal(filecheck.check_pdf, write(tmp_path, data))[0] == "upload.refused_pdf_too_complex"


def test_more_objects_than_the_limit_in_a_cross_reference_table(tmp_path, monkeypatch):
    monkeypatch.setattr(filecheck, "MAX_PDF_OBJECTS", 1_000)
    objects = {1: sf.CATALOG, **sf.PAGES, **{n: b"null" for n in range(4, 1_002)}}
    assert refusal(filecheck.check_pdf, write(tmp_path, sf.plain_pdf(objects)))[0] == "upload.refused_pdf_too_complex"
    del objects[1_001]  # 1,000 exactly
    filecheck.check_pdf(write(tmp_path, sf.plain_pdf(objects)))


def test_an_object_stream_declaring_more_objects_than_the_limit_is_refused(tmp_path):
    data = sf.pdf_object_stream_claiming(filecheck.MAX_PDF_OBJECTS + 1)
    assert refusal(filecheck.check_pdf, write(tmp_path, data))[0] == "upload.refused_pdf_too_complex"


def test_the_walk_stops_at_its_container_limit_and_its_time_limit(tmp_path, monkeypatch):
    path = write(tmp_path, sf.pdf_many_pages(1_100))  # ~2,200 dictionaries and arrays
    monkeypatch.setattr(filecheck, "MAX_PDF_CONTAINERS", 2_000)
    assert refusal(filecheck.check_pdf, path)[0] == "upload.refused_pdf_too_complex"
    monkeypatch.setattr(filecheck, "MAX_PDF_CONTAINERS", 10_000)
    filecheck.check_pdf(path)
    monkeypatch.setattr(filecheck, "PDF_CHECK_SECONDS", -1)  # looked at every 1,024 containers
    assert refusal(filecheck.check_pdf, path)[0] == "upload.refused_pdf_too_complex"


# -- PDF look-ups: none costs more than the object itself --------------------------------------------------------


class CountingFile(io.BufferedReader):
    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        CountingFile.read_bytes += len(data)
        return data


@pytest.fixture
def bytes_read(monkeypatch):
    """check_pdf's file, counting what is read from it (a whole-file read shows as the file's size)."""
    CountingFile.read_bytes = 0
    monkeypatch.setattr(filecheck, "open", lambda path, mode: CountingFile(io.FileIO(path, mode)), raising=False)
    return CountingFile


def test_references_to_missing_objects_are_null_without_searching_the_file(tmp_path, bytes_read):
    """2,000 references to objects that do not exist: pypdf would read the whole file for each (20,000 of them took
    24 s for a 190 KB file)."""
    path = write(tmp_path, sf.pdf_many_missing_references(2_000))
    filecheck.check_pdf(path, syntax_flagged=False)
    assert bytes_read.read_bytes < 10 * path.stat().st_size  # pypdf peeks and steps back as it parses: ~5 x


def test_an_object_the_cross_reference_misplaces_makes_the_file_unreadable(tmp_path):
    path = write(tmp_path, sf.pdf_misplaced_object())
    assert len(PdfReader(path).pages) == 1  # pypdf finds it, by searching the whole file for it
    assert refusal(filecheck.check_pdf, path)[0] == "upload.refused_pdf_broken"


def test_a_cross_reference_is_repaired_at_most_once(tmp_path):
    """Each repair reads the whole file into memory: one is allowed (damaged files exist), a second is refused."""
    data = sf.pdf_damaged_xref_twice()
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert refusal(filecheck.check_pdf, write(tmp_path, data))[0] == "upload.refused_pdf_broken"


def test_objects_an_object_stream_lacks_cost_one_parse_of_it(tmp_path, monkeypatch):
    """500 objects the cross-reference puts in an object stream of 500 other objects: pypdf would parse the
    stream's index again for each (5,000 of them took 236 s)."""
    parses = []
    original = PdfReader._get_object_from_stream
    monkeypatch.setattr(PdfReader, "_get_object_from_stream", lambda self, ref: parses.append(ref) or original(self, ref))
    filecheck.check_pdf(write(tmp_path, sf.pdf_absent_from_object_stream(500)))
    assert len(parses) == 1


# -- images ------------------------------------------------------------------------------------------------


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def close_to(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


def test_a_phone_photo_loses_exif_gps_and_comment(tmp_path):
    original = sf.jpeg(gps=True, comment=b"Alice de Jong, Keizersgracht 1")
    assert sf.exif_of(original)["gps.2"] and sf.metadata_markers(original)  # the original really carries them
    cleaned = filecheck.clean_image(write(tmp_path, original), "jpeg")
    data = cleaned.data
    assert cleaned.content_type == "image/jpeg" and data.startswith(b"\xff\xd8\xff")
    assert sf.exif_of(data) == {}
    assert sf.metadata_markers(data) == []
    assert "comment" not in decoded(data).info and "exif" not in decoded(data).info
    assert sf.exif_of(cleaned.thumbnail) == {} and sf.metadata_markers(cleaned.thumbnail) == []
    assert decoded(cleaned.thumbnail).size == decoded(data).size  # a small photo is not enlarged


@pytest.mark.parametrize("orientation, size, top_left, bottom_right", [
    (None, (120, 80), sf.LEFT, sf.RIGHT),
    (3, (120, 80), sf.RIGHT, sf.LEFT),  # upside down
    (6, (80, 120), sf.LEFT, sf.RIGHT),  # held upright: rotate 90° clockwise, the left half becomes the top
    (8, (80, 120), sf.RIGHT, sf.LEFT),  # rotate 90° counter-clockwise
])
def test_orientation_is_applied_before_the_tag_is_dropped(tmp_path, orientation, size, top_left, bottom_right):
    cleaned = filecheck.clean_image(write(tmp_path, sf.jpeg((120, 80), orientation=orientation)), "jpeg")
    data = cleaned.data
    img = decoded(data).convert("RGB")
    assert img.size == size
    assert close_to(img.getpixel((3, 3)), top_left)
    assert close_to(img.getpixel((img.width - 4, img.height - 4)), bottom_right)
    assert sf.exif_of(data) == {}  # no orientation tag left to rotate it a second time
    assert decoded(cleaned.thumbnail).size == size  # the preview is upright too


def test_png_text_chunks_are_dropped_and_png_stays_png(tmp_path):
    original = sf.png(text="Alice de Jong, BSN 123456782")
    assert b"tEXt" in original
    cleaned = filecheck.clean_image(write(tmp_path, original), "png")
    data = cleaned.data
    assert cleaned.content_type == "image/png" and data.startswith(b"\x89PNG")
    assert sf.metadata_markers(data) == [] and b"123456782" not in data
    assert decoded(data).size == (90, 60)


def test_big_photos_are_scaled_to_the_longest_side(tmp_path):
    cleaned = filecheck.clean_image(write(tmp_path, sf.png((3200, 1600))), "png")
    assert decoded(cleaned.data).size == (filecheck.MAX_SIDE, filecheck.MAX_SIDE // 2)
    assert decoded(cleaned.thumbnail).size == (320, 160) and decoded(cleaned.thumbnail).format == "JPEG"


@pytest.mark.parametrize("width, height", [(30_000, 30_000), (8_000, 8_000), (50_001, 1_000)])
def test_a_pixel_bomb_is_refused_from_its_header_with_the_reason(tmp_path, width, height):
    bomb = sf.png_pixel_bomb(width, height)
    assert len(bomb) < 200  # tiny on disk, gigabytes once decoded
    with warnings.catch_warnings():  # Pillow warns between 1x and 2x its limit; we refuse either way
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        for check in (filecheck.check_image_header, filecheck.clean_image):  # before the answer, and when cleaning
            msgid, params = refusal(check, write(tmp_path, bomb), "png")
            assert (msgid, params) == ("upload.refused_too_many_pixels", {"megapixels": 50})


def test_the_pixel_limit_itself_is_allowed(tmp_path):
    """Exactly MAX_PIXELS passes the header check (it is then decoded and scaled down)."""
    path = write(tmp_path, sf.png_pixel_bomb(10_000, 5_000))
    filecheck.check_image_header(path, "png")  # only the header was read: no 50-megapixel decode here
    assert filecheck._open_image(path).size == (10_000, 5_000)


def test_a_photo_cut_off_after_its_header_passes_the_header_check_but_not_the_cleaning(tmp_path):
    """What the upload route answers before cleaning is only what the header tells; the decoder finds the rest
    (the route then shows such a photo as failed: tests/test_upload_route.py)."""
    path = write(tmp_path, sf.jpeg()[:800])
    filecheck.check_image_header(path, "jpeg")
    assert refusal(filecheck.clean_image, path, "jpeg")[0] == "upload.refused_broken_image"


@pytest.mark.parametrize("data, kind", [
    (sf.jpeg()[:200], "jpeg"),  # truncated in the middle of the headers
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "jpeg"),
    (sf.png()[:40], "png"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "heif"),
])
def test_broken_images_are_refused_as_unreadable(tmp_path, data, kind):
    assert refusal(filecheck.clean_image, write(tmp_path, data), kind)[0] == "upload.refused_broken_image"


def mutants(data: bytes, count: int, rnd: random.Random):
    """Truncated copies and copies with a few bytes changed (never the magic bytes)."""
    for _ in range(count):
        copy = bytearray(data)
        if rnd.random() < 0.3:
            copy = copy[:rnd.randrange(16, len(copy))]
        else:
            for _ in range(rnd.randint(1, 8)):
                copy[rnd.randrange(16, len(copy))] = rnd.randrange(256)
        yield bytes(copy)


def test_damaged_files_are_refused_or_accepted_but_never_crash(tmp_path):
    """A fixed-seed fuzz: whatever a damaged file makes pypdf, Pillow or libheif raise, the answer is a Refused with
    a message (an uncaught error would be a 500 without one). This seed found AssertionError and
    NotImplementedError in pypdf and EOFError in pillow_heif."""
    rnd = random.Random(20261122)
    seeds = [(sf.clean_pdf(), "pdf"), (sf.clean_objstm_pdf(), "pdf"), (sf.jpeg(gps=True), "jpeg"), (sf.png(), "png")]
    if (heic := sf.heic()) is not None:
        seeds.append((heic, "heif"))
    path, outcomes = tmp_path / "damaged", {"accepted": 0, "refused": 0}
    for data, kind in seeds:
        for damaged in mutants(data, 150, rnd):
            if filecheck.sniff(damaged[:16]) != kind:
                continue
            path.write_bytes(damaged)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    filecheck.check_pdf(path) if kind == "pdf" else filecheck.clean_image(path, kind)
                outcomes["accepted"] += 1
            except Refused as refused:
                assert refused.msgid.startswith("upload.refused_")
                outcomes["refused"] += 1
    assert outcomes["accepted"] > 50 and outcomes["refused"] > 50  # both happened: the fuzz is not vacuous


def test_heic_becomes_a_clean_jpeg(tmp_path):
    data = sf.heic(orientation=6)
    if data is None:
        pytest.skip("pillow_heif on this machine cannot encode HEIC (no x265 encoder)")
    assert filecheck.sniff(data[:16]) == "heif" and b"PortalCam" in data
    result = filecheck.clean_image(write(tmp_path, data), "heif")
    cleaned = result.data
    assert result.content_type == "image/jpeg" and cleaned.startswith(b"\xff\xd8\xff")
    assert decoded(cleaned).format == "JPEG"
    img = decoded(cleaned).convert("RGB")
    assert img.size == (80, 120)  # orientation applied
    assert close_to(img.getpixel((3, 3)), sf.LEFT)
    assert sf.exif_of(cleaned) == {} and sf.metadata_markers(cleaned) == []


def test_heic_is_decoded_in_a_child_process_only(tmp_path):
    """libheif trusts sizes inside the file: it never loads into the server's process."""
    data = sf.heic()
    if data is None:
        pytest.skip("pillow_heif on this machine cannot encode HEIC (no x265 encoder)")
    path = write(tmp_path, data)
    code = ("import sys; from pathlib import Path; from portal.adapters import filecheck; "
            f"filecheck.check_image_header(Path({str(path)!r}), 'heif'); "
            f"filecheck.clean_image(Path({str(path)!r}), 'heif'); print('pillow_heif' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == "False"


def test_images_to_pdf_keeps_the_order(tmp_path):
    pdf = filecheck.images_to_pdf([sf.png((300, 150)), sf.png((150, 300)), sf.png((200, 200))])
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert sizes == [(144, 72), (72, 144), (96, 96)]  # 150 dpi: pixels * 72 / 150
    filecheck.check_pdf(write(tmp_path, pdf))  # what we make passes our own check


# -- the domain pipeline: refused means nothing kept ------------------------------------------------------

PASPOORT = "Alice req: paspoort"


def store_files(db_env) -> set[str]:
    """Every file under the private store, its tmp folder included (relative paths)."""
    root = db_env.data_dir / "files"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def row_counts(db_rows) -> dict[str, int]:
    return {m.__name__: len(db_rows(m)) for m in (Upload, Delivery, Document)}


REFUSED_UPLOADS = {
    # label: (file name, data, msgid)
    "renamed HTML": ("loonstrook.pdf", sf.HTML_AS_PDF, "upload.refused_type"),
    "SVG": ("foto.svg", sf.SVG, "upload.refused_type"),
    "GIF": ("foto.gif", sf.GIF, "upload.refused_type"),
    "ZIP": ("stukken.zip", sf.ZIP, "upload.refused_type"),
    "PDF with JavaScript": ("loonstrook.pdf", sf.pdf_js_open_action(), "upload.refused_pdf_active"),
    "PDF with JavaScript in an object stream": ("loonstrook.pdf", sf.pdf_js_in_object_stream(), "upload.refused_pdf_active"),
    "PDF with #-escaped JavaScript": ("loonstrook.pdf", sf.pdf_js_escaped_names(), "upload.refused_pdf_active"),
    "PDF with an embedded file": ("loonstrook.pdf", sf.pdf_embedded_file(), "upload.refused_pdf_active"),
    "PDF with an attached file": ("loonstrook.pdf", sf.pdf_file_attachment_annotation(), "upload.refused_pdf_active"),
    "PDF with a web link": ("loonstrook.pdf", sf.pdf_action("URI", "link /A"), "upload.refused_pdf_active"),
    "PDF decompression bomb": ("loonstrook.pdf", sf.pdf_object_stream_bomb(), "upload.refused_pdf_too_complex"),
    "PDF of 5,001 pages": ("loonstrook.pdf", sf.pdf_many_pages(5_001), "upload.refused_pdf_too_many_pages"),
    "encrypted PDF": ("loonstrook.pdf", sf.pdf_encrypted(), "upload.refused_pdf_encrypted"),
    "unreadable PDF": ("loonstrook.pdf", sf.BROKEN_PDF, "upload.refused_pdf_broken"),
    "pixel bomb": ("foto.png", sf.png_pixel_bomb(), "upload.refused_too_many_pixels"),
    "broken photo": ("foto.jpg", sf.jpeg()[:200], "upload.refused_broken_image"),
    "empty file": ("leeg.pdf", b"", "upload.refused_empty"),
    "path traversal": ("../x", sf.clean_pdf(), "upload.refused_name"),
    "Windows path": ("C:\\x", sf.clean_pdf(), "upload.refused_name"),
    "absolute path": ("/etc/passwd", sf.clean_pdf(), "upload.refused_name"),
    "drive-relative name": ("C:x.pdf", sf.clean_pdf(), "upload.refused_name"),
    "hidden file": (".htaccess", sf.clean_pdf(), "upload.refused_name"),
    "control character": ("loon\x00strook.pdf", sf.clean_pdf(), "upload.refused_name"),
    "new line": ("loon\nstrook.pdf", sf.clean_pdf(), "upload.refused_name"),
    "no name": ("", sf.clean_pdf(), "upload.refused_name"),
    "very long name": ("a" * 250 + ".pdf", sf.clean_pdf(), "upload.refused_name"),
}


@pytest.mark.parametrize("label", sorted(REFUSED_UPLOADS))
def test_receive_upload_refuses_and_keeps_nothing(personas, db_env, db_rows, label):
    name, data, msgid = REFUSED_UPLOADS[label]
    files_before, rows_before = store_files(db_env), row_counts(db_rows)
    audit_before = len(db_rows(AuditEvent))
    chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    assert refusal(deliveries.receive_upload, personas.actor("alice"), personas.requests[PASPOORT], name, chunks)[0] == msgid
    assert store_files(db_env) == files_before  # no file, no temp file
    assert row_counts(db_rows) == rows_before
    assert len(db_rows(AuditEvent)) == audit_before  # nothing was staged, so nothing to audit


def test_one_byte_over_the_limit_is_refused_and_the_limit_itself_accepted(personas, db_env, db_rows, monkeypatch):
    limit = 20_000
    monkeypatch.setenv("UPLOAD_MAX_BYTES", str(limit))
    db_env.reload()
    alice, item = personas.actor("alice"), personas.requests[PASPOORT]
    exact = sf.pdf_of_size(limit)
    over = exact + b"\n"
    files_before, rows_before = store_files(db_env), row_counts(db_rows)
    chunks = [over[i:i + 4096] for i in range(0, len(over), 4096)]
    assert refusal(deliveries.receive_upload, alice, item, "te groot.pdf", chunks)[0] == "upload.refused_too_large"
    assert (store_files(db_env), row_counts(db_rows)) == (files_before, rows_before)

    staged = deliveries.receive_upload(alice, item, "precies.pdf", [exact[i:i + 4096] for i in range(0, limit, 4096)])
    assert (staged.filename, staged.size, staged.content_type) == ("precies.pdf", limit, "application/pdf")
    (new_file,) = store_files(db_env) - files_before
    assert not new_file.startswith("tmp") and (db_env.data_dir / "files" / new_file).read_bytes() == exact


def test_a_stream_that_fails_midway_keeps_nothing(personas, db_env, db_rows):
    """The caller's body raises after some chunks (a dropped connection, a worker shutting down)."""
    files_before, rows_before = store_files(db_env), row_counts(db_rows)
    sent = []

    def body():
        for n in range(5):
            sent.append(n)
            yield b"%PDF-1.7\n" + b"x" * 50_000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        deliveries.receive_upload(personas.actor("alice"), personas.requests[PASPOORT], "loonstrook.pdf", body())
    assert sent == [0, 1, 2, 3, 4]  # the spool really had data in it
    assert (store_files(db_env), row_counts(db_rows)) == (files_before, rows_before)


@pytest.mark.parametrize("name, data, shown_as, content_type", [
    ("loonstrook.pdf", sf.clean_pdf(), "loonstrook.pdf", "application/pdf"),
    ("loonstrook.PDF", sf.clean_pdf(), "loonstrook.PDF", "application/pdf"),
    ("scan", sf.clean_pdf(), "scan.pdf", "application/pdf"),
    ("loonstrook.hta", sf.clean_pdf(), "loonstrook.hta.pdf", "application/pdf"),  # never opened as a program
    ("loonstrook.html", sf.clean_pdf(), "loonstrook.html.pdf", "application/pdf"),
    ("foto.jpeg", sf.jpeg(), "foto.jpeg", "image/jpeg"),
    ("foto.png", sf.jpeg(), "foto.png.jpg", "image/jpeg"),  # what the bytes are decides
    ("Mijn foto (1).jpg", sf.jpeg(), "Mijn foto (1).jpg", "image/jpeg"),
])
def test_the_name_offered_later_matches_what_the_file_is(personas, name, data, shown_as, content_type):
    staged = deliveries.receive_upload(personas.actor("alice"), personas.requests[PASPOORT], name, [data])
    assert (staged.filename, staged.content_type) == (shown_as, content_type)


def test_heic_upload_is_staged_as_jpeg(personas, db_env):
    data = sf.heic()
    if data is None:
        pytest.skip("pillow_heif on this machine cannot encode HEIC (no x265 encoder)")
    staged = deliveries.receive_upload(personas.actor("alice"), personas.requests[PASPOORT], "IMG_0042.HEIC", [data])
    assert (staged.filename, staged.content_type, staged.has_thumb) == ("IMG_0042.jpg", "image/jpeg", True)
    key, content_type, _ = deliveries.staged_file(personas.actor("alice"), staged.id)
    stored = (db_env.data_dir / "files" / key[:2] / key).read_bytes()
    assert stored.startswith(b"\xff\xd8\xff") and sf.metadata_markers(stored) == []
