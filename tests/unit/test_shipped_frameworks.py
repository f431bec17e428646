"""The three framework files shipped in questionnaires/: they load, and their wording matches the sources.

The source documents live in shared/seeds/, beside the repository (also in CI).
"""
from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest

from compliance.core.frameworks import framework_files, load_all, newest_versions
from tests.builders import SECTORS

REPO = Path(__file__).resolve().parents[2]
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
WDVF_SEED = SEEDS / "001_b675a6c2964390bf.txt"
BVPI_SEED = SEEDS / "003_5234e67fc77bf432.txt"

WDVF, WM, BVPI = "wdvf-overarching-protocol-2018", "west-midlands-dv-standards-2014", "bvpi-225"

FOUR_LEVELS = [
    # code, label, rag, score, counts_as_met, needs_action, needs_reason
    ("met", "Met", "green", 3, True, False, False),
    ("partially-met", "Partially met", "amber", 2, False, True, False),
    ("not-met", "Not met", "red", 1, False, True, False),
    ("not-applicable", "Not applicable", "grey", None, False, False, True),
]


def levels(framework):
    return [(level.code, level.label, level.rag, level.score, level.counts_as_met, level.needs_action,
             level.needs_reason) for level in framework.scale]


def flatten(text: str) -> str:
    """HTML tags removed, whitespace runs made single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


@pytest.fixture(scope="module")
def shipped():
    result = load_all(framework_files(REPO / "questionnaires"), sectors=SECTORS)
    assert result.errors == ()
    newest = newest_versions({"id": f.id, "version": f.version, "framework": f} for f in result.frameworks)
    return {row["id"]: row["framework"] for row in newest}


@pytest.fixture(scope="module")
def wdvf_seed_requirements() -> list[str]:
    """The bullet lines of Appendix 2 of seed 001, in order, without the leading "- "."""
    lines = WDVF_SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index("Over-Arching Domestic Violence Protocol 2018 - organisational requirements:")
    end = lines.index("Appendix 3", start)
    return [line[2:] for line in lines[start:end] if line.startswith("- ")]


@pytest.fixture(scope="module")
def bvpi_seed() -> tuple[list[str], list[str]]:
    """Seed 003's 11 questions and 12 definitions, flattened, with their numbers left off."""
    lines = BVPI_SEED.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Description\t"))
    # The seed's one extraction artefact: a broken "fi" ligature in question 9.
    description = flatten(lines[at]).replace("speci. c", "specific")
    questions = re.split(r" \d{1,2}\. (?=[A-Z])", description.split("</ol>")[0])[1:]
    end = next(i for i in range(at, len(lines)) if lines[i].startswith("Formula"))
    definitions = flatten(" ".join(lines[at + 1:end]).replace("<p>Definition</p>", ""))
    return questions, re.split(r"(?:^| )\d{1,2}\. (?=[A-Z'])", definitions)[1:]


def test_exactly_the_three_frameworks_ship(shipped):
    assert sorted(shipped) == sorted([WDVF, WM, BVPI])
    assert {framework.id: framework.version for framework in shipped.values()} == {WDVF: "2", WM: "1", BVPI: "1"}
    files = sorted(path.name for path in framework_files(REPO / "questionnaires"))
    assert files == sorted([*(f"{name}--1.toml" for name in (WDVF, WM, BVPI)), f"{WDVF}--2.toml"])


def test_the_protocols_second_version_asks_for_evidence_with_met_and_partially_met_and_changes_nothing_else():
    first, second = (load_all([REPO / "questionnaires" / f"{WDVF}--{n}.toml"], sectors=SECTORS).frameworks[0]
                     for n in (1, 2))
    assert [level.code for level in second.scale if level.needs_evidence] == ["met", "partially-met"]
    assert not any(level.needs_evidence for level in first.scale)
    assert second.requirements == first.requirements and second.overall == first.overall
    assert [dataclasses.replace(level, needs_evidence=False) for level in second.scale] == list(first.scale)


def test_requirement_counts(shipped):
    assert [len(shipped[name].requirements) for name in (WDVF, WM, BVPI)] == [16, 11, 11]


