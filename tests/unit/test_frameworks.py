"""Loading and validating framework files (compliance/frameworks.py): real files, no mocks."""
import hashlib
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from compliance.core import frameworks as fw
from compliance.core.frameworks import (
    Framework,
    FrameworkError,
    Guidance,
    Level,
    LoadResult,
    Mapping,
    OverallRule,
    Requirement,
    Threshold,
    framework_files,
    load_all,
    load_file,
    parse,
)
from compliance.core.sectors import parse_sectors
from tests.builders import SECTORS

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "frameworks"
MINIMAL = (FIXTURES / "good-minimal.toml").read_text(encoding="utf-8")


def variant(*replacements: str, base: str = MINIMAL) -> str:
    """MINIMAL with (old, new) pairs replaced; each old must be there, so a fixture edit cannot silently void a test."""
    text = base
    for old, new in zip(replacements[::2], replacements[1::2]):
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def errors_of(text: str, name: str = "bad.toml") -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse(text, name=name, sectors=SECTORS)
    return caught.value.errors


def requirement(id_: str, ref: str, extra: str = "") -> str:
    return (f'\n[[requirements]]\nid = "{id_}"\nref = "{ref}"\ntitle = "T"\ntext = "Do it."\n{extra}'
            '\n[requirements.guidance]\ngood = "Good."\nevidence = "Proof."\n')


def framework_file(folder: Path, name: str, id_: str, *, version: str = "1", body: str = "") -> Path:
    path = folder / name
    path.write_text(variant('id = "minimal"', f'id = "{id_}"', 'version = "1"', f'version = "{version}"') + body,
                    encoding="utf-8")
    return path


def mapping(requirement_id: str, framework: str, target: str) -> str:
    return f'\n[[mappings]]\nrequirement = "{requirement_id}"\nframework = "{framework}"\ntarget = "{target}"\n'


# Good files


def test_minimal_file_loads_into_the_dataclasses():
    framework = load_file(FIXTURES / "good-minimal.toml", sectors=SECTORS)
    assert framework == Framework(
        id="minimal", version="1", title="Minimal framework", short_title="Minimal", published=date(2018, 6, 1),
        source="Written for the tests", status="published", notice="",
        scale=(Level("yes", "Yes", "It is in place.", "green", 1, True, False, False),
               Level("no", "No", "It is not in place.", "red", 0, False, True, False)),
        requirements=(Requirement("policy", "1", "Policy", "Have a domestic abuse policy.",
                                  Guidance("A current, signed-off policy.", "The policy document.")),),
        overall=OverallRule("worst-rating-wins"),
        sha256=hashlib.sha256((FIXTURES / "good-minimal.toml").read_bytes()).hexdigest(),
    )
    assert framework.path == str(FIXTURES / "good-minimal.toml")
    assert framework.key == "minimal@1"


def test_full_file_reads_every_field():
    framework = load_all([FIXTURES / "good-minimal.toml", FIXTURES / "good-full.toml"], sectors=SECTORS).frameworks[1]
    assert (framework.title, framework.status) == ("Full example framework", "draft")  # stripped
    assert framework.description == "A paragraph shown above the requirements."
    assert framework.notice.startswith("The wording must be loaded")
    assert [level.score for level in framework.scale] == [2, 1, 0, None]
    assert not framework.level("not-applicable").applicable and framework.level("not-applicable").needs_reason
    assert framework.overall == OverallRule("percentage-met", 1, "half-up", (
        Threshold(Decimal("90"), "Compliant", "green"), Threshold(Decimal("58.8"), "Partly compliant", "amber"),
        Threshold(Decimal("0"), "Not compliant", "red")))
    first, second = framework.requirements
    assert (first.sectors, first.tags, first.mandatory) == (("police", "health"), ("equality-and-diversity",), False)
    assert first.suggested_evidence == ("Training records", "Minutes")
    assert first.guidance == Guidance("", "") and first.text == ""  # a draft may leave them out or empty
    assert (second.sectors, second.mandatory, second.guidance) == ((), True, Guidance("", ""))
    assert framework.mappings == (Mapping("standard-1", "minimal", "policy", "part-of"),)
    assert [r.id for r in framework.requirements_for("housing")] == ["standard-2"]


