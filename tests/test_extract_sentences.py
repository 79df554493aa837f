"""Kinds on typical sentences of minutes and inspection reports (written for these tests in
the sector's usual phrasing), including the ones that must give nothing."""

from __future__ import annotations

import pytest

from followthrough.extract import build_pipeline, extract_statements
from followthrough.models import Document


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(learned=False)  # the rules alone (the learned classifier: test_model.py)


CASES = [
    # commitments
    ("The Head of Service undertook to circulate the updated figures to Members.", {"commitment"}),
    ("Action: Head of Finance to provide a briefing note on the staffing figures.", {"commitment"}),
    ("Officers would report back to the Committee in the new year.", {"commitment"}),
    ("The Chair and Vice-Chair would attend the next two meetings of the Improvement Board.", {"commitment"}),
    ("A further update was scheduled for the March meeting of the Committee.", {"commitment"}),
    ("The Council is planning to consult on a new fostering allowance scheme.", {"commitment"}),
    # recommendations
    ("The local authority should strengthen its oversight of statutory visits.", {"recommendation"}),
    ("Members requested that future reports include waiting times for assessments.", {"recommendation"}),
    ("The inspectorate advised the council to review its arrangements for supervision.", {"recommendation"}),
    ("Multi-agency work to address this was urgently needed.", {"recommendation"}),
    # concerns
    ("Members expressed concern about the number of agency social workers.", {"concern"}),
    ("Its work with care leavers needs improvement.", {"concern"}),
    ("Health and police partners do not always attend strategy meetings.", {"concern"}),
    ("The ratings had caused confusion among members.", {"concern"}),
    ("Teams did not have sufficient capacity to complete assessments on time.", {"concern"}),
    # decisions
    ("RESOLVED – That the report be noted.", {"decision"}),
    ("It was agreed that the Director would look at the ratings for future reports.", {"decision", "commitment"}),
    ("That authority be delegated to the Director to finalise the plan.", {"decision"}),
    ("After a lengthy discussion it was RESOLVED that the report be noted.", {"decision"}),
    (
        "RESOLVED: That the Committee recommends to Cabinet that the fostering allowances be reviewed.",
        {"decision", "recommendation"},
    ),
    ("RESOLVED: That the recommendations in the report be approved.", {"decision"}),
    (
        "Members discussed the matter and it was agreed that officers would write to the Minister.",
        {"decision", "commitment"},
    ),
    ("Officers agreed to provide a written response to Members.", {"commitment"}),
    ("The Director agreed to bring a report on placement sufficiency to a future meeting.", {"commitment"}),
    ("The Cabinet Member committed to meeting with the families affected.", {"commitment"}),
    ("Progress against the action plan is monitored by the Improvement Board on a monthly basis.", {"commitment"}),
    ("It was noted that recruitment and retention remained a significant challenge.", {"concern"}),
    ("There is a shortage of foster carers in the county.", {"concern"}),
    ("The risk of financial instability remains high.", {"concern"}),
    ("Workforce instability continues to be a key risk for the service.", {"concern"}),
    ("The Council will not be able to meet the statutory timescales.", {"concern"}),
    ("Decision: That the revised action plan be approved.", {"decision"}),
    ("AGREED that the Committee receives a further update in six months.", {"decision", "commitment"}),
    ("The Scrutiny Committee agreed to receive a progress report in June.", {"decision", "commitment"}),
    ("We found that the Council does not have a clear approach to managing its performance.", {"concern"}),
    ("The Council has not yet put in place arrangements to evaluate the impact of its services.", {"concern"}),
    ("There is limited evidence that the views of people who use services inform planning.", {"concern"}),
    ("Recruitment of experienced social workers remains difficult.", {"concern"}),
    ("The number of looked after children has increased significantly.", {"concern"}),
    (
        "R1 The Council should strengthen its arrangements for monitoring the delivery of its improvement plan.",
        {"recommendation"},
    ),
    ("We expect the local authority to produce an action plan within 20 working days.", {"recommendation"}),
    ("We will follow up on progress through our ongoing performance evaluation work.", {"commitment"}),
    ("An action plan will be submitted to CIW by 31 March 2024.", {"commitment"}),
    ("The Chair asked that the item be brought back in six months.", {"recommendation"}),
    ("Officers are to provide a response by the end of the month.", {"commitment"}),
    ("Quality assurance arrangements are underdeveloped.", {"concern"}),
    ("The strategy is due to be published in autumn 2024.", {"commitment"}),
    ("The new structure is expected to be in place by April 2024.", {"commitment"}),
    ("It was also agreed to write to the Minister conveying the terms of the resolution.", {"decision", "commitment"}),
    ("It was agreed to note the report.", {"decision"}),
    (
        "RESOLVED that the Director of Children's Services provide an update to the next meeting.",
        {"decision", "commitment"},
    ),
    (
        "RESOLVED that a task and finish group be established to review the placement strategy.",
        {"decision", "commitment"},
    ),
    ("The report contained 31 key findings and 10 recommendations.", set()),
    ("There remains a risk that the savings will not be achieved.", {"concern"}),
    ("Sickness levels remain high in some teams.", {"concern"}),
    ("The service is currently experiencing difficulties in recruiting to key posts.", {"concern"}),
    ("Timescales for assessments are not being met.", {"concern"}),
    (
        "Recommendation 2: The Council needs to develop a workforce plan that addresses recruitment difficulties.",
        {"recommendation"},
    ),
    ("Medicines were not managed safely.", {"concern"}),
    ("There were not enough staff to meet people's needs.", {"concern"}),
    ("Demand for adult social care continues to rise.", {"concern"}),
    ("The budget gap for 2024/25 is £8.5 million.", {"concern"}),
    ("The Council will need to make savings of £12 million over the next three years.", {"concern", "recommendation"}),
    ("This meeting will not be held at its usual location.", set()),
    ("Is subject to call in?: Yes", set()),
    ("The authority is aware of these issues and has plans in place to address them.", {"commitment"}),
    ("Cabinet resolved to approve the revised action plan.", {"decision"}),
    ("After discussion, the Board resolved that the risk register be reviewed quarterly.", {"decision", "commitment"}),
    ("Members are reminded that they must declare any interest before the item is discussed.", set()),
    ("Arrangements are not adequate to ensure that children are seen alone.", {"concern"}),
    ("There were inconsistencies in the quality of supervision.", {"concern"}),
    ("The council is expected to present its action plan to inspectors within 70 working days.", {"recommendation"}),
    ("The service was not effective, although leaders will review it in the spring.", {"concern", "commitment"}),
    # inline lettered parts: each its own decision
    (
        "RESOLVED that (a) the report be noted; (b) the Director provide a progress report to the March meeting; and (c) the action plan be approved.",
        {"decision", "commitment"},
    ),
    # the note of who authorised a decision is not another decision
    (
        "Decision:\n\nThe tower blocks will be demolished.\n\nThis decision was authorised by the Cabinet at its meeting on 27 July 2021.",
        {"decision", "commitment"},
    ),
    # nothing
    ("The purpose of this report is to present the improvement plan to Cabinet.", set()),
    ("The plan was approved by Cabinet in July 2023.", set()),
    ("The Council has a well-established and effective approach to safeguarding.", set()),
    ("Members are asked to consider the findings and to endorse the action plan.", set()),
    ("Senior leaders have an accurate understanding of the strengths and weaknesses of the service.", set()),
    ("The Chair thanked officers for the report.", set()),
    ("The authority has made good progress since the last inspection.", set()),
    ("The Cabinet Member asked whether the plan would be published.", set()),
    ("This will help to reduce delays for families.", set()),
    ("Members will be aware of the report published last year.", set()),
    ("It would not have been possible without the dedication of staff.", set()),
    ("The waiting list had shortened significantly.", set()),
    ("To receive an update on the progress of the improvement plan.", set()),
    ("RESOLVED: That the minutes of the meeting held on 7 July be approved as a correct record.", set()),
    ("The next meeting will be held on 12 March 2024 at 10am.", set()),
    ("Each year, the Auditor General must report on how well councils plan for improvement.", set()),
    ("These developments should result in further improvements.", set()),
    ("The new regulations will come into force in April 2024.", set()),
]


@pytest.mark.parametrize("text, kinds", CASES, ids=[c[0][:40] for c in CASES])
def test_kinds_of_typical_sentences(nlp, text, kinds):
    doc = Document(path="t.txt", sha256="", text=text + "\n")
    assert {s.kind for s in extract_statements(doc, nlp=nlp)} == kinds


def test_inline_lettered_parts_are_each_a_decision(nlp):
    text = "RESOLVED that (a) the report be noted; (b) the Director provide a progress report to the March meeting; and (c) the action plan be approved.\n"
    found = extract_statements(Document(path="t.txt", sha256="", text=text), nlp=nlp)
    assert [s.text for s in found if s.kind == "decision"] == [
        "the report be noted",
        "the Director provide a progress report to the March meeting",
        "the action plan be approved",
    ]