def test_each_file_says_where_its_wording_comes_from():
    for path in framework_files(REPO / "questionnaires"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header.startswith("# "), path.name


# --- WDVF Over-Arching Domestic Violence Protocol 2018 ----------------------------------------------------------

def test_wdvf_header(shipped):
    framework = shipped[WDVF]
    assert framework.status == "published" and framework.notice == ""
    assert framework.published == date(2018, 1, 1)
    assert "Appendix 2" in framework.source and "2019-2022" in framework.source
    assert framework.short_title == "WDVF protocol 2018"
    assert framework.description


def test_wdvf_texts_are_appendix_2_verbatim_and_in_order(shipped, wdvf_seed_requirements):
    assert len(wdvf_seed_requirements) == 16
    assert [r.text for r in shipped[WDVF].requirements] == wdvf_seed_requirements
    seed = WDVF_SEED.read_text(encoding="utf-8")
    for requirement in shipped[WDVF].requirements:
        assert requirement.text in seed
    assert [r.text.endswith(".") for r in shipped[WDVF].requirements] == [False] * 15 + [True]


def test_wdvf_ids_refs_and_applicability(shipped):
    requirements = shipped[WDVF].requirements
    assert [r.id for r in requirements] == [f"wdvf-2018-{n:02d}" for n in range(1, 17)]
    assert [r.ref for r in requirements] == [str(n) for n in range(1, 17)]
    for r in requirements:
        assert r.sectors == () and r.mandatory, r.id
        assert r.title and len(r.title.split()) <= 6, r.id
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", tag) for tag in r.tags), r.id


def test_wdvf_tags(shipped):
    framework = shipped[WDVF]
    assert "equality-and-diversity" in framework.requirement("wdvf-2018-06").tags
    assert "training" in framework.requirement("wdvf-2018-07").tags
    tagged = [r.id for r in framework.requirements if "equality-and-diversity" in r.tags]
    assert tagged == ["wdvf-2018-06"]


def test_wdvf_guidance_is_ours_and_complete(shipped):
    seed_words = WDVF_SEED.read_text(encoding="utf-8").split()
    seed_runs = {" ".join(seed_words[i:i + 8]) for i in range(len(seed_words) - 7)}
    for r in shipped[WDVF].requirements:
        assert r.guidance.good and r.guidance.evidence, r.id
        assert 3 <= len(r.suggested_evidence) <= 5, r.id
        for prose in (r.guidance.good, r.guidance.evidence, *r.suggested_evidence):
            words = prose.split()
            copied = [" ".join(words[i:i + 8]) for i in range(len(words) - 7)
                      if " ".join(words[i:i + 8]) in seed_runs]
            assert not copied, (r.id, copied)


def test_wdvf_perpetrator_programmes_expect_not_applicable_with_reason(shipped):
    requirement = shipped[WDVF].requirement("wdvf-2018-12")
    assert requirement.mandatory
    assert "Not applicable" in requirement.guidance.good


def test_wdvf_scale_and_overall(shipped):
    framework = shipped[WDVF]
    assert levels(framework) == FOUR_LEVELS
    assert all(level.definition.endswith(".") for level in framework.scale)
    assert framework.overall.kind == "worst-rating-wins"


# --- West Midlands DV Standards 2014: structure only -----------------------------------------------------------

def test_wm_is_a_draft_with_a_notice(shipped):
    framework = shipped[WM]
    assert framework.status == "draft"
    assert "not yet loaded" in framework.notice and "published standards document" in framework.notice
    assert framework.published == date(2014, 1, 1)


def test_wm_has_no_invented_wording(shipped):
    requirements = shipped[WM].requirements
    assert [r.id for r in requirements] == [f"wm-2014-{n:02d}" for n in range(1, 12)]
    assert [r.ref for r in requirements] == [f"Standard {n}" for n in range(1, 12)]
    assert [r.title for r in requirements] == [f"Standard {n}" for n in range(1, 12)]
    for r in requirements:
        assert r.text == "" and r.guidance.good == "" and r.guidance.evidence == "", r.id
        assert r.suggested_evidence == () and r.tags == () and r.sectors == (), r.id


def test_wm_scale_and_overall_match_wdvf(shipped):
    assert levels(shipped[WM]) == FOUR_LEVELS
    assert shipped[WM].overall.kind == "worst-rating-wins"


# --- BVPI 225 Actions against domestic violence ----------------------------------------------------------------

def test_bvpi_header(shipped):
    framework = shipped[BVPI]
    assert framework.status == "published"
    assert framework.title == "BVPI 225 Actions against domestic violence"
    assert framework.published == date(2007, 4, 1)
    purpose = ("The purpose of this BVPI is to assess the overall provision and effectiveness of local authority "
               "services designed to help victims of domestic violence and prevent further domestic violence.")
    assert purpose in framework.description
    assert purpose in BVPI_SEED.read_text(encoding="utf-8")


def test_bvpi_questions_are_verbatim_and_in_order(shipped, bvpi_seed):
    questions, _ = bvpi_seed
    assert len(questions) == 11
    requirements = shipped[BVPI].requirements
    assert [r.text for r in requirements] == questions
    assert [r.id for r in requirements] == [f"bvpi-225-{n:02d}" for n in range(1, 12)]
    assert [r.ref for r in requirements] == [str(n) for n in range(1, 12)]


def test_bvpi_question_9_has_the_ligature_repaired(shipped):
    text = shipped[BVPI].requirement("bvpi-225-09").text
    assert "a specific clause" in text and "speci. c" not in text
    assert "speci. c clause" in BVPI_SEED.read_text(encoding="utf-8")


def test_bvpi_definitions_are_verbatim_and_paired(shipped, bvpi_seed):
    _, definitions = bvpi_seed
    assert len(definitions) == 12
    # Definition 3 belongs to question 2; from question 3 on, question n pairs with definition n+1.
    expected = [[1], [2, 3]] + [[n + 1] for n in range(3, 12)]
    for requirement, numbers in zip(shipped[BVPI].requirements, expected):
        paragraphs = [flatten(p) for p in requirement.guidance.good.split("\n\n")]
        assert paragraphs == [definitions[n - 1] for n in numbers], requirement.id
        assert requirement.guidance.evidence, requirement.id


def test_bvpi_applies_only_to_local_authorities(shipped):
    for r in shipped[BVPI].requirements:
        assert r.sectors == ("local-authority",) and r.mandatory, r.id
    assert shipped[BVPI].requirements_for("police") == ()
    assert len(shipped[BVPI].requirements_for("local-authority")) == 11


def test_bvpi_scale_is_yes_no_without_not_applicable(shipped):
    assert levels(shipped[BVPI]) == [
        ("yes", "Yes", "green", 1, True, False, False),
        ("no", "No", "red", 0, False, True, False),
    ]
    assert all(level.applicable for level in shipped[BVPI].scale)


def test_bvpi_overall_is_percentage_to_one_decimal_without_thresholds(shipped):
    overall = shipped[BVPI].overall
    assert (overall.kind, overall.decimals, overall.rounding, overall.thresholds) == (
        "percentage-met", 1, "half-up", ())
