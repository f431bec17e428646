"""A framework as TOML and as a spreadsheet: the canonical TOML (core/framework_toml.py), the workbook written
(render/framework_workbook.py) and read back (core/framework_workbook.py) are three views of one framework, over
every shipped file and over generated frameworks; a workbook's problems are said in its cells, in a spreadsheet's
words."""
from __future__ import annotations

import dataclasses
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from compliance.core import framework_sheets as sheets
from compliance.core import frameworks as fw
from compliance.core.framework_sheets import ABOUT_FIELDS, SPECS, TABLES
from compliance.core.framework_toml import canonical_toml, framework_document
from compliance.core.framework_workbook import read_framework
from compliance.render.framework_workbook import framework_workbook
from tests.builders import SECTORS

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {path.name: path.read_bytes() for path in sorted((ROOT / "questionnaires").glob("*.toml"))}
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(one: fw.Framework, other: fw.Framework) -> bool:
    """The same framework, whichever text it was read from (its checksum and name are the text's)."""
    return dataclasses.replace(one, sha256="", path="") == dataclasses.replace(other, sha256="", path="")


def read(data: bytes, known=()):
    return read_framework(data, "framework.xlsx", sectors=SECTORS, known=known)


def messages(checked) -> list[str]:
    assert checked.framework is None
    return [str(problem) for problem in checked.problems]


# --- generated frameworks ------------------------------------------------------------------------------------

_id = st.lists(st.text("abcdefxyz0123456789", min_size=1, max_size=4), min_size=1, max_size=3).map("-".join)
_version = st.lists(st.text("abcXYZ0123456789", min_size=1, max_size=3), min_size=1, max_size=3).map(".".join)
# Any printable text a person might paste: quotes, backslashes, formula-like starts, markup, other scripts, and line
# breaks; not the control characters a spreadsheet cannot hold (it drops them).
_characters = st.one_of(st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co")),
                        st.sampled_from(list("\n\t=+-@'\"\\<>&,;_ ")))
_text = st.text(_characters, min_size=1, max_size=30).map(str.strip).filter(bool)
_line = _text.map(lambda text: " ".join(text.split()))  # an item of a list kept one to a line
_tag = _line.map(lambda text: text.replace(",", " ").strip()).filter(bool)  # an item of a list kept by commas


@st.composite
def _scale(draw) -> tuple[fw.Level, ...]:
    count = draw(st.integers(min_value=2, max_value=5))
    codes = draw(st.lists(_line, min_size=count, max_size=count, unique=True))
    scores = sorted(draw(st.lists(st.integers(-50, 50), min_size=count, max_size=count, unique=True)), reverse=True)
    levels = []
    for index, (code, score) in enumerate(zip(codes, scores)):
        rag = draw(st.sampled_from(fw.RAG_COLOURS if index else fw.RAG_COLOURS[:3]))
        grey = rag == "grey"
        levels.append(fw.Level(code, draw(_text), draw(_text), rag, None if grey else score,
                               index == 0 or (not grey and draw(st.booleans())), draw(st.booleans()),
                               draw(st.booleans()), not grey and draw(st.booleans())))
    return tuple(levels)


@st.composite
def _overall(draw) -> fw.OverallRule:
    if draw(st.booleans()):
        return fw.OverallRule("worst-rating-wins")
    percents = sorted(draw(st.lists(st.decimals(0, 100, places=draw(st.integers(0, 2))), max_size=4, unique=True)),
                      reverse=True)
    return fw.OverallRule("percentage-met", draw(st.integers(0, 2)), "half-up", tuple(
        fw.Threshold(percent, draw(_text), draw(st.sampled_from(fw.THRESHOLD_RAGS))) for percent in percents))


