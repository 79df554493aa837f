"""Per-finding decisions, council pairing, repeated options, the encoder offline and the
leave-one-case-out harness, on real reports and plans (tests/fixtures/link, see SOURCE.md)."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from followthrough.cli import cli
from followthrough.ingest import read_document
from followthrough.link import decide
from followthrough.link.decide import ANSWERED, GAP, POSSIBLE, UNLISTED, Params
from followthrough.link.matcher import FindingText, decide_plan
from followthrough.link.pairing import DocInfo, pair

CASES = Path(__file__).parent / "fixtures" / "link"
ROOT = Path(__file__).resolve().parent.parent


def gold_findings(case: str) -> list[dict]:
    return [g for g in json.loads((CASES / case / "gold.json").read_text("utf-8"))["links"] if not g.get("general")]


# -- decisions ------------------------------------------------------------------------------


def test_each_finding_is_decided_on_its_own_distribution():
    """The same absolute score is a clear answer for one finding and noise for another."""
    score = np.array(
        [
            [0.60, 0.20, 0.21, 0.19, 0.20, 0.22],  # one row stands far out: answered by row 0
            [0.60, 0.58, 0.59, 0.61, 0.57, 0.60],  # all rows alike: nothing stands out
        ],
        dtype=np.float32,
    )
    params = decide.DEFAULT.with_(gap_z=1.5, gap_score=-10.0)  # the finding's own z decides here
    first, second = decide.decide(score, params)
    assert first.status != GAP and first.rows[0] == 0
    assert second.status == GAP and second.rows == [] and second.closest is not None


def test_answered_versus_possibly_answered():
    """A best row that stands out but not far from the plan's run of scores is for review."""
    score = np.array(
        [
            [0.90, 0.10, 0.10, 0.12, 0.11],
            [0.35, 0.10, 0.12, 0.11, 0.10],
            [0.10, 0.11, 0.12, 0.10, 0.11],
        ],
        dtype=np.float32,
    )
    params = Params(
        lexical=0,
        context=0,
        part=0,
        link_z=1.5,
        relative=0.7,
        group_relative=0.3,
        gap_z=1.5,
        gap_score=0.5,
        residual_gap=0.0,
        review_residual=0.0,
        answered_score=2.5,
    )
    strong, weak, none = decide.decide(score, params)
    assert strong.status == ANSWERED and strong.rows == [0] and strong.confidence[0] > 0.5
    assert weak.status == POSSIBLE and weak.rows == [0] and weak.confidence[0] < strong.confidence[0]
    assert none.status == GAP


def test_rows_of_the_best_rows_group_link_at_a_lower_share():
    """Plans answer a recommendation with several rows under one number (2.1, 2.2 ...)."""
    score = np.array([[0.80, 0.45, 0.45, 0.10, 0.10, 0.12, 0.11, 0.10]], dtype=np.float32)

    class Row:
        def __init__(self, ref: str) -> None:
            self.ref, self.section, self.area = ref, None, None

    rows = [Row(r) for r in ("2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2")]
    params = decide.DEFAULT.with_(gap_z=0.0, gap_score=0.0, relative=0.9, group_relative=0.5, link_z=0.5)
    (d,) = decide.decide(score, params, decide.row_groups(rows))
    assert [rows[j].ref for j in d.rows] == ["2.1", "2.2"]  # 3.1 scores the same but is not in group 2


def test_a_row_that_only_possibly_answers_is_shown_beside_the_gaps(tmp_path):
    """A finding whose best row only possibly answers it is listed straight after the gaps,
    before the answered findings, with the row, why it may not answer, and the command to
    confirm it: a look-alike row cannot quietly close it."""
    from followthrough.link.report import gap_report, render
    from followthrough.pipeline import ingest_paths
    from followthrough.store import open_db

    db = open_db(tmp_path / "bcp.db")
    ingest_paths(db, [CASES / "bcp2022" / "plan.csv"], extract=False, council="BCP Council")
    ingest_paths(db, [CASES / "bcp2022" / "findings.pdf"])
    report = gap_report(db)
    possible = [f for f in report.findings if f.status == POSSIBLE]
    assert possible, "no finding left for review"
    text = render(report, "md")
    assert text.index("## Possibly answered") < text.index("## Answered")
    if "## Gaps" in text:
        assert text.index("## Gaps") < text.index("## Possibly answered")
    for f in possible:
        assert f.links and all(l.reason for l in f.links)
        assert f"followthrough links confirm {f.id} {f.links[0].plan_item_id}" in text
    for f in (f for f in report.findings if f.status == GAP):
        assert f.links == [] and (f.closest is None or "row commits to" in f.closest.reason)


