#!/usr/bin/python3
"""Writes the .docx files that tests/unit/parsers/docx_cover_test.cpp reads.

Cover sheets are made the two ways participants make them: python-docx (as a script or a
converter would) and LibreOffice (a .docx saved again by Writer, and an HTML table opened
and saved as .docx). The hostile files are built byte by byte: a renamed .doc, a truncated
download, zip bombs, a zip whose directory lies about sizes, a billion-laughs DTD and
elements nested a million deep.

Needs Debian's python3-docx and libreoffice-writer-nogui; the tests need neither, since the
files it writes are committed. Run it from anywhere: ./make_documents.py
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile

import docx
from docx.shared import Pt

HERE = os.path.dirname(os.path.abspath(__file__))

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# The base template's cover table, as the fifth meeting's contributions filled it in.
QUESTION_ROW = ["Question(s):", "All/QIT4N", "E-meeting, 27 July - 7 August 2020"]
SOURCE = "Quantum Networks Ltd (Switzerland), ETH Zürich"
TITLE = "Use cases for key management in QKD networks"
PURPOSE = "Proposal"
KEYWORDS = "QKD; key management; trusted nodes"
ABSTRACT = ["This contribution proposes three use cases for key management.",
            "It asks the group to add them to the draft technical report."]
ALICE = (["Alice Martin", "Quantum Networks Ltd", "Switzerland"],
         ["Tel: +41 22 730 5111", "E-mail: alice.martin@qnet.example"])
BRUNO = (["Bruno Rossi", "Politecnico Example", "Italy"],
         ["Tel: +39 02 1234 5678", "E-mail: bruno.rossi@polimi.example"])
CAROL = (["Carol Chen", "Example Telecom", "China"],
         ["Tel: +86 10 5555 0100", "E-mail: carol.chen@telecom.example"])
DAVE = (["Dave O'Neill", "Example University", "United Kingdom"],
        ["Tel: +44 20 7946 0000", "Email: dave.oneill@uni.example"])


def set_lines(cell, lines):
    """One paragraph per line, as people type them into a cell."""
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def cover_table(document, rows):
    table = document.add_table(rows=len(rows), cols=3)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            set_lines(table.cell(r, c), value if isinstance(value, list) else [value])
    return table


def template_rows(colon=":", contacts=(ALICE, BRUNO)):
    rows = [QUESTION_ROW,
            ["Source" + colon, SOURCE, None],
            ["Title" + colon, TITLE, None],
            ["Purpose" + colon, PURPOSE, None]]
    for people, reach in contacts:
        rows.append(["Contact" + colon, people, reach])
    rows += [["Keywords" + colon, KEYWORDS, None],
             ["Abstract" + colon, ABSTRACT, None]]
    return rows


def new_document(core_title=""):
    document = docx.Document()
    document.core_properties.title = core_title
    document.styles["Normal"].font.size = Pt(11)
    return document


def template_colons(path):
    document = new_document(core_title="QIT4N use cases (core properties)")
    cover_table(document, template_rows())
    document.add_paragraph("1 Introduction")
    document.save(path)


def template_no_colons(path):
    """Labels without colons, in other cases, with spaces and a no-break space; a tab and a
    line break inside values."""
    document = new_document()
    rows = template_rows(colon="", contacts=(ALICE,))
    rows[1][0] = "SOURCE"
    rows[2][0] = "  title\u00a0"
    rows[5][0] = "KEYWORDS"
    rows[6][0] = "abstract "
    rows[5][1] = None
    rows[6][1] = None
    table = cover_table(document, rows)
    keywords = table.cell(5, 1).paragraphs[0]
    keywords.add_run("QKD")
    keywords.add_run().add_tab()
    keywords.add_run("networks")
    abstract = table.cell(6, 1).paragraphs[0]
    abstract.add_run("First line")
    abstract.add_run().add_break()
    abstract.add_run("second line")
    document.save(path)


def merged(path):
    """The Contact label cell merged down over two rows (w:vMerge) and the Title value cell
    spanning two columns (w:gridSpan)."""
    document = new_document()
    rows = template_rows()
    rows[5][0] = None  # the second Contact row: its label cell is merged into the first
    rows[2][2] = None
    table = cover_table(document, rows)
    table.cell(4, 0).merge(table.cell(5, 0))
    table.cell(2, 1).merge(table.cell(2, 2))
    document.save(path)


def two_people(path):
    """One Contact row for two people: six lines in the name cell, two e-mail lines."""
    document = new_document()
    rows = template_rows(contacts=())
    rows.insert(4, ["Contact:", CAROL[0] + DAVE[0], CAROL[1] + DAVE[1]])
    cover_table(document, rows)
    document.save(path)


def no_table(path):
    document = new_document(core_title="Requirements for QKD network management")
    document.add_heading("Requirements for QKD network management", level=1)
    document.add_paragraph("This contribution has no cover table.")
    document.save(path)


def table_not_first(path):
    """Paragraphs before the cover table: it is still the first table."""
    document = new_document()
    document.add_paragraph("INTERNATIONAL TELECOMMUNICATION UNION")
    document.add_paragraph("TELECOMMUNICATION STANDARDIZATION SECTOR")
    document.add_paragraph("FG-QIT4N")
    cover_table(document, template_rows(contacts=(BRUNO,)))
    document.save(path)


def first_table_other(path):
    """The first table is a revision history; a cover-like table after it is not a cover."""
    document = new_document(core_title="Revised draft")
    history = document.add_table(rows=2, cols=3)
    for c, text in enumerate(["Version", "Date", "Change"]):
        history.cell(0, c).text = text
    for c, text in enumerate(["0.2", "2020-07-20", "Editorial"]):
        history.cell(1, c).text = text
    document.add_paragraph("Cover:")
    cover_table(document, template_rows())
    document.save(path)


COVER_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Use cases from an HTML page</title></head>
<body>
<table border="1">
<tr><td>Source:</td><td colspan="2">{source}</td></tr>
<tr><td>Title:</td><td colspan="2">{title}</td></tr>
<tr><td>Purpose:</td><td colspan="2">{purpose}</td></tr>
<tr><td rowspan="2">Contact:</td><td><p>Alice Martin</p><p>Quantum Networks Ltd</p><p>Switzerland</p></td>
<td><p>Tel: +41 22 730 5111</p><p>E-mail: <a href="mailto:alice.martin@qnet.example">alice.martin@qnet.example</a></p></td></tr>
<tr><td><p>Bruno Rossi</p><p>Politecnico Example</p><p>Italy</p></td>
<td><p>Tel: +39 02 1234 5678</p><p>E-mail: bruno.rossi@polimi.example</p></td></tr>
<tr><td>Keywords:</td><td colspan="2">{keywords}</td></tr>
<tr><td>Abstract:</td><td colspan="2"><p>{abstract0}</p><p>{abstract1}</p></td></tr>
</table>
<p>1 Introduction</p>
</body></html>
"""