@st.composite
def frameworks(draw) -> fw.Framework:
    status = draw(st.sampled_from(fw.STATUSES))
    draft = status == "draft"
    maybe = st.one_of(st.just(""), _text) if draft else _text
    count = draw(st.integers(min_value=1, max_value=5))
    ids = draw(st.lists(_id, min_size=count, max_size=count, unique=True))
    refs = draw(st.lists(_line, min_size=count, max_size=count, unique=True))
    requirements = tuple(fw.Requirement(
        requirement_id, ref, draw(_text), draw(maybe), fw.Guidance(draw(maybe), draw(maybe)),
        suggested_evidence=tuple(draw(st.lists(_line, max_size=3))),
        sectors=tuple(draw(st.lists(st.sampled_from(list(SECTORS)), max_size=3, unique=True))),
        mandatory=draw(st.booleans()), tags=tuple(draw(st.lists(_tag, max_size=3))))
        for requirement_id, ref in zip(ids, refs))
    mappings = tuple(fw.Mapping(draw(st.sampled_from(ids)), "other-framework", draw(st.sampled_from(["o-1", "o-2"])),
                                draw(st.sampled_from(fw.RELATIONS))) for _ in range(draw(st.integers(0, 2))))
    return fw.Framework(
        id=draw(_id.filter(lambda value: value != "other-framework")), version=draw(_version), title=draw(_text),
        short_title=draw(_line.map(lambda text: text[:40].strip()).filter(bool)),
        published=draw(st.dates(date(1900, 3, 1), date(2100, 1, 1))), source=draw(_text), status=status,
        notice=draw(_text) if draft else draw(st.one_of(st.just(""), _text)), scale=draw(_scale()),
        requirements=requirements, overall=draw(_overall()), mappings=mappings,
        description=draw(st.one_of(st.just(""), _text)))


OTHER = fw.Framework(id="other-framework", version="1", title="Other", short_title="Other",
                     published=date(2020, 1, 1), source="Test", status="published", notice="", scale=(),
                     overall=fw.OverallRule("worst-rating-wins"),
                     requirements=tuple(fw.Requirement(rid, rid, rid, "Text.", fw.Guidance("G.", "E."))
                                        for rid in ("o-1", "o-2")))


# --- the canonical TOML ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_file_in_canonical_form_is_the_same_framework(name):
    shipped = fw.parse(SHIPPED[name], name=name, sectors=SECTORS)
    text = canonical_toml(shipped)
    again = fw.parse(text, name=name, sectors=SECTORS)
    assert same(again, shipped)
    assert canonical_toml(again) == text, "the canonical form of the canonical form is itself"


@EXAMPLES
@given(framework=frameworks())
def test_the_canonical_toml_of_any_framework_parses_to_that_framework(framework):
    assert same(fw.parse(canonical_toml(framework), name="generated.toml", sectors=SECTORS), framework)


def test_the_canonical_form_leaves_defaults_out_and_writes_text_as_toml_text():
    shipped = fw.parse(SHIPPED["west-midlands-dv-standards-2014--1.toml"], name="wm", sectors=SECTORS)
    changed = dataclasses.replace(shipped, title='Quotes " and \\ and\ttabs', requirements=(dataclasses.replace(
        shipped.requirements[0], text="Two\nlines", mandatory=False),))
    text = canonical_toml(changed)
    assert 'title = "Quotes \\" and \\\\ and\\ttabs"' in text
    assert 'text = """\nTwo\nlines\n"""' in text and "mandatory = false" in text
    assert "counts_as_met = false" not in text and "needs_action = true" in text
    assert "decimals" not in text, "worst-rating-wins has no decimals"
    document = framework_document(changed)
    assert "mappings" not in document and "sectors" not in document["requirements"][0]


# --- TOML -> workbook -> TOML ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_file_through_its_workbook_is_the_same_framework(name):
    shipped = fw.parse(SHIPPED[name], name=name, sectors=SECTORS)
    checked = read(framework_workbook(shipped, sectors=SECTORS))
    assert checked.problems == ()
    assert same(checked.framework, shipped)
    assert checked.toml == canonical_toml(shipped)