@pytest.mark.parametrize("case", ["bcp2022", "halton_send2024"])
def test_designed_gaps_are_not_answered_by_their_look_alikes(case):
    """bcp2022: 'care leavers' access to their health records' against 6.2 (leisure passes for
    care leavers' physical health), 'multi-agency training' against 8.1 (foster carers'
    training); halton: the AP strategy against 9.1 (SEND sufficiency). The look-alikes score
    highest in their plans; what they leave unanswered ('records', 'multi-agency') keeps the
    finding at 'possibly answered' at most, listed beside the gaps."""
    rows = read_document(CASES / case / "plan.csv").plan_items
    entries = gold_findings(case)
    _, _, outcomes = decide_plan([FindingText(g["finding"]) for g in entries], rows)
    designed = [o for g, o in zip(entries, outcomes) if g.get("gap")]
    assert designed and all(o.status != ANSWERED for o in designed)
    answered = [(g, o) for g, o in zip(entries, outcomes) if o.status == ANSWERED]
    for g, o in answered:  # what is answered is answered by a right row
        assert rows[o.matches[0].row].ref in g["plan_refs"], g["finding"]


def test_reasons_say_what_is_shared_and_what_the_row_commits_to():
    rows = read_document(CASES / "bridgend" / "plan.csv").plan_items
    _, _, (outcome,) = decide_plan([FindingText("the ongoing fragility of the social care workforce")], rows)
    assert outcome.status != GAP
    first = outcome.matches[0]
    lead = "same subject: " if outcome.status == ANSWERED else "shares "
    assert first.reason.startswith(lead) and "workforce" in first.reason and "row commits to " in first.reason
    assert 0.0 < first.confidence <= 1.0


# -- the encoder offline --------------------------------------------------------------------


