"""One answer for mapped requirements: who answers what (core/mappings.py), and what that means for the task list,
completeness, the signed document, scoring, the statement and the matrix, on the two fixture frameworks that map to
each other and on hand-made ones."""
from __future__ import annotations

from dataclasses import replace

from compliance.core.cycle_returns import progress
from compliance.core.frameworks import Mapping, OverallRule, load_all
from compliance.core.mappings import NO_PLAN, answer_plan, cross_reference, translated
from compliance.core.matrix import build_matrix
from compliance.core.returns import signed_document
from compliance.core.scoring import overall
from compliance.core.statements import build_statement
from tests.builders import (
    FOUR_LEVELS,
    MAPPED_FILES,
    SECTORS,
    YES_NO,
    OrgRow,
    framework,
    mapped_context,
    mapped_frameworks,
    requirement,
)

PROTOCOL, STANDARDS = mapped_frameworks()
LEAD, TRAINING, POLICY = PROTOCOL.requirements
LEADERSHIP, INDUCTION, POLICIES, HOUSING = STANDARDS.requirements
MAPPED_FILES_TEXT = {path.name: path.read_text(encoding="utf-8") for path in MAPPED_FILES}
EVIDENCE = {"id": 1, "kind": "link", "title": "Lead's job description", "url": "https://intranet.example/lead",
            "filename": None, "sha256": None, "effective_date": "2030-04-01", "valid_until": None}


def key(fw, req):
    return (fw.key, req.id)


def answer(code, narrative="Our lead is Sam.", **more):
    return {"rating": code, "narrative": narrative, "reason": "", "carried_forward": 0, **more}


# Who answers what -------------------------------------------------------------------------------------------------


def test_an_equal_mapping_is_answered_at_the_framework_listed_first_in_the_cycle():
    plan = answer_plan([PROTOCOL, STANDARDS], "police")
    assert plan.source(STANDARDS, LEADERSHIP) == (PROTOCOL, LEAD)
    assert plan.source(PROTOCOL, LEAD) is None
    assert plan.answering(PROTOCOL, LEAD) == (PROTOCOL, LEAD)
    assert plan.also_answers(PROTOCOL, LEAD) == ((STANDARDS, LEADERSHIP),)
    flipped = answer_plan([STANDARDS, PROTOCOL], "police")
    assert flipped.source(PROTOCOL, LEAD) == (STANDARDS, LEADERSHIP), "the cycle's order decides, not the file"
    assert flipped.source(STANDARDS, LEADERSHIP) is None


def test_only_equal_mappings_join_requirements():
    plan = answer_plan([PROTOCOL, STANDARDS], "police")
    assert set(plan.sources) == {key(STANDARDS, LEADERSHIP)}, "part-of and related are never answered through"


def test_a_mapping_joins_nothing_unless_the_cycle_asks_both_requirements():
    assert answer_plan([STANDARDS], "police") is NO_PLAN or not answer_plan([STANDARDS], "police").sources
    assert answer_plan([PROTOCOL], "police").sources == {}
    lead_for_housing = replace(PROTOCOL, requirements=(replace(LEAD, sectors=("housing",)), TRAINING, POLICY))
    assert answer_plan([lead_for_housing, STANDARDS], "police").sources == {}, "not asked of the police"
    assert answer_plan([lead_for_housing, STANDARDS], "housing").source(STANDARDS, LEADERSHIP) == (
        lead_for_housing, lead_for_housing.requirements[0])


def test_frameworks_without_mappings_have_no_plan():
    plain = framework("plain", FOUR_LEVELS, [requirement("r1")], OverallRule("worst-rating-wins"))
    assert answer_plan([plain], "police") is NO_PLAN


def test_requirements_joined_through_one_another_are_answered_once_at_the_first():
    rule = OverallRule("worst-rating-wins")
    a = framework("aa", FOUR_LEVELS, [requirement("a1")], rule)
    b = replace(framework("bb", FOUR_LEVELS, [requirement("b1")], rule), mappings=(Mapping("b1", "aa", "a1", "same"),))
    c = replace(framework("cc", FOUR_LEVELS, [requirement("c1")], rule), mappings=(Mapping("c1", "bb", "b1", "same"),))
    plan = answer_plan([c, a, b], "police")
    assert plan.source(a, a.requirements[0]) == (c, c.requirements[0])
    assert plan.source(b, b.requirements[0]) == (c, c.requirements[0])
    assert plan.also_answers(c, c.requirements[0]) == ((a, a.requirements[0]), (b, b.requirements[0]))


def test_part_of_and_related_mappings_suggest_the_other_answer_both_ways():
    plan = answer_plan([PROTOCOL, STANDARDS], "police")
    [induction] = plan.suggested(STANDARDS, INDUCTION)
    assert (induction.framework, induction.requirement) == (PROTOCOL, TRAINING)
    assert induction.words == "asks all of this requirement and more"
    [training] = plan.suggested(PROTOCOL, TRAINING)
    assert training.requirement == INDUCTION and training.words == "asks part of what this requirement asks"
    [policies] = plan.suggested(STANDARDS, POLICIES)
    assert policies.requirement == POLICY and policies.words == "asks something related to this requirement"
    assert plan.suggested(STANDARDS, LEADERSHIP) == (), "an answered-through requirement has no form to fill"