@settings(EXAMPLES, max_examples=30)
@given(framework=frameworks())
def test_any_framework_through_its_workbook_is_the_same_framework(framework):
    # the framework mapped to shares its scale: a "same" mapping between different scales is refused when loaded
    other = dataclasses.replace(OTHER, scale=framework.scale)
    checked = read(framework_workbook(framework, sectors=SECTORS), known=[other])
    assert checked.problems == ()
    assert same(checked.framework, framework)
    assert checked.toml == canonical_toml(framework)


def test_the_same_framework_gives_the_same_bytes():
    shipped = fw.parse(SHIPPED["bvpi-225--1.toml"], name="bvpi", sectors=SECTORS)
    assert framework_workbook(shipped, sectors=SECTORS) == framework_workbook(shipped, sectors=SECTORS)


# --- the workbook as a person sees it -----------------------------------------------------------------------------

def _opened(framework=None):
    return load_workbook(io.BytesIO(framework_workbook(framework, sectors=SECTORS)))


def test_the_workbook_has_a_help_sheet_then_the_sheets_with_readable_columns():
    shipped = fw.parse(SHIPPED["wdvf-overarching-protocol-2018--1.toml"], name="wdvf", sectors=SECTORS)
    book = _opened(shipped)
    assert book.sheetnames == ["Help", "About", "Scale", "Thresholds", "Requirements", "Mappings", "Lists"]
    assert book["Lists"].sheet_state == "hidden" and book.active.title == "About"
    help_text = "\n".join(str(cell.value) for row in book["Help"].iter_rows() for cell in row if cell.value)
    assert "Over-Arching Domestic Violence Protocol 2018" in help_text and "version 1" in help_text
    for spec, columns, _ in TABLES:  # every column is explained on the Help sheet
        for column in columns:
            assert column.meaning in help_text, (spec.name, column.heading)
    for field in ABOUT_FIELDS:
        assert field.meaning in help_text
    assert "separated by commas" in help_text and "one item a line" in help_text
    for spec in SPECS:
        sheet = book[spec.name]
        assert [cell.value for cell in sheet[1]] == list(spec.columns)
        assert sheet.freeze_panes == "A2", f"{spec.name}: headings stay in view"
        assert all(cell.font.bold for cell in sheet[1])
        widths = [sheet.column_dimensions[chr(ord("A") + index)].width for index in range(len(spec.columns))]
        assert all(width >= 10 for width in widths), (spec.name, widths)
    requirements = book["Requirements"]
    assert requirements.column_dimensions["D"].width >= 50, "the wording has room"
    assert requirements["D2"].alignment.wrap_text and requirements["D2"].alignment.vertical == "top"
    assert requirements["D2"].value.startswith("Have a written domestic abuse policy") or requirements["D2"].value
    assert requirements["B2"].number_format == "@", "a Ref of 1.10 stays 1.10"
    about = book["About"]
    published = next(row for row in about.iter_rows(min_row=2) if row[0].value == "Date published")
    assert published[1].value.date() == shipped.published and published[1].number_format == "dd/mm/yyyy"
    assert about.protection.sheet and not published[1].protection.locked and published[0].protection.locked


def _validations(sheet) -> dict[str, object]:
    return {str(rule.sqref).split(":")[0]: rule for rule in sheet.data_validations.dataValidation}


def test_closed_choices_are_drop_downs_and_sectors_a_list_that_takes_several():
    book = _opened()
    lists = book["Lists"]
    options = {f"{column[0].column_letter}": [cell.value for cell in column if cell.value is not None]
               for column in lists.iter_cols()}

    def choices(rule):
        letter = re.search(r"\$([A-Z]+)\$1", rule.formula1)[1]
        return options[letter]

    scale = _validations(book["Scale"])
    assert choices(scale["D2"]) == list(fw.RAG_COLOURS) and scale["D2"].showErrorMessage
    assert choices(scale["F2"]) == ["Yes", "No"] and str(scale["F2"].sqref) == "F2:F21"
    requirements = _validations(book["Requirements"])
    assert choices(requirements["I2"]) == ["Yes", "No"]
    sectors = requirements["H2"]
    assert choices(sectors) == list(SECTORS.values()) and not sectors.showErrorMessage, "several sectors may be typed"
    assert choices(_validations(book["Mappings"])["D2"]) == list(fw.RELATIONS)
    assert choices(_validations(book["Thresholds"])["C2"]) == list(fw.THRESHOLD_RAGS)
    about = _validations(book["About"])
    status_row = 2 + [field.heading for field in ABOUT_FIELDS].index("Status")
    assert choices(about[f"B{status_row}"]) == list(fw.STATUSES)
    assert [options[letter] for letter in options].count(["Yes", "No"]) == 1, "one list of Yes and No, shared"