def soffice(args, workdir):
    profile = "file://" + os.path.join(workdir, "profile")
    subprocess.run(["soffice", "-env:UserInstallation=" + profile, "--headless"] + args,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)


def libreoffice_documents(workdir):
    """Word files as LibreOffice Writer saves them: python-docx files opened and saved again,
    an HTML table saved as .docx, and a .doc renamed to .docx."""
    sources = []
    for name, make in [("lo_template", template_colons), ("lo_merged", merged),
                       ("lo_two_people", two_people)]:
        path = os.path.join(workdir, name + ".docx")
        make(path)
        sources.append(path)
    out = os.path.join(workdir, "out")
    soffice(["--convert-to", 'docx:MS Word 2007 XML', "--outdir", out] + sources, workdir)
    html = os.path.join(workdir, "lo_html.html")
    with open(html, "w", encoding="utf-8") as f:
        f.write(COVER_HTML.format(source=SOURCE, title=TITLE, purpose=PURPOSE, keywords=KEYWORDS,
                                  abstract0=ABSTRACT[0], abstract1=ABSTRACT[1]))
    soffice(["--infilter=HTML (StarWriter)", "--convert-to", 'docx:MS Word 2007 XML',
             "--outdir", out, html], workdir)
    doc_source = os.path.join(workdir, "renamed_doc.docx")
    template_colons(doc_source)
    doc_out = os.path.join(workdir, "doc")
    soffice(["--convert-to", "doc:MS Word 97", "--outdir", doc_out, doc_source], workdir)
    for name in ["lo_template", "lo_merged", "lo_two_people", "lo_html"]:
        shutil.copy(os.path.join(out, name + ".docx"), os.path.join(HERE, name + ".docx"))
    shutil.copy(os.path.join(doc_out, "renamed_doc.doc"), os.path.join(HERE, "renamed_doc.docx"))


# ---- Hostile zips ------------------------------------------------------------------------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/word/document.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
</Types>"""

RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="word/document.xml"/></Relationships>"""

DOCUMENT_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  f'<w:document xmlns:w="{W_NS}"><w:body>')
DOCUMENT_END = "</w:body></w:document>"
SMALL_COVER = ("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Title:</w:t></w:r></w:p></w:tc>"
               "<w:tc><w:p><w:r><w:t>After the padding</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")