def test_linking_runs_with_the_network_unreachable(monkeypatch):
    from followthrough.language import encoder

    def no_network(*args, **kwargs):
        raise AssertionError("linking tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    encoder._model.cache_clear()
    rows = read_document(CASES / "halton_send2024" / "plan.csv").plan_items
    _, combined, outcomes = decide_plan([FindingText(g["finding"]) for g in gold_findings("halton_send2024")], rows)
    assert combined.shape == (len(outcomes), len(rows)) and np.isfinite(combined).all()


# -- pairing and options ----------------------------------------------------------------------


def test_pairing_by_council_with_initials():
    bcp = DocInfo(1, "findings.pdf", "Bournemouth, Christchurch and Poole")
    halton = DocInfo(2, "halton.pdf", "Halton")
    unknown = DocInfo(3, "minutes.pdf", None)
    plans = [DocInfo(10, "bcp-plan.pdf", "BCP"), DocInfo(11, "halton-plan.csv", "Halton Borough")]
    pairs, unpaired = pair([bcp, halton, unknown], plans)
    got = {(p.findings.name, p.plan.name) for p in pairs}
    assert ("findings.pdf", "bcp-plan.pdf") in got and ("findings.pdf", "halton-plan.csv") not in got
    assert ("halton.pdf", "halton-plan.csv") in got and ("halton.pdf", "bcp-plan.pdf") not in got
    assert {p.plan.name for p in pairs if p.findings is unknown} == {"bcp-plan.pdf", "halton-plan.csv"}
    assert unpaired == []
    other = DocInfo(4, "devon.pdf", "Devon")
    pairs, unpaired = pair([other], plans)
    assert pairs == [] and unpaired == [other]
    anonymous_plan = DocInfo(12, "plan.csv", None)
    pairs, _ = pair([unknown, bcp], plans + [anonymous_plan])
    assert {(p.findings.name, p.plan.name) for p in pairs} == {
        ("minutes.pdf", "plan.csv"),
        ("findings.pdf", "bcp-plan.pdf"),
    }


@pytest.fixture(scope="module")
def two_councils(tmp_path_factory):
    """Two real reports and their plans in one database (CSV plans name no council: given)."""
    db = str(tmp_path_factory.mktemp("pairs") / "two.db")
    runner = CliRunner()
    for args in (
        [str(CASES / "bcp2022" / "findings.pdf"), str(CASES / "halton_send2024" / "findings.pdf")],
        [str(CASES / "bcp2022" / "plan.csv"), "--council", "BCP Council"],
        [str(CASES / "halton_send2024" / "plan.csv"), "--council", "Halton Borough Council"],
    ):
        result = runner.invoke(cli, ["--db", db, "ingest", *args])
        assert result.exit_code == 0, result.output
    return db


def _report(db: str, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--db", db, "gaps", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_gaps_pairs_each_report_with_its_councils_plan(two_councils):
    report = _report(two_councils)
    assert len(report["pairs"]) == 2
    assert any("bcp2022/plan.csv (same council: BCP Council)" in p for p in report["pairs"])
    assert any("halton_send2024/plan.csv (same council: Halton Borough Council)" in p for p in report["pairs"])
    score_links = _scorer()
    for case in ("bcp2022", "halton_send2024"):
        for g in gold_findings(case):
            found = score_links.find(g["finding"], report["findings"])
            if found is None:
                continue  # which statements become findings is the extractor's business
            assert all(l["plan_document"].endswith(f"{case}/plan.csv") for l in found["links"]), g["finding"]


def _scorer():
    spec = importlib.util.spec_from_file_location("score_links", CASES / "score_links.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_repeated_options_are_all_honoured(two_councils):
    docs = CliRunner().invoke(cli, ["--db", two_councils, "gaps", "--format", "json"])
    ids = json.loads(docs.output)
    import sqlite3

    con = sqlite3.connect(two_councils)
    reports = [str(r[0]) for r in con.execute("SELECT id FROM documents WHERE kind = 'inspection report' ORDER BY id")]
    plans = [str(r[0]) for r in con.execute("SELECT id FROM documents WHERE kind = 'action plan' ORDER BY id")]
    con.close()
    assert len(reports) == 2 and len(plans) == 2 and ids["findings"]
    one = _report(two_councils, "--findings", reports[0], "--plan", plans[0])
    both = _report(
        two_councils, "--findings", reports[0], "--findings", reports[1], "--plan", plans[0], "--plan", plans[1]
    )
    assert len(one["pairs"]) == 1 and len(both["pairs"]) == 4  # named on both sides: every pair as asked
    assert len(both["plans"]) == 2
    assert {f["document"] for f in both["findings"]} >= {f["document"] for f in one["findings"]}
    assert len(both["findings"]) > len(one["findings"])


def test_json_keeps_the_scorers_shape_and_adds_confidence(two_councils):
    report = _report(two_councils)
    assert set(report["summary"]) >= {"findings", "answered", "possibly_answered", "gaps"}
    listed_docs = {f["document"] for f in report["findings"] if f["section"]}
    for f in report["findings"]:
        assert f["status"] in (ANSWERED, POSSIBLE, GAP, UNLISTED)
        assert isinstance(f["text"], str)
        if f["status"] in (GAP, UNLISTED):  # the scorer counts no links of a gap; an unlisted one has none
            assert f["links"] == []
        if f["status"] == UNLISTED:  # only a body statement of a report that has its own list
            assert f["section"] is None and f["document"] in listed_docs
        for l in f["links"]:
            assert {"ref", "confidence", "lead", "timescale", "rag", "reason"} <= set(l)


# -- the leave-one-case-out harness -------------------------------------------------------------


def test_loco_harness_on_two_small_cases(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("calibrate_links", ROOT / "tools" / "calibrate_links.py")
    tool = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(__import__("sys").modules, "calibrate_links", tool)
    spec.loader.exec_module(tool)
    monkeypatch.setattr(
        tool,
        "GRID",
        {
            "lexical": (0.0, 2.0),
            "context": (0.25,),
            "part": (1.0,),
            "link_z": (1.5,),
            "relative": (0.7,),
            "group_relative": (0.3,),
            "gap_z": (0.0,),
            "gap_score": (0.0, 1.5),
            "residual_gap": (0.0,),
            "review_residual": (0.0,),
            "answered_score": (2.0,),
        },
    )
    assert tool.main([str(CASES), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    folds = {f["case"]: f for f in out["folds"]}
    assert set(folds) == {"anglesey2016", "bcp2022", "bridgend", "halton_send2024"}
    for fold in folds.values():  # every case held out once, scored with parameters from the others
        assert 0.0 <= fold["loco"]["link_f1"] <= 1.0 and fold["params"]["lexical"] in (0.0, 2.0)
    assert set(out["all_cases"]) == set(tool.GRID)


def test_report_status_maps_decisions_as_reporting_says():
    strict = decide.DEFAULT.with_(review_residual=0.15)
    shipped = decide.Reporting("never", True)
    # a body statement no row comes near, in a report with its own list: shown apart
    assert decide.report_status(GAP, 1.0, False, True, strict, shipped) == UNLISTED
    assert decide.report_status(GAP, 1.0, True, True, strict, shipped) == GAP  # a list item stays a gap
    assert decide.report_status(GAP, 1.0, False, False, strict, shipped) == GAP  # a minute has no list
    assert decide.report_status(GAP, 1.0, False, True, strict, decide.Reporting("never", False)) == GAP
    # possibly answered: kept for review, or reported as a gap candidate with its row beside it
    assert decide.report_status(POSSIBLE, 0.05, True, True, strict, shipped) == POSSIBLE
    assert decide.report_status(POSSIBLE, 0.05, True, True, strict, decide.Reporting("demoted", True)) == GAP
    assert decide.report_status(POSSIBLE, 0.30, True, True, strict, decide.Reporting("demoted", True)) == POSSIBLE
    assert decide.report_status(POSSIBLE, 0.30, True, True, strict, decide.Reporting("always", True)) == GAP
    assert decide.report_status(ANSWERED, 0.05, True, True, strict, decide.Reporting("always", True)) == ANSWERED


def test_status_of_is_the_rule_decide_applies():
    rng = np.random.default_rng(3)
    score = rng.normal(size=(12, 20)).astype(np.float32)
    res = rng.uniform(-0.1, 0.4, size=(12, 20))
    params = decide.DEFAULT
    z, plan = decide.standardise(score), decide.plan_standardise(score)
    for i, d in enumerate(decide.decide(score, params, None, lambda a, b: float(res[a, b]))):
        j = int(score[i].argmax())
        assert d.status == decide.status_of(
            float(score[i, j]), float(z[i, j]), float(plan[i, j]), float(res[i, j]), params
        )
        assert d.residual == float(res[i, j])


def test_end_to_end_loco_harness_models_what_gaps_prints(tmp_path, monkeypatch, capsys):
    """tools/calibrate_gaps_e2e.py: every case held out once, and its model of the report
    (decide.report_status over the selected findings) scores what `gaps --format json` prints."""
    spec = importlib.util.spec_from_file_location("calibrate_gaps_e2e", ROOT / "tools" / "calibrate_gaps_e2e.py")
    tool = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(__import__("sys").modules, "calibrate_gaps_e2e", tool)
    spec.loader.exec_module(tool)
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("anglesey2016", "bridgend", "halton_send2024"):
        (cases / name).symlink_to(CASES / name)
    (cases / "score_links.py").symlink_to(CASES / "score_links.py")
    monkeypatch.setitem(tool.GRID, "gap_score", (0.0, 1.5))
    monkeypatch.setitem(tool.GRID, "answered_score", (2.28,))
    monkeypatch.setitem(tool.GRID, "review_residual", (0.15,))
    assert tool.main([str(cases), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {f["case"] for f in out["folds"]} == {"anglesey2016", "bridgend", "halton_send2024"}
    for fold in out["folds"]:
        assert (
            0.0 <= fold["loco"]["link_f1"] <= 1.0
            and fold["reporting"]["review_as_gap"] in tool.REPORTING_GRID["review_as_gap"]
        )
    # the tool's "now" for halton equals the scorer on the real command's JSON
    ft = str(Path(__import__("sys").executable).parent / "followthrough")
    db = tmp_path / "h.db"
    case = CASES / "halton_send2024"
    subprocess.run(
        [ft, "--db", str(db), "ingest", str(case / "findings.pdf"), str(case / "plan.csv")],
        check=True,
        capture_output=True,
    )
    printed = json.loads(
        subprocess.run(
            [ft, "--db", str(db), "gaps", "--format", "json"], check=True, capture_output=True, text=True
        ).stdout
    )
    scorer = tool._scorer(cases)
    gold = json.loads((case / "gold.json").read_text("utf-8"))
    modelled = next(f["now"] for f in out["folds"] if f["case"] == "halton_send2024")
    real = scorer.score(gold, printed)
    for key in ("link_f1", "gap_recall", "reported_gaps", "report_gap_precision"):
        assert abs(real[key] - modelled[key]) < 1e-9, key


def test_a_review_reported_as_gap_keeps_its_row_beside_it(two_councils, monkeypatch):
    """With Reporting 'always', every possibly answered finding is a gap candidate: no links
    (the scorer counts none), its best row as `closest`, in every format."""
    shipped = _report(two_councils)
    review = {f["text"]: f for f in shipped["findings"] if f["status"] == POSSIBLE}
    assert review  # the real reports have findings only possibly answered
    monkeypatch.setattr(decide, "REPORTING", decide.Reporting("always", True))
    changed = {f["text"]: f for f in _report(two_councils)["findings"]}
    for text, before in review.items():
        after = changed[text]
        assert after["status"] in (GAP, UNLISTED) and after["links"] == []
        assert after["closest"]["ref"] == before["links"][0]["ref"]
    md = CliRunner().invoke(cli, ["--db", two_councils, "gaps"]).output
    gaps = sum(f["status"] == GAP for f in changed.values())
    assert "## Possibly answered" not in md and md.count("closest row") == gaps > 0