def test_the_template_is_empty_and_says_what_to_fill_in():
    book = _opened()
    about = book["About"]
    assert [row[0].value for row in about.iter_rows(min_row=2)] == [field.heading for field in ABOUT_FIELDS]
    assert all(row[1].value is None for row in about.iter_rows(min_row=2))
    assert all(row[2].value for row in about.iter_rows(min_row=2)), "each field says what to put in it"
    for spec, _, _ in TABLES:
        assert book[spec.name].max_row == 1, f"{spec.name} holds only its headings"
    assert book["Help"]["A1"].value == "Framework template"


def test_text_that_looks_like_a_formula_or_markup_is_kept_as_text_both_ways():
    shipped = fw.parse(SHIPPED["bvpi-225--1.toml"], name="bvpi", sectors=SECTORS)
    hostile = dataclasses.replace(shipped, requirements=(dataclasses.replace(
        shipped.requirements[0], title="<script>alert(1)</script>", text="=cmd|' /C calc'!A0",
        guidance=fw.Guidance("'=HYPERLINK(\"x\")", "@SUM(A1)")), *shipped.requirements[1:]))
    data = framework_workbook(hostile, sectors=SECTORS)
    sheet = load_workbook(io.BytesIO(data))["Requirements"]
    assert sheet["D2"].data_type == "s" and sheet["D2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["E2"].value == "''=HYPERLINK(\"x\")" and sheet["F2"].value == "'@SUM(A1)"
    checked = read(data)
    assert same(checked.framework, hostile)


# --- a workbook's problems, in its cells ----------------------------------------------------------------------------

WM = fw.parse(SHIPPED["west-midlands-dv-standards-2014--1.toml"], name="wm", sectors=SECTORS)


WM_WORKBOOK = framework_workbook(WM, sectors=SECTORS)


def _edited(change, framework=WM) -> bytes:
    book = load_workbook(io.BytesIO(WM_WORKBOOK if framework is WM else framework_workbook(framework,
                                                                                             sectors=SECTORS)))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _about(book, field: str, value) -> None:
    row = next(row for row in book["About"].iter_rows(min_row=2) if row[0].value == field)
    row[1].value = value


def _published(book) -> None:
    _about(book, "Version", "2")
    _about(book, "Status", "Published")  # typed with a capital: choices are read in any case
    _about(book, "Notice", None)


def test_a_draft_published_without_its_wording_is_told_each_cell_to_fill_in():
    found = messages(read(_edited(_published)))
    assert len(found) == 33, "text, what good looks like and how it is evidenced, for each of 11 standards"
    assert found[:3] == [
        "Sheet Requirements, row 2, column D (Text): Text is empty; a published framework needs it (only a framework "
        "whose Status (on the About sheet) is draft may leave it empty)",
        "Sheet Requirements, row 2, column E (What good looks like): What good looks like is empty; a published "
        "framework needs it (only a framework whose Status (on the About sheet) is draft may leave it empty)",
        "Sheet Requirements, row 2, column F (How it is evidenced): How it is evidenced is empty; a published "
        "framework needs it (only a framework whose Status (on the About sheet) is draft may leave it empty)"]
    assert found[-1].startswith("Sheet Requirements, row 12, column F (How it is evidenced):")


def _cell(sheet: str, ref: str, value, *, text: bool = False):
    def change(book):
        book[sheet][ref].value = value
        if text:
            book[sheet][ref].data_type = "s"  # typed into a text cell: text, whatever it looks like
    return change


BROKEN = {
    "a date typed as text": (lambda book: _about(book, "Date published", "1 June 2014"),
                             "Sheet About, row 6, column B (Value): Date published '1 June 2014' is text, not a date"),
    "a date and a time": (lambda book: _about(book, "Date published", __import__("datetime").datetime(2014, 6, 1, 9)),
                          "Sheet About, row 6, column B (Value): Date published holds a date and a time"),
    "a bad id": (lambda book: _about(book, "Framework id", "West Midlands"),
                 'Sheet About, row 2, column B (Value): Framework id "West Midlands" is not a valid id; use '
                 "lower case"),
    "an unknown status": (lambda book: _about(book, "Status", "final"),
                          'Sheet About, row 8, column B (Value): Status "final" is not allowed; use one of: published, '
                          "draft"),
    "a draft without a notice": (lambda book: _about(book, "Notice", None),
                                 "Sheet About, row 9, column B (Value): Notice a draft framework needs a notice saying "
                                 "what is incomplete; fill in the Notice"),
    "decimals with worst-rating-wins": (lambda book: _about(book, "Decimal places", 1),
                                        "Sheet About, row 12, column B (Value): Decimal places applies only when "
                                        "the Overall rule (on the About sheet) is percentage-met; empty the cell"),
    "thresholds with worst-rating-wins": (
        lambda book: book["Thresholds"].append([75, "Compliant", "green"]),
        "Sheet Thresholds: The sheet applies only when the Overall rule (on the About sheet) is percentage-met; "
        "delete the rows of the Thresholds sheet"),
    "decimals of 3": (lambda book: (_about(book, "Overall rule", "percentage-met"), _about(book, "Decimal places", 3)),
                      "Sheet About, row 12, column B (Value): Decimal places is 3; use 0, 1 or 2"),
    "a field name changed": (lambda book: _about(book, "Title", None) or book["About"].cell(4, 1, "Name"),
                             "Sheet About, row 4: column A holds 'Name', which is not a field of a framework"),
    "a score in words": (_cell("Scale", "E3", "two"), "Sheet Scale, row 3, column E (Score): Score holds 'two': enter "
                                                       "a whole number, like 3"),
    "a score of 2.5": (_cell("Scale", "E3", 2.5), "Sheet Scale, row 3, column E (Score): Score holds '2.5'"),
    "scores out of order": (_cell("Scale", "E3", 4), "Sheet Scale, row 3, column E (Score): Score must be lower than "
                                                      "3, the score of the level above"),
    "a colour not on the list": (_cell("Scale", "D3", "blue"), 'Sheet Scale, row 3, column D (Colour): "blue" is not '
                                                                "allowed; use one of: green, amber, red, grey"),
    "a grey level with a score": (_cell("Scale", "E5", 0), "Sheet Scale, row 5, column E (Score): a grey (not "
                                                            "applicable) level must not have a score; empty the cell"),
    "a grey level counting as met": (_cell("Scale", "F5", "Yes"), "Sheet Scale, row 5, column F (Counts as met): a "
                                     "grey (not applicable) level cannot count as met; set it to No"),
    "neither yes nor no": (_cell("Scale", "H2", "Maybe"), "Sheet Scale, row 2, column H (Needs a reason): Needs a "
                                                          "reason holds 'Maybe': choose Yes or No from the list"),
    "no level counts as met": (_cell("Scale", "F2", "No"), "Sheet Scale: no level counts as met; set Counts as met to "
                                                           "Yes on at least one level"),
    "one level": (lambda book: book["Scale"].delete_rows(3, 3),
                  "Sheet Scale: The sheet has 1 level; add at least two, one a row, best level first"),
    "a repeated id": (_cell("Requirements", "A3", "wm-2014-01"), 'Sheet Requirements, row 3, column A (Id): '
                                                                 '"wm-2014-01" is used twice; each requirement needs'),
    "a repeated ref": (_cell("Requirements", "B3", "Standard 1"), 'Sheet Requirements, row 3, column B (Ref): '
                                                                  '"Standard 1" is used twice'),
    "an unknown sector": (_cell("Requirements", "H3", "Housing, Fire service"),
                          'Sheet Requirements, row 3, column H (Sectors): requirement "wm-2014-02" names the sector '
                          '"Fire service", but the partnership has no such sector; use the names of the partnership\'s '
                          "sectors, separated by commas (Ambulance, "),
    "a sector twice": (_cell("Requirements", "H3", "housing, Housing"),
                       'Sheet Requirements, row 3, column H (Sectors): "housing" is listed twice; list each sector '
                       "once"),
    "no requirements": (lambda book: book["Requirements"].delete_rows(2, 11),
                        "Sheet Requirements: The sheet has no requirements; add at least one, one a row"),
    "a mapping to no requirement": (lambda book: book["Mappings"].append(["wm-2014-99", "bvpi-225", "bvpi-225-01"]),
                                    'Sheet Mappings, row 2, column A (Requirement id): "wm-2014-99" is not the Id of '
                                    "a requirement on the Requirements sheet; use one of those Ids"),
    "a mapping to a framework not loaded": (
        lambda book: book["Mappings"].append(["wm-2014-01", "no-such-framework", "x-1"]),
        'Sheet Mappings, row 2, column B (Other framework id): framework "no-such-framework" is not loaded (no '
        "framework with that id is loaded); load it first, or delete this row"),
    "a mapping to its own framework": (
        lambda book: book["Mappings"].append(["wm-2014-01", "west-midlands-dv-standards-2014", "wm-2014-02"]),
        "Sheet Mappings, row 2, column B (Other framework id): Other framework id is this framework's own id; a "
        "mapping links to another framework"),
}


@pytest.mark.parametrize("change, expected", BROKEN.values(), ids=BROKEN.keys())
def test_each_problem_is_said_in_its_cell_with_how_to_fix_it(change, expected):
    found = messages(read(_edited(change)))
    assert any(message.startswith(expected) for message in found), found


@settings(EXAMPLES, max_examples=30)
@given(changes=st.lists(st.sampled_from(sorted(BROKEN)), min_size=1, max_size=4, unique=True),
       published=st.booleans())
def test_problems_never_speak_toml(changes, published):
    """Whatever is wrong, the words are a spreadsheet's: no [[tables]], no field = value, no true or false, and every
    problem has a sheet (the kit's whole-file problems aside) ."""
    def change(book):
        if published:
            _published(book)
        for name in changes:
            BROKEN[name][0](book)

    checked = read(_edited(change), known=[fw.parse(SHIPPED["bvpi-225--1.toml"], name="b", sectors=SECTORS)])
    for problem in checked.problems:
        assert problem.sheet is not None, str(problem)
        assert not re.search(r"\[\[|\w = |\btrue\b|\bfalse\b|without quotes|\.toml|\bfile\b", problem.message), \
            str(problem)


def test_a_mapping_to_a_loaded_framework_resolves():
    bvpi = fw.parse(SHIPPED["bvpi-225--1.toml"], name="bvpi", sectors=SECTORS)
    data = _edited(lambda book: (_published(book), book["Mappings"].append(["wm-2014-01", "bvpi-225", "bvpi-225-01",
                                                                            "related"])),
                   framework=dataclasses.replace(WM, requirements=tuple(
                       dataclasses.replace(item, text="T.", guidance=fw.Guidance("G.", "E."))
                       for item in WM.requirements)))
    checked = read(data, known=[bvpi])
    assert checked.problems == ()
    assert checked.framework.mappings == (fw.Mapping("wm-2014-01", "bvpi-225", "bvpi-225-01", "related"),)
    assert messages(read(data)) == [
        'Sheet Mappings, row 2, column B (Other framework id): framework "bvpi-225" is not loaded (no framework with '
        "that id is loaded); load it first, or delete this row"]


def test_a_same_mapping_to_a_scale_with_other_codes_is_refused_in_the_spreadsheets_words():
    """The rule of questionnaires/README.md ("One answer for mapped requirements"), said as a spreadsheet says it."""
    bvpi = fw.parse(SHIPPED["bvpi-225--1.toml"], name="bvpi", sectors=SECTORS)
    data = _edited(lambda book: (_published(book), book["Mappings"].append(["wm-2014-01", "bvpi-225", "bvpi-225-01",
                                                                            "Same"])),
                   framework=dataclasses.replace(WM, requirements=tuple(
                       dataclasses.replace(item, text="T.", guidance=fw.Guidance("G.", "E."))
                       for item in WM.requirements)))
    [problem] = read(data, known=[bvpi]).problems
    assert str(problem) == (
        'Sheet Mappings, row 2, column D (Relation): "same" makes one answer stand for both requirements, its rating '
        "carried over by its code, so both scales need the same codes: the Codes on the Scale sheet are met, "
        'not-applicable, not-met, partially-met, but version "1" of "bvpi-225" has no, yes; give the scales the same '
        "codes, or set Relation to related or part-of, which only suggest the other answer")
    assert not re.search(r"\[\[|\w = |\.toml|\bfile\b", problem.message)


def test_the_help_says_what_each_relation_does_as_the_questionnaires_readme_does():
    meaning = next(column.meaning for column in sheets.MAPPING_COLUMNS if column.heading == "Relation")
    for said in ("same: they ask the same thing", "answers the two once and that one answer counts for both",
                 "its rating carried over by its Code", "both frameworks' scales need the same Codes",
                 "part-of: this framework's requirement is part of the other's", "related: the two overlap",
                 "only a suggestion to start from", "Empty means related"):
        assert said in meaning
    book = load_workbook(io.BytesIO(WM_WORKBOOK))
    assert meaning in [row[2].value for row in book["Help"].iter_rows() if row[1].value == "Relation"]
    readme = (ROOT / "questionnaires" / "README.md").read_text(encoding="utf-8")
    assert "its rating carried over by its code, so both scales need the same codes" in readme
    assert "only suggest the other answer" in readme


def test_lists_in_cells_are_read_by_commas_and_lines_and_sectors_by_name_or_id():
    def change(book):
        _published(book)
        for row in book["Requirements"].iter_rows(min_row=2):
            row[3].value, row[4].value, row[5].value = "T.", "G.", "E."
        book["Requirements"]["G2"].value = "A policy\n\n  Minutes of the board  \n"
        book["Requirements"]["H2"].value = " HOUSING ,police,, Specialist domestic abuse service"
        book["Requirements"]["J2"].value = "policy, training,"
        book["Requirements"]["I2"].value = "no"
    checked = read(_edited(change))
    first = checked.framework.requirements[0]
    assert first.suggested_evidence == ("A policy", "Minutes of the board")
    assert first.sectors == ("housing", "police", "specialist")
    assert first.tags == ("policy", "training") and first.mandatory is False
    assert 'sectors = ["housing", "police", "specialist"]' in checked.toml


def test_a_version_typed_as_a_number_and_a_date_as_a_date_are_read_as_meant():
    def change(book):
        _published(book)
        _about(book, "Version", 2)
        _about(book, "Date published", date(2014, 6, 1))
        for row in book["Requirements"].iter_rows(min_row=2):
            row[3].value, row[4].value, row[5].value = "T.", "G.", "E."
    checked = read(_edited(change))
    assert checked.framework.version == "2" and checked.framework.published == date(2014, 6, 1)


def test_thresholds_read_as_the_numbers_typed():
    def change(book):
        _about(book, "Overall rule", "percentage-met")
        _about(book, "Decimal places", "1")
        for row in ([75, "Compliant", "green"], ["58.8", "Partly", "Amber"], [0, "Not compliant", "red"]):
            book["Thresholds"].append(row)
    overall = read(_edited(change)).framework.overall
    assert overall.decimals == 1
    assert [(t.min_percent, t.label, t.rag) for t in overall.thresholds] == [
        (Decimal("75"), "Compliant", "green"), (Decimal("58.8"), "Partly", "amber"), (Decimal("0"), "Not compliant",
                                                                                      "red")]
