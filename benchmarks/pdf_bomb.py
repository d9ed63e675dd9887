"""Benchmark: what checking a hostile or a big real-looking PDF costs (``filecheck.check_pdf``).

Each file is checked in a fresh child process that has already imported the check; printed per file: the
verdict, wall time and peak extra memory (the child's peak resident memory during the check minus its
resident memory before it: the kernel's high-water mark is reset first, via /proc/self/clear_refs).

Files (the hostile ones are those of the tests, tests/sample_files.py):

- object-stream bomb: ~200 KB, three object streams of 70 MB each once inflated (zeros: whitespace to pypdf);
  and one of three 15 MiB streams, each just under the one-stream limit (the worst a small file can do);
- cross-reference-stream bomb, the same in an older cross-reference section, a content-stream bomb (never
  inflated by the check), a bomb behind a broken cross-reference (pypdf alone would rebuild it);
- 20,000 references to objects that do not exist; 5,000 objects claimed by an object stream that lacks them;
- 5,001 pages; 500,001 objects;
- a scanned document like the 250 MB mortgage offer: 300 pages, one ~830 KB image each, an invisible text
  layer, links and outline entries (/GoTo), its small objects in object streams of 100 (as Acrobat writes them).

    .venv/bin/python benchmarks/pdf_bomb.py [--scan-mb 250] [--only bomb,scan] [--module portal.adapters.filecheck]

``--module`` checks with another copy of the module (e.g. an older one, to compare). Targets: a bomb refused in
under 2 s with under 50 MB extra memory; the scan accepted.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import sample_files as sf  # noqa: E402

CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import importlib
check = importlib.import_module(sys.argv[2])

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
try:
    Path("/proc/self/clear_refs").write_text("5")  # peak resident memory := current
    reset = True
except OSError:
    reset = False
before = status("VmRSS")
start = time.perf_counter()
try:
    check.check_pdf(Path(sys.argv[1]))
    verdict = "accepted"
except check.Refused as refused:
    verdict = refused.msgid
print(json.dumps({"verdict": verdict, "seconds": time.perf_counter() - start,
                  "extra": status("VmHWM") - before, "reset": reset}))
"""


def scanned_pdf(path: Path, mb: int, pages: int = 300) -> None:
    """A scan-like PDF of about ``mb`` MB written straight to disk: per page an image (random bytes, stored as
    DCT: never decoded by the check), an invisible text layer (Flate), and one font shared by all; links and
    outline entries that go to pages; the small objects in object streams of 100, a cross-reference stream."""
    image_bytes = mb * 1024 * 1024 // pages
    plain_offsets: dict[int, int] = {}
    small: dict[int, bytes] = {}  # objects that go into object streams
    number = iter(range(1, 10**7))
    catalog, page_tree, font, descriptor, info, outlines = (next(number) for _ in range(6))
    page_numbers = [next(number) for _ in range(pages)]
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

        def plain(num: int, body: bytes) -> None:
            plain_offsets[num] = out.tell()
            out.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

        font_file = next(number)
        plain(font_file, sf.stream(b"/Length1 40000 /Filter /FlateDecode", zlib.compress(os.urandom(30_000))))
        small[font] = (b"<< /Type /Font /Subtype /TrueType /BaseFont /Arial /FirstChar 32 /LastChar 126 "
                       b"/Widths [%s] /FontDescriptor %d 0 R >>" % (b" ".join([b"500"] * 95), descriptor))
        small[descriptor] = (b"<< /Type /FontDescriptor /FontName /Arial /Flags 32 /FontBBox [-665 -325 2000 1040] "
                               b"/ItalicAngle 0 /Ascent 905 /Descent -212 /CapHeight 716 /StemV 80 /FontFile2 %d 0 R >>"
                               % font_file)
        outline_items = []
        for i, page in enumerate(page_numbers):
            image, content = next(number), next(number)
            plain(image, sf.stream(b"/Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceRGB "
                                   b"/BitsPerComponent 8 /Filter /DCTDecode", os.urandom(image_bytes)))
            words = b" ".join(b"(regel %d van pagina %d: hypotheek, rente, aflossing, onderpand) Tj T*" % (r, i + 1)
                              for r in range(45))
            plain(content, sf.stream(b"/Filter /FlateDecode", zlib.compress(
                b"q 595 0 0 842 0 0 cm /Im0 Do Q BT 3 Tr /F1 10 Tf 12 TL 50 800 Td " + words + b" ET")))
            annots = b""
            if i % 10 == 0:
                link = next(number)
                small[link] = (b"<< /Type /Annot /Subtype /Link /Rect [50 50 200 70] /Border [0 0 0] "
                               b"/A << /S /GoTo /D [%d 0 R /Fit] >> >>" % page_numbers[min(i + 10, pages - 1)])
                annots = b" /Annots [%d 0 R]" % link
                item = next(number)
                outline_items.append(item)
                small[item] = b"<< /Title (Hoofdstuk %d) /Parent %d 0 R /Dest [%d 0 R /XYZ 0 842 0] >>" % (
                    len(outline_items), outlines, page)
            small[page] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                           b"/Resources << /XObject << /Im0 %d 0 R >> /Font << /F1 %d 0 R >> >>%s >>"
                           % (page_tree, content, image, font, annots))
        for a, b in zip(outline_items, outline_items[1:]):
            small[a] = small[a][:-3] + b" /Next %d 0 R >>" % b
            small[b] = small[b][:-3] + b" /Prev %d 0 R >>" % a
        small[outlines] = b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (
            outline_items[0], outline_items[-1], len(outline_items))
        small[page_tree] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % p for p in page_numbers), pages)
        small[catalog] = (b"<< /Type /Catalog /Pages %d 0 R /Outlines %d 0 R /PageMode /UseOutlines "
                          b"/PageLabels << /Nums [0 << /S /D >>] >> >>" % (page_tree, outlines))
        small[info] = b"<< /Producer (Scanner 9000) /Title (Hypotheekofferte) >>"

        in_streams: dict[int, tuple[int, int]] = {}
        numbers = sorted(small)
        for at in range(0, len(numbers), 100):
            chunk = numbers[at:at + 100]
            stm = next(number)
            plain(stm, sf.object_stream({n: small[n] for n in chunk}))
            in_streams.update({n: (stm, i) for i, n in enumerate(chunk)})
        xref = next(number)  # the last number
        size = xref + 1
        plain_offsets[xref] = out.tell()
        rows = b"".join(
            struct.pack(">BIH", 2, *in_streams[n]) if n in in_streams
            else struct.pack(">BIH", 1, plain_offsets[n], 0) if n in plain_offsets
            else struct.pack(">BIH", 0, 0, 65535)
            for n in range(size)
        )
        out.write(b"%d 0 obj\n" % xref + sf.stream(
            b"/Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Info %d 0 R /Filter /FlateDecode" % (size, catalog, info),
            zlib.compress(rows)) + b"\nendobj\n")
        out.write(b"startxref\n%d\n%%%%EOF\n" % plain_offsets[xref])