def write_zip(path, parts):
    """parts: (name, bytes or an iterable of byte chunks), deflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2020, 7, 20, 8, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if isinstance(data, (bytes, str)):
                z.writestr(info, data)
            else:
                with z.open(info, "w") as f:
                    for chunk in data:
                        f.write(chunk)


def package(document_chunks):
    return [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
            ("word/document.xml", document_chunks)]


def padded_document(padding_bytes):
    """A valid document.xml: a paragraph, `padding_bytes` of white space, the cover table."""
    yield (DOCUMENT_START + "<w:p><w:r><w:t>Start</w:t></w:r></w:p>").encode()
    chunk = b" " * (1 << 20)
    for _ in range(padding_bytes // len(chunk)):
        yield chunk
    yield (SMALL_COVER + DOCUMENT_END).encode()


def bomb(path):
    """document.xml inflates to 300 MiB (beyond 256 MiB and 100 times the file's size)."""
    write_zip(path, package(padded_document(300 << 20)))


def ratio_bomb(path):
    """document.xml inflates to 20 MiB: below 256 MiB, but some 1000 times the file's size."""
    write_zip(path, package(padded_document(20 << 20)))


def lying_directory(path):
    """document.xml inflates to 50 MiB while both its local header and the central directory
    say 1000 bytes: only counting the inflated bytes finds out."""
    write_zip(path, package(padded_document(50 << 20)))
    data = bytearray(open(path, "rb").read())
    name = b"word/document.xml"
    patched = 0
    offset = 0
    while True:
        local = data.find(b"PK\x03\x04", offset)
        if local < 0:
            break
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30:local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, 1000)
            patched += 1
        offset = local + 4
    offset = 0
    while True:
        central = data.find(b"PK\x01\x02", offset)
        if central < 0:
            break
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, 1000)
            patched += 1
        offset = central + 4
    if patched != 2:
        sys.exit(f"lying_directory: patched {patched} headers instead of 2")
    open(path, "wb").write(bytes(data))


def billion_laughs(path):
    entities = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        previous = "lol" if i == 1 else f"lol{i - 1}"
        entities.append(f'<!ENTITY lol{i} "' + f"&{previous};" * 10 + '">')
    document = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<!DOCTYPE w:document [\n' + "\n".join(entities) + "\n]>\n"
                f'<w:document xmlns:w="{W_NS}"><w:body><w:tbl><w:tr>'
                "<w:tc><w:p><w:r><w:t>Title:</w:t></w:r></w:p></w:tc>"
                "<w:tc><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:tc>"
                "</w:tr></w:tbl></w:body></w:document>")
    write_zip(path, package(document))


def deep_nesting(path):
    """A million nested w:sdt elements inside the body, before any table."""
    depth = 1_000_000

    def chunks():
        yield DOCUMENT_START.encode()
        yield b"<w:sdt>" * depth
        yield b"</w:sdt>" * depth
        yield (SMALL_COVER + DOCUMENT_END).encode()
    write_zip(path, package(chunks()))


def no_document(path):
    """A zip, but a spreadsheet's: no word/document.xml."""
    write_zip(path, [("[Content_Types].xml", CONTENT_TYPES),
                     ("xl/workbook.xml", "<workbook/>")])


def corrupt(path, source):
    """A download cut short: the first 60% of a real .docx, central directory lost."""
    data = open(source, "rb").read()
    open(path, "wb").write(data[:len(data) * 6 // 10])


def fuzz_seeds():
    """Seeds for fuzz/fuzz_docx_cover (small .docx files as they are) and for
    fuzz/fuzz_docx_cover_xml (word/document.xml, a NUL byte, docProps/core.xml)."""
    seeds = os.path.join(HERE, "..", "..", "..", "fuzz", "seeds")
    whole = os.path.join(seeds, "docx_cover")
    xml = os.path.join(seeds, "docx_cover_xml")
    for folder in (whole, xml):
        os.makedirs(folder, exist_ok=True)
    for name in ["lo_template", "lo_merged", "lo_two_people", "lo_html", "no_document",
                 "billion_laughs"]:
        shutil.copy(os.path.join(HERE, name + ".docx"), os.path.join(whole, name))
    for name in ["lo_template", "lo_html", "merged", "two_people", "template_no_colons",
                 "no_table", "billion_laughs"]:
        with zipfile.ZipFile(os.path.join(HERE, name + ".docx")) as z:
            seed = z.read("word/document.xml")
            if "docProps/core.xml" in z.namelist():
                seed += b"\0" + z.read("docProps/core.xml")
        with open(os.path.join(xml, name), "wb") as f:
            f.write(seed)


def main():
    made = {
        "template_colons": template_colons,
        "template_no_colons": template_no_colons,
        "merged": merged,
        "two_people": two_people,
        "no_table": no_table,
        "table_not_first": table_not_first,
        "first_table_other": first_table_other,
        "bomb": bomb,
        "ratio_bomb": ratio_bomb,
        "lying_directory": lying_directory,
        "billion_laughs": billion_laughs,
        "deep_nesting": deep_nesting,
        "no_document": no_document,
    }
    for name, make in made.items():
        make(os.path.join(HERE, name + ".docx"))
    corrupt(os.path.join(HERE, "corrupt.docx"), os.path.join(HERE, "template_colons.docx"))
    with tempfile.TemporaryDirectory() as workdir:
        libreoffice_documents(workdir)
    fuzz_seeds()
    for name in sorted(os.listdir(HERE)):
        if name.endswith(".docx"):
            print(f"{os.path.getsize(os.path.join(HERE, name)):>9} {name}")


if __name__ == "__main__":
    main()