def test_a_suggestion_points_at_where_the_other_requirement_is_answered():
    rule = OverallRule("worst-rating-wins")
    a = framework("aa", FOUR_LEVELS, [requirement("a1")], rule)
    b = replace(framework("bb", FOUR_LEVELS, [requirement("b1"), requirement("b2")], rule),
                mappings=(Mapping("b1", "aa", "a1", "same"), Mapping("b2", "bb-other", "x", "related")))
    c = replace(framework("cc", FOUR_LEVELS, [requirement("c1")], rule),
                mappings=(Mapping("c1", "bb", "b1", "related"),))
    [suggestion] = answer_plan([a, b, c], "police").suggested(c, c.requirements[0])
    assert (suggestion.framework, suggestion.requirement) == (a, a.requirements[0]), "b1 is answered at a1"


def test_an_equal_mapping_between_scales_with_other_codes_is_refused_when_loaded(tmp_path):
    other_scale = tmp_path / "yes-no.toml"
    protocol = MAPPED_FILES_TEXT["mapped-protocol.toml"].split("[[mappings]]")[0]  # its own mapping left out
    other_scale.write_text(protocol.replace('code = "met"', 'code = "yes"'), encoding="utf-8")
    standards = tmp_path / "mapped-standards.toml"
    standards.write_text(MAPPED_FILES_TEXT["mapped-standards.toml"], encoding="utf-8")
    result = load_all([other_scale, standards], sectors=SECTORS)
    assert [f.id for f in result.frameworks] == ["mapped-protocol"]
    [error] = result.errors
    assert error.startswith(f"{standards}: mappings[1].relation: \"same\" makes one answer stand for both "
                            "requirements")
    assert "not-applicable, not-met, partially-met, yes" in error and 'use relation = "related" or "part-of"' in error


def test_should_versions_with_other_codes_meet_in_a_cycle_their_requirements_are_answered_apart():
    yes_no = replace(PROTOCOL, scale=YES_NO)
    plan = answer_plan([yes_no, STANDARDS], "police")
    assert plan.sources == {}
    assert [s.requirement for s in plan.suggested(STANDARDS, LEADERSHIP)] == [LEAD]


def test_a_level_translates_by_its_code():
    assert translated(answer("partially-met"), PROTOCOL, STANDARDS)["rating"] == "partially-met"
    assert STANDARDS.level("partially-met").label == "Partly met"
    assert translated(answer("yes"), PROTOCOL, STANDARDS)["rating"] is None
    assert translated(None, PROTOCOL, STANDARDS) is None


def test_requirements_are_named_across_frameworks():
    assert cross_reference(PROTOCOL, LEAD) == "Mapped fixture protocol, requirement 1"
    assert cross_reference(STANDARDS, LEADERSHIP, short=True) == "Mapped standards, Standard 1"


# The return: task list, completeness, the signed document --------------------------------------------------------


def test_the_answered_through_requirement_takes_its_state_from_the_answer_it_is_answered_through():
    empty = mapped_context([PROTOCOL, STANDARDS])
    assert empty.state(STANDARDS, LEADERSHIP) == "not-started"
    # its own stored answer (say, from before) is not what answers it
    context = mapped_context([PROTOCOL, STANDARDS], {key(PROTOCOL, LEAD): answer("met"),
                                                      key(STANDARDS, LEADERSHIP): answer("not-met", "Old")},
                             evidence={key(PROTOCOL, LEAD): [EVIDENCE]})
    assert context.state(PROTOCOL, LEAD) == context.state(STANDARDS, LEADERSHIP) == "completed"
    assert context.answered_by(STANDARDS, LEADERSHIP) == (key(PROTOCOL, LEAD), answer("met"))
    [group, standards_group] = context.task_groups()
    leadership_task = standards_group["tasks"][0]
    assert leadership_task["label"] == "Completed"
    assert leadership_task["through"] == "Mapped fixture protocol, requirement 1"
    assert standards_group["completed"] == 1 and group["completed"] == 1


def test_what_the_answered_through_framework_asks_beyond_the_answer_is_said_once_where_to_do_it():
    # standards' "Fully met" needs evidence; the protocol's "Met" does not
    context = mapped_context([PROTOCOL, STANDARDS], {key(PROTOCOL, LEAD): answer("met")})
    assert context.state(PROTOCOL, LEAD) == "completed"
    assert context.state(STANDARDS, LEADERSHIP) == "in-progress"
    assert context.problems_for(STANDARDS, LEADERSHIP) == [
        "Answered through Mapped fixture protocol, requirement 1: add evidence: a rating of “Fully met” needs at "
        "least one document or link"]
    missing = {(p.framework.id, p.requirement.id): p.message for p in context.problems()}
    assert missing[("mapped-standards", "leadership")].startswith("Answered through")
    assert ("mapped-protocol", "lead") not in missing