CASES = {
    "bomb": ("object-stream bomb (3 x 70 MB)", lambda p, a: p.write_bytes(sf.pdf_object_stream_bomb())),
    "under": ("object-stream bomb (3 x 15 MiB)", lambda p, a: p.write_bytes(sf.pdf_object_stream_bomb(3, 15 * 2**20))),
    "xref": ("cross-reference-stream bomb (70 MB)", lambda p, a: p.write_bytes(sf.pdf_xref_stream_bomb())),
    "older-xref": ("bomb in an older xref section (70 MB)", lambda p, a: p.write_bytes(sf.pdf_older_xref_stream_bomb())),
    "content": ("content-stream bomb (70 MB, not inflated)", lambda p, a: p.write_bytes(sf.pdf_content_stream_bomb())),
    "broken-xref": ("bomb behind a broken xref (70 MB)", lambda p, a: p.write_bytes(sf.pdf_broken_xref_with_bomb())),
    "missing": ("20,000 references to no object", lambda p, a: p.write_bytes(sf.pdf_many_missing_references())),
    "absent": ("5,000 objects absent from their stream", lambda p, a: p.write_bytes(sf.pdf_absent_from_object_stream())),
    "pages": ("5,001 pages", lambda p, a: p.write_bytes(sf.pdf_many_pages(5_001))),
    "objects": ("500,001 objects", lambda p, a: p.write_bytes(sf.pdf_many_objects(500_001))),
    "scan": ("scanned document, 300 pages", lambda p, a: scanned_pdf(p, a.scan_mb)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scan-mb", type=int, default=250)
    parser.add_argument("--only", default="", help="comma-separated: " + ",".join(CASES))
    parser.add_argument("--module", default="portal.adapters.filecheck")
    parser.add_argument("--module-path", default=str(ROOT), help="where --module is imported from")
    args = parser.parse_args()
    chosen = [c.strip() for c in args.only.split(",") if c.strip()] or list(CASES)
    print(f"{'file':44} {'size':>9} {'verdict':34} {'time':>8} {'extra memory':>13}")
    with tempfile.TemporaryDirectory() as work:
        for key in chosen:
            label, make = CASES[key]
            path = Path(work) / f"{key}.pdf"
            make(path, args)
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-c", CHILD, str(path), args.module, args.module_path],
                                    capture_output=True, text=True, cwd=ROOT, check=False)
            if result.returncode != 0:
                lines = (result.stderr.strip() or "?").splitlines()
                print(f"{label:44} {path.stat().st_size / 1e6:>7.2f}MB child failed after "
                      f"{time.perf_counter() - started:.1f} s: {lines[-1]}")
                continue
            data = json.loads(result.stdout.strip().splitlines()[-1])
            note = "" if data["reset"] else " (peak since start: no clear_refs)"
            print(f"{label:44} {path.stat().st_size / 1e6:>7.2f}MB {data['verdict']:34} {data['seconds']:>7.2f}s"
                  f" {data['extra'] / 2**20:>10.1f} MB{note}")
            path.unlink()


if __name__ == "__main__":
    main()