def test_sha256_is_of_the_bytes_and_path_is_the_name():
    data = MINIMAL.encode("utf-8")
    from_bytes, from_text = parse(data, name="upload.toml", sectors=SECTORS), parse(MINIMAL, name="x", sectors=SECTORS)
    assert from_bytes.sha256 == from_text.sha256 == hashlib.sha256(data).hexdigest()
    assert from_bytes.path == "upload.toml"
    assert parse(data + b"\n# changed\n", name="x", sectors=SECTORS).sha256 != from_bytes.sha256


def test_strings_are_stripped_and_multi_line_strings_are_fine():
    framework = parse(variant('text = "Have a domestic abuse policy."', 'text = """\n  Line one.\nLine two.\n"""'),
                      name="x", sectors=SECTORS)
    assert framework.requirements[0].text == "Line one.\nLine two."


def test_a_byte_order_mark_is_accepted():
    assert parse(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"), name="x", sectors=SECTORS).id == "minimal"


# One kind of error at a time: (replacements of MINIMAL, the exact error)

CASES = {
    "invalid TOML gives line and column": (
        ('title = "Minimal framework"', 'title = Minimal framework'),
        "bad.toml: line 4, column 9: Invalid value (not valid TOML)"),
    "invalid TOML at the end of the file": (
        (MINIMAL, MINIMAL + "tags = [1,"),
        "bad.toml: end of file: Invalid value (not valid TOML)"),
    "guidance written as text": (
        ('[requirements.guidance]\ngood = "A current, signed-off policy."\nevidence = "The policy document."\n',
         'guidance = "See the policy."'),
        "bad.toml: requirements[1].guidance: must be a table, not text"),
    "sectors written as text": (
        ('text = "Have', 'sectors = "police"\ntext = "Have'),
        'bad.toml: requirements[1].sectors: must be an array such as ["a", "b"], not text'),
    "threshold without a label": (
        ('rule = "worst-rating-wins"', 'rule = "percentage-met"\n[[overall.thresholds]]\nmin_percent = 0\n'
                                       'rag = "red"'),
        "bad.toml: overall.thresholds[1].label: is missing; add it (text in quotes)"),
    "unknown top-level field": (
        ('short_title = ', 'titel = "Typo"\nshort_title = '),
        'bad.toml: titel: unknown field "titel"; allowed fields are: id, version, title, short_title, published, '
        "source, status, notice, description, scale, overall, requirements, mappings"),
    "unknown field in a scale level": (
        ('rag = "red"', 'rag = "red"\ncolour = "red"'),
        'bad.toml: scale[2].colour: unknown field "colour"; allowed fields are: code, label, definition, rag, score, '
        "counts_as_met, needs_action, needs_reason, needs_evidence"),
    "unknown field in guidance": (
        ('evidence = "The policy document."', 'evidnce = "The policy document."'),
        ['bad.toml: requirements[1].guidance.evidnce: unknown field "evidnce"; allowed fields are: good, evidence',
         "bad.toml: requirements[1].guidance.evidence: is missing; add it (text in quotes)"]),
    "unknown field in overall": (
        ('rule = "worst-rating-wins"', 'rule = "worst-rating-wins"\nrules = 1'),
        'bad.toml: overall.rules: unknown field "rules"; allowed fields are: rule, decimals, rounding, thresholds'),
    "missing scale level field": (
        ('definition = "It is not in place."\n', ''),
        "bad.toml: scale[2].definition: is missing; add it (text in quotes)"),
    "missing top-level field": (
        ('source = "Written for the tests"\n', ''),
        "bad.toml: source: is missing; add it (text in quotes)"),
    "blank required text": (
        ('label = "Yes"', 'label = "   "'),
        "bad.toml: scale[1].label: is empty; enter some text"),
    "duplicate requirement id": (
        (MINIMAL, MINIMAL + requirement("policy", "2")),
        'bad.toml: requirements[2].id: "policy" is used twice; each requirement needs its own id'),
    "duplicate requirement ref": (
        (MINIMAL, MINIMAL + requirement("other", "1")),
        'bad.toml: requirements[2].ref: "1" is used twice; each requirement needs its own ref'),
    "published as a string": (
        ('published = 2018-06-01', 'published = "2018-06-01"'),
        "bad.toml: published: must be a date without quotes, e.g. 2018-06-01, not text"),
    "published with a time": (
        ('published = 2018-06-01', 'published = 2018-06-01T09:00:00'),
        "bad.toml: published: must be a date without quotes, e.g. 2018-06-01, not a date and time"),
    "bad framework id": (
        ('id = "minimal"', 'id = "Minimal Framework"'),
        'bad.toml: id: "Minimal Framework" is not a valid id; use lower case letters and digits, with single '
        'hyphens between them, e.g. "standard-1"'),
    "bad requirement id": (
        ('id = "policy"', 'id = "policy--1"'),
        'bad.toml: requirements[1].id: "policy--1" is not a valid id; use lower case letters and digits, with '
        'single hyphens between them, e.g. "standard-1"'),
    "bad version": (
        ('version = "1"', 'version = "1..2"'),
        'bad.toml: version: "1..2" is not a valid version; use letters and digits, with single dots or hyphens '
        'between them, e.g. "1.1"'),
    "version as a number": (
        ('version = "1"', 'version = 1'),
        "bad.toml: version: must be text in quotes, not a whole number"),
    "unknown status": (
        ('status = "published"', 'status = "final"'),
        'bad.toml: status: "final" is not allowed; use one of: published, draft'),
    "draft without notice": (
        ('status = "published"', 'status = "draft"'),
        'bad.toml: notice: a draft framework needs a notice saying what is incomplete; add notice = "..."'),
    "short title too long": (
        ('short_title = "Minimal"', f'short_title = "{"x" * 41}"'),
        "bad.toml: short_title: has 41 characters; shorten it to 40"),
    "unknown rag": (
        ('rag = "red"', 'rag = "blue"'),
        'bad.toml: scale[2].rag: "blue" is not allowed; use one of: green, amber, red, grey'),
    "score as a bool": (
        ('score = 0', 'score = false'),
        "bad.toml: scale[2].score: must be a whole number, without quotes, not true or false"),
    "non-grey level without score": (
        ('score = 0\n', ''),
        "bad.toml: scale[2].score: is missing; add it (a whole number, without quotes)"),
    "grey level with a score": (
        ('rag = "red"', 'rag = "grey"'),
        "bad.toml: scale[2].score: a grey (not applicable) level must not have a score; remove it"),
    "grey level counting as met": (
        ('rag = "red"\nscore = 0', 'rag = "grey"\ncounts_as_met = true'),
        "bad.toml: scale[2].counts_as_met: a grey (not applicable) level cannot count as met; remove it"),
    "grey level needing evidence": (
        ('rag = "red"\nscore = 0', 'rag = "grey"\nneeds_evidence = true'),
        "bad.toml: scale[2].needs_evidence: a grey (not applicable) level cannot need evidence; remove it"),
    "boolean as a string": (
        ('needs_action = true', 'needs_action = "true"'),
        "bad.toml: scale[2].needs_action: must be true or false, without quotes, not text"),
    "duplicate level code": (
        ('code = "no"', 'code = "yes"'),
        'bad.toml: scale[2].code: "yes" is used twice; each level needs its own code'),
    "scores not best first": (
        ('score = 0', 'score = 1'),
        "bad.toml: scale[2].score: must be lower than 1, the score of the level above; list levels best first, "
        "each scoring lower than the one before"),
    "no level counts as met": (
        ('counts_as_met = true\n', ''),
        "bad.toml: scale: no level counts as met; set counts_as_met = true on at least one level"),
    "scale written as a single table": (
        (MINIMAL[MINIMAL.index("[[scale]]"):MINIMAL.index("[overall]")], '[scale]\ncode = "yes"\n\n'),
        "bad.toml: scale: must be an array of tables, each written [[scale]]"),
    "unknown overall rule": (
        ('rule = "worst-rating-wins"', 'rule = "best-wins"'),
        'bad.toml: overall.rule: "best-wins" is not allowed; use one of: worst-rating-wins, percentage-met'),
    "thresholds with worst-rating-wins": (
        ('rule = "worst-rating-wins"', 'rule = "worst-rating-wins"\n[[overall.thresholds]]\nmin_percent = 50\n'
                                       'label = "Half"\nrag = "amber"'),
        'bad.toml: overall.thresholds: applies only to rule = "percentage-met"; remove it'),
    "decimals out of range": (
        ('rule = "worst-rating-wins"', 'rule = "percentage-met"\ndecimals = 3'),
        "bad.toml: overall.decimals: is 3; use 0, 1 or 2"),
    "unknown rounding": (
        ('rule = "worst-rating-wins"', 'rule = "percentage-met"\nrounding = "half-even"'),
        'bad.toml: overall.rounding: "half-even" is not allowed; use one of: half-up'),
    "threshold above 100": (
        ('rule = "worst-rating-wins"', 'rule = "percentage-met"\n[[overall.thresholds]]\nmin_percent = 100.5\n'
                                       'label = "Over"\nrag = "green"'),
        "bad.toml: overall.thresholds[1].min_percent: is 100.5; use a number from 0 to 100"),
    "threshold rag grey": (
        ('rule = "worst-rating-wins"', 'rule = "percentage-met"\n[[overall.thresholds]]\nmin_percent = 0\n'
                                       'label = "None"\nrag = "grey"'),
        'bad.toml: overall.thresholds[1].rag: "grey" is not allowed; use one of: green, amber, red'),
    "thresholds not strictly descending": (
        ('rule = "worst-rating-wins"', 'rule = "percentage-met"\n[[overall.thresholds]]\nmin_percent = 59\n'
                                       'label = "A"\nrag = "green"\n[[overall.thresholds]]\nmin_percent = 59.0\n'
                                       'label = "B"\nrag = "amber"'),
        "bad.toml: overall.thresholds[2].min_percent: must be lower than 59, the threshold above; list thresholds "
        "highest first"),
    "overall missing": (
        ('[overall]\nrule = "worst-rating-wins"\n', ''),
        'bad.toml: overall: is missing; add an [overall] table with rule = one of: worst-rating-wins, percentage-met'),
    "no requirements": (
        (MINIMAL[MINIMAL.index("[[requirements]]"):], ''),
        "bad.toml: requirements: is missing; add at least one [[requirements]] table"),
    "empty text in a published framework": (
        ('text = "Have a domestic abuse policy."', 'text = ""'),
        'bad.toml: requirements[1].text: is empty; a published framework needs it (only a status = "draft" '
        "framework may leave it empty)"),
    "empty guidance in a published framework": (
        ('good = "A current, signed-off policy."', 'good = ""'),
        'bad.toml: requirements[1].guidance.good: is empty; a published framework needs it (only a status = '
        '"draft" framework may leave it empty)'),
    "missing guidance in a published framework": (
        ('[requirements.guidance]\ngood = "A current, signed-off policy."\nevidence = "The policy document."\n', ''),
        "bad.toml: requirements[1].guidance: is missing; add a [requirements.guidance] table with good and "
        'evidence; a published framework needs it (only a status = "draft" framework may leave it empty)'),
    "unknown sector": (
        ('text = "Have', 'sectors = ["police", "nhs"]\ntext = "Have'),
        'bad.toml: requirements[1].sectors[2]: requirement "policy" names the sector "nhs", but the partnership has '
        "no such sector; use one of its sector ids: ambulance, education, fire-and-rescue, health, housing, "
        "local-authority, mental-health, police, primary-care, prisons, probation, specialist, substance-misuse, "
        "voluntary"),
    "repeated sector": (
        ('text = "Have', 'sectors = ["police", "police"]\ntext = "Have'),
        'bad.toml: requirements[1].sectors[2]: "police" is listed twice; list each sector once'),
    "empty sectors": (
        ('text = "Have', 'sectors = []\ntext = "Have'),
        "bad.toml: requirements[1].sectors: is empty; leave sectors out if every sector answers this requirement"),
    "blank tag": (
        ('text = "Have', 'tags = ["ok", " "]\ntext = "Have'),
        "bad.toml: requirements[1].tags[2]: must be text in quotes, and not blank"),
    "mandatory as a string": (
        ('text = "Have', 'mandatory = "yes"\ntext = "Have'),
        "bad.toml: requirements[1].mandatory: must be true or false, without quotes, not text"),
    "unknown field in a mapping": (
        ('[overall]', mapping("policy", "other", "x") + 'note = "why"\n[overall]'),
        'bad.toml: mappings[1].note: unknown field "note"; allowed fields are: requirement, framework, target, '
        "relation"),
    "mapping from a requirement not in the file": (
        ('[overall]', mapping("nope", "other", "x") + '[overall]'),
        'bad.toml: mappings[1].requirement: "nope" is not a requirement id in this file; use the id of one of its '
        "[[requirements]]"),
    "mapping to its own framework": (
        ('[overall]', mapping("policy", "minimal", "policy") + '[overall]'),
        "bad.toml: mappings[1].framework: is this framework's own id; a mapping links to another framework"),
    "mapping without target": (
        ('[overall]', mapping("policy", "other", "x").replace('target = "x"\n', '') + '[overall]'),
        "bad.toml: mappings[1].target: is missing; add it (text in quotes)"),
    "unknown mapping relation": (
        ('[overall]', mapping("policy", "other", "x") + 'relation = "similar"\n[overall]'),
        'bad.toml: mappings[1].relation: "similar" is not allowed; use one of: related, same, part-of'),
}


@pytest.mark.parametrize("replacements, expected", CASES.values(), ids=CASES.keys())
def test_each_kind_of_error_is_reported_with_file_and_place(replacements, expected):
    assert errors_of(variant(*replacements)) == (expected if isinstance(expected, list) else [expected])


def test_a_requirement_may_be_for_any_of_the_partnerships_sectors_including_the_added_ones():
    added = ["fire-and-rescue", "ambulance", "prisons", "mental-health", "substance-misuse", "primary-care"]
    text = variant('text = "Have', 'sectors = ["' + '", "'.join(added) + '"]\ntext = "Have')
    assert parse(text, name="x", sectors=SECTORS).requirements[0].sectors == tuple(added)


def test_a_partnerships_own_sectors_decide_which_a_requirement_may_name(tmp_path):
    own = parse_sectors('[[sectors]]\nid = "police"\nname = "Police"\n\n[[sectors]]\nid = "fire"\nname = "Fire"\n',
                        name="own.toml")
    fire = parse(variant('text = "Have', 'sectors = ["fire"]\ntext = "Have'), name="x", sectors=own)
    assert fire.requirements[0].sectors == ("fire",)
    path = tmp_path / "housing.toml"
    path.write_text(variant('text = "Have', 'sectors = ["police", "housing"]\ntext = "Have'), encoding="utf-8")
    assert load_all([path], sectors=own).errors == (
        f'{path}: requirements[1].sectors[2]: requirement "policy" names the sector "housing", but the partnership '
        "has no such sector; use one of its sector ids: police, fire",)


def test_a_version_already_stored_stays_readable_whatever_the_sectors_are_now():
    stored = variant('text = "Have', 'sectors = ["a-sector-since-removed"]\ntext = "Have')
    assert parse(stored, name="stored", sectors=None).requirements[0].sectors == ("a-sector-since-removed",)


def test_a_draft_may_leave_text_and_guidance_empty():
    text = variant('status = "published"', 'status = "draft"\nnotice = "Wording to follow."',
                   'text = "Have a domestic abuse policy."', 'text = ""',
                   '[requirements.guidance]\ngood = "A current, signed-off policy."\n', '')
    requirement_ = parse(text.replace('evidence = "The policy document."\n', ''), name="x",
                         sectors=SECTORS).requirements[0]
    assert (requirement_.text, requirement_.guidance) == ("", Guidance("", ""))


def test_every_error_in_a_file_is_reported():
    errors = load_all([FIXTURES / "bad-many-errors.toml"], sectors=SECTORS).errors
    name = str(FIXTURES / "bad-many-errors.toml")
    assert [error.split(": ")[1] for error in errors] == [
        "titel", "id", "title", "published", "notice", "scale[1].definition", "scale[2].rag", "scale[2].code",
        "overall.thresholds[2].min_percent", "requirements[1].sectors[1]", "requirements[2].id"]
    assert all(error.startswith(f"{name}: ") for error in errors)


def test_invalid_toml_file_names_the_line():
    with pytest.raises(FrameworkError) as caught:
        load_file(FIXTURES / "bad-syntax.toml", sectors=SECTORS)
    assert caught.value.errors == [f"{FIXTURES / 'bad-syntax.toml'}: line 4, column 20: "
                                   "Illegal character '\\n' (not valid TOML)"]


def test_non_utf8_bytes_are_an_error():
    assert errors_of(b'title = "caf\xe9"') == [
        "bad.toml: (file): byte 13 is not UTF-8 text; save the file as UTF-8"]


def test_error_str_joins_the_errors_with_newlines():
    assert str(FrameworkError(["a: b: c", "d: e: f"])) == "a: b: c\nd: e: f"


def test_an_unreadable_file_is_an_error(tmp_path):
    with pytest.raises(FrameworkError, match=r"missing\.toml: \(file\): cannot be read"):
        load_file(tmp_path / "missing.toml", sectors=SECTORS)


# Folders and cross-file checks


def test_framework_files_lists_toml_files_by_name(tmp_path):
    for name in ("b.toml", "a.toml", "README.md", "c.toml.bak"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "sub.toml").mkdir()
    assert [path.name for path in framework_files(tmp_path)] == ["a.toml", "b.toml"]


def test_load_all_rejects_a_bad_file_whole_and_keeps_the_good(tmp_path):
    good = framework_file(tmp_path, "good.toml", "good")
    bad = framework_file(tmp_path, "bad.toml", "bad", body="\n[extra]\n")
    result = load_all([bad, good], sectors=SECTORS)
    assert isinstance(result, LoadResult)
    assert [framework.id for framework in result.frameworks] == ["good"]
    assert result.errors == (f'{bad}: extra: unknown field "extra"; allowed fields are: '
                             + ", ".join(fw.FIELDS["top"]),)


def test_the_same_id_and_version_twice_rejects_the_later_file(tmp_path):
    first, second = framework_file(tmp_path, "a.toml", "same"), framework_file(tmp_path, "b.toml", "same")
    other_version = framework_file(tmp_path, "c.toml", "same", version="1.1")
    result = load_all([first, second, other_version], sectors=SECTORS)
    assert [(f.path, f.version) for f in result.frameworks] == [(str(first), "1"), (str(other_version), "1.1")]
    assert result.errors == (f'{second}: version: framework "same" version "1" is also in {first}; give a changed '
                             "file a new version",)


def test_mappings_resolve_across_files_in_any_order(tmp_path):
    target = framework_file(tmp_path, "b.toml", "target", body=requirement("second", "2"))
    source = framework_file(tmp_path, "a.toml", "source", body=mapping("policy", "target", "second"))
    result = load_all([source, target], sectors=SECTORS)
    assert result.errors == () and [f.id for f in result.frameworks] == ["source", "target"]


def test_a_mapping_resolves_against_any_version_of_the_target(tmp_path):
    old = framework_file(tmp_path, "old.toml", "target", body=requirement("retired", "2"))
    new = framework_file(tmp_path, "new.toml", "target", version="2")
    source = framework_file(tmp_path, "source.toml", "source", body=mapping("policy", "target", "retired"))
    assert load_all([old, new, source], sectors=SECTORS).errors == ()


def test_an_unresolved_mapping_rejects_its_file(tmp_path):
    target = framework_file(tmp_path, "target.toml", "target")
    missing_framework = framework_file(tmp_path, "a.toml", "a", body=mapping("policy", "absent", "policy"))
    missing_target = framework_file(tmp_path, "b.toml", "b", body=mapping("policy", "target", "absent"))
    result = load_all([target, missing_framework, missing_target], sectors=SECTORS)
    assert [f.id for f in result.frameworks] == ["target"]
    assert result.errors == (
        f'{missing_framework}: mappings[1].framework: framework "absent" is not loaded (no file with that id was '
        "loaded); load it too, or remove this mapping",
        f'{missing_target}: mappings[1].target: framework "target" has no requirement "absent" in any loaded '
        "version; check the id",
    )


def test_rejecting_a_file_rejects_the_files_that_map_to_it(tmp_path):
    first = framework_file(tmp_path, "1.toml", "first", body=mapping("policy", "absent", "policy"))
    second = framework_file(tmp_path, "2.toml", "second", body=mapping("policy", "first", "policy"))
    third = framework_file(tmp_path, "3.toml", "third", body=mapping("policy", "second", "policy"))
    result = load_all([first, second, third], sectors=SECTORS)
    assert result.frameworks == ()
    assert [error.split(": ")[0] for error in result.errors] == [str(first), str(second), str(third)]
    assert "(its file was rejected)" in result.errors[2]


def test_known_frameworks_count_for_mappings_but_are_not_returned(tmp_path):
    stored = parse(variant('id = "minimal"', 'id = "stored"'), name="stored in the database", sectors=SECTORS)
    source = framework_file(tmp_path, "source.toml", "source", body=mapping("policy", "stored", "policy"))
    assert load_all([source], sectors=SECTORS).frameworks == ()
    result = load_all([source], known=[stored], sectors=SECTORS)
    assert result.errors == () and [f.id for f in result.frameworks] == ["source"]


# Conventions


def test_readme_documents_every_field():
    readme = (ROOT / "questionnaires" / "README.md").read_text(encoding="utf-8")
    for kind, names in fw.FIELDS.items():
        for name in names:  # as `name`, or as a table header such as `[[overall.thresholds]]`
            assert re.search(rf"`\[*([a-z]+\.)?{name}\]*`", readme), f"{kind}: {name}"


def test_readme_worked_example_loads():
    readme = (ROOT / "questionnaires" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## Worked example.*?```toml\n(.*?)```", readme, re.DOTALL)
    assert example, "questionnaires/README.md needs a worked example in a ```toml block"
    framework = parse(example[1], name="example-standards--1.toml", sectors=SECTORS)
    assert len(framework.requirements) == 2 and len(framework.scale) == 4
    [error] = errors_of(variant('rag = "amber"', 'rag = "blue"', base=example[1]), name="example-standards--1.toml")
    assert f"```\n{error}\n```" in readme  # the error the README quotes is the real one
    [sector] = errors_of(variant('sectors = ["housing", "local-authority"]',
                                 'sectors = ["housing-association", "local-authority"]', base=example[1]),
                         name="example-standards--1.toml")
    assert f"```\n{sector}\n```" in readme  # and so is the one for a sector the partnership does not have



def test_a_level_can_need_evidence_and_an_answer_at_it_is_incomplete_without_any():
    from compliance.core.returns import answer_problems, answer_state
    framework = parse(variant("counts_as_met = true\n", "counts_as_met = true\nneeds_evidence = true\n"),
                      name="evidence.toml", sectors=SECTORS)
    top = framework.scale[0]
    assert top.needs_evidence and not framework.scale[1].needs_evidence
    requirement = framework.requirements[0]
    answer = {"rating": top.code, "narrative": "In place.", "reason": ""}
    assert answer_problems(framework, requirement, answer, actions=0, evidence=0) == [
        f"Add evidence: a rating of “{top.label}” needs at least one document or link"]
    assert answer_state(framework, requirement, answer, actions=0, evidence=0) == "in-progress"
    assert answer_problems(framework, requirement, answer, actions=0, evidence=1) == []
    assert answer_state(framework, requirement, answer, actions=0, evidence=1) == "completed"


def test_the_newest_version_of_each_framework_is_by_version_number_not_by_text():
    from compliance.core.frameworks import newest_versions, version_order
    assert version_order("10") > version_order("9") > version_order("1.1") > version_order("1")
    rows = [{"id": "a", "version": "9"}, {"id": "b", "version": "1"}, {"id": "a", "version": "10"},
            {"id": "a", "version": "2"}]
    assert newest_versions(rows) == [{"id": "a", "version": "10"}, {"id": "b", "version": "1"}]
