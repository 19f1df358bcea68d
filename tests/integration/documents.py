"""Word documents as participants write them, made with python-docx (Debian's python3-docx):
one in the group's base template, whose cover table the register reads, and a plain one."""

import io

import docx as python_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def template_document(title, source, note, contact=("Alice Example", "Alice Labs", "Switzerland",
                                                     "alice@member.test")):
    """A .docx as the base template opens: the cover table of labelled rows, then a paragraph
    (NOTE makes each version's bytes differ)."""
    document = python_docx.Document()
    table = document.add_table(rows=0, cols=3)
    for label, value in [("Source:", source), ("Title:", title), ("Purpose:", "Discussion")]:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].merge(cells[2]).text = value
    name, organization, country, address = contact
    cells = table.add_row().cells
    cells[0].text = "Contact:"
    cells[1].text = f"{name}\n{organization}\n{country}"
    cells[2].text = f"Tel: +41 22 000 00 00\nE-mail: {address}"
    cells = table.add_row().cells
    cells[0].text = "Keywords:"
    cells[1].merge(cells[2]).text = "QKD; key relay"
    document.add_paragraph(note)
    return _saved(document)


def plain_document(text):
    """A .docx without the template's cover table."""
    document = python_docx.Document()
    document.add_paragraph(text)
    return _saved(document)


def _saved(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