def test_a_missing_answer_is_listed_once_at_the_requirement_that_answers_it():
    context = mapped_context([PROTOCOL, STANDARDS])
    problems = [(p.framework.id, p.requirement.id, p.message) for p in context.problems()]
    assert ("mapped-protocol", "lead", "Select a rating") in problems
    assert not [p for p in problems if p[1] == "leadership"], "the same missing rating is not listed twice"


def test_the_signed_document_signs_both_and_says_where_the_answer_came_from():
    evidence = {**EVIDENCE, "kind": "file", "filename": "lead.pdf", "sha256": "ab" * 32, "url": None}
    action = {"what": "Name a deputy", "owner": "Sam", "due_date": "2030-09-01", "status": "not-started"}
    context = mapped_context([PROTOCOL, STANDARDS], {key(PROTOCOL, LEAD): answer("partially-met")},
                             evidence={key(PROTOCOL, LEAD): [evidence]}, actions={key(PROTOCOL, LEAD): [action]})
    document = signed_document(context, partnership="P", signatory_name="S", job_title="J", submitted_at="",
                               submitted_by="")
    answers = {(a["framework"], a["requirement"]): a for a in document["answers"]}
    lead, leadership = answers[key(PROTOCOL, LEAD)], answers[key(STANDARDS, LEADERSHIP)]
    assert "answered_through" not in lead and lead["actions"] == [action]
    assert leadership["rating"] == "partially-met" and leadership["rating_label"] == "Partly met"
    assert leadership["narrative"] == "Our lead is Sam." and leadership["evidence"] == lead["evidence"]
    assert leadership["actions"] == [], "the actions are listed once, with the answer's own requirement"
    assert leadership["answered_through"] == {"framework": PROTOCOL.key, "framework_title": PROTOCOL.title,
                                              "requirement": "lead", "ref": "1", "title": "Named lead"}


def test_the_answer_counts_in_its_own_frameworks_results():
    context = mapped_context([PROTOCOL, STANDARDS], {key(PROTOCOL, LEAD): answer("not-met"),
                                                     key(STANDARDS, INDUCTION): answer("met"),
                                                     key(STANDARDS, POLICIES): answer("met")})
    document = signed_document(context, partnership="P", signatory_name="", job_title="", submitted_at="",
                               submitted_by="")
    ratings = {a["requirement"]: a["rating"] for a in document["answers"] if a["framework"] == STANDARDS.key}
    result = overall(STANDARDS, ratings, sector="police")
    assert (result.label, result.state) == ("Not met", "complete"), "worst rating wins over the answered-through one"
    answers = {key(PROTOCOL, LEAD): {**answer("met"), "evidence": 1}}
    assert progress([PROTOCOL, STANDARDS], "police", answers, {}).done == 2, "the lead and the leadership"


def test_the_statement_row_says_where_its_answer_came_from():
    context = mapped_context([PROTOCOL, STANDARDS], {key(PROTOCOL, LEAD): answer("met")})
    document = signed_document(context, partnership="P", signatory_name="", job_title="", submitted_at="",
                               submitted_by="")
    statement = build_statement(document, {PROTOCOL.key: PROTOCOL, STANDARDS.key: STANDARDS}, submitted=False,
                                sha256=None, version=None)
    leadership = statement.sections[1].items[0]
    assert leadership.through == "Mapped fixture protocol, requirement 1"
    assert leadership.rating == "Fully met" and leadership.through_anchor == "answer-mapped-protocol-lead"
    assert statement.sections[0].items[0].through == "" and statement.sections[0].items[0].anchor == (
        "answer-mapped-protocol-lead")


def test_the_matrix_marks_the_answered_through_cells_and_counts_them():
    ratings = {key(PROTOCOL, LEAD): "met", key(STANDARDS, LEADERSHIP): "met"}
    rows = [OrgRow(1, "Wrenfield Police", "police", 11, "submitted", ratings, 1)]
    matrix = build_matrix([PROTOCOL, STANDARDS], rows, None, sectors=SECTORS)
    lead, leadership = matrix.rows[0].groups[0].cells[0], matrix.rows[0].groups[1].cells[0]
    assert lead.through == "" and leadership.through == "Mapped protocol, requirement 1"
    assert leadership.description == ("Wrenfield Police, requirement Standard 1: Green, fully met; answered through "
                                      "Mapped protocol, requirement 1")
    assert matrix.groups[1].columns[0].counts.met == 1 and matrix.mapped
    only_standards = build_matrix([PROTOCOL, STANDARDS], rows, None, sectors=SECTORS, framework_id="mapped-standards")
    assert only_standards.rows[0].groups[0].cells[0].through, "the filtered-out framework still answers it"
    plain = build_matrix([STANDARDS], rows, None, sectors=SECTORS)
    assert not plain.mapped and plain.rows[0].groups[0].cells[0].through == ""
