"""Contact policy: table tests per rule clause (ids cite the step) and hypothesis over generated case data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from casework.contacts import policy as p
from casework.contacts.policy import McaFacts

# --- CMA-2.1 .. 2.7: the MCA decision ----------------------------------------------------------------------------

MCA_TABLE = [
    # id, facts, required, payment_path, expectations, must include checklist codes
    ("CMA-2.1-reliable-no-debt-not-required", McaFacts(role="payer", income_reliable=True), False, "none", "", ()),
    ("CMA-2.1-CMA-2.2-unreliable-income-required", McaFacts(role="payer", income_reliable=False), True, "none", "",
     ("income_discussed", "income_importance", "income_commitment_to_lodge", "income_updated_or_call_back")),
    ("CMA-2.2-reliable-confirm-accurate", McaFacts(role="payer", income_reliable=True, cs_debt_without_arrangement=True),
     True, "debt_repayment", "payer", ("income_confirmed",)),
    ("CMA-2.2-income-enquiry-checks-income", McaFacts(role="payee", income_reliable=True, income_enquiry=True),
     False, "none", "", ("income_confirmed",)),
    ("CMA-2.4-CMA-2.6-payer-debt-repayment", McaFacts(role="payer", income_reliable=True, cs_debt_without_arrangement=True),
     True, "debt_repayment", "payer",
     ("payer_pay_in_full", "payer_arrangement_details", "payer_late_consequences", "payer_follow_up", "payer_contact_on_change")),
    ("CMA-2.4-payer-overpaid", McaFacts(role="payer", income_reliable=True, payer_overpaid=True),
     False, "payer_overpaid", "payer", ()),
    ("CMA-2.4-payer-overpayment-no-reversal-payer-path",
     McaFacts(role="payer", income_reliable=True, overpayment_without_arrangement=True),
     True, "payer_overpaid", "payer", ("payer_overpayment_info",)),
    ("CMA-2.4-past-role-reversal-to-payee-path",
     McaFacts(role="payer", income_reliable=True, overpayment_without_arrangement=True, past_role_reversal=True),
     True, "payee_overpayment_debt", "payee", ("overpayment_consequences", "overpayment_arrangement_details")),
    ("CMA-2.5-CMA-2.7-payee-overpayment-debt-ongoing",
     McaFacts(role="payee", income_reliable=True, overpayment_without_arrangement=True, ongoing_entitlement=True),
     True, "payee_overpayment_debt", "payee", ("overpayment_auto_recovery", "overpayment_consequences")),
    ("CMA-2.5-payee-owed-asking-collection",
     McaFacts(role="payee", income_reliable=True, owed_child_support=True, collection_enquiry=True),
     True, "payee_collection", "payee",
     ("collection_info_gathered", "payee_commitment_to_collect", "payee_commitment_to_monitor")),
    ("CMA-2.5-payee-owed-not-asking-no-path",
     McaFacts(role="payee", income_reliable=True, owed_child_support=True), False, "none", "", ()),
    ("CMA-2.1-payee-with-payer-debt-is-not-payer-debt",
     McaFacts(role="payee", income_reliable=True, cs_debt_without_arrangement=True), False, "none", "", ()),
]


@pytest.mark.parametrize("facts,required,path,expectations,codes", [pytest.param(*row[1:], id=row[0]) for row in MCA_TABLE])
def test_mca_assess_table(facts, required, path, expectations, codes):
    result = p.mca_assess(facts)
    assert result.required is required
    assert result.payment_path == path
    assert result.expectations == expectations
    assert set(codes) <= set(result.checklist_codes)
    assert "CMA-2.1" in result.steps


def test_CMA_2_6_payer_sees_no_payee_points():
    result = p.mca_assess(McaFacts(role="payer", income_reliable=True, cs_debt_without_arrangement=True))
    assert {i.step_id for i in result.checklist} <= {"CMA-2.2", "CMA-2.6"}


def test_CMA_2_7_payee_sees_no_payer_points():
    result = p.mca_assess(McaFacts(role="payee", income_reliable=False, owed_child_support=True, collection_enquiry=True))
    assert {i.step_id for i in result.checklist} <= {"CMA-2.2", "CMA-2.5", "CMA-2.7"}


facts_strategy = st.builds(
    McaFacts,
    role=st.sampled_from(["payer", "payee"]),
    income_reliable=st.booleans(),
    cs_debt_without_arrangement=st.booleans(),
    overpayment_without_arrangement=st.booleans(),
    payer_overpaid=st.booleans(),
    owed_child_support=st.booleans(),
    collection_enquiry=st.booleans(),
    income_enquiry=st.booleans(),
    past_role_reversal=st.booleans(),
    ongoing_entitlement=st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(facts_strategy)
def test_mca_properties_over_generated_case_data(facts):
    """CMA-2.1..2.8 invariants over generated case data."""
    result = p.mca_assess(facts)
    # CMA-2.1: required exactly when income is unreliable, payer debt without arrangement, overpayment without
    # arrangement (speaking with the overpaid customer), or a payee owed child support asking about collection.
    expected = (
        not facts.income_reliable
        or (facts.role == "payer" and facts.cs_debt_without_arrangement)
        or facts.overpayment_without_arrangement
        or (facts.role == "payee" and facts.owed_child_support and facts.collection_enquiry)
    )
    assert result.required is expected
    assert "CMA-2.1" in result.steps
    steps_in_checklist = {i.step_id for i in result.checklist}
    # CMA-2.6 / CMA-2.7: only the applicable expectation points are shown.
    if result.expectations == "payer":
        assert "CMA-2.7" not in steps_in_checklist
    if result.expectations == "payee":
        assert "CMA-2.6" not in steps_in_checklist
    if result.expectations == "":
        assert not steps_in_checklist & {"CMA-2.6", "CMA-2.7"}
    # CMA-2.2: the income path follows reliability (ATO-issued).
    assert result.income_path == ("confirm_accurate" if facts.income_reliable else "discuss_and_commit")
    if result.required:
        assert ("income_confirmed" in result.checklist_codes) is facts.income_reliable
    # CMA-2.4: an overpaid payer without a past role reversal stays on the payer path.
    if facts.role == "payer" and facts.overpayment_without_arrangement and not facts.past_role_reversal:
        assert result.expectations == "payer"
    # CMA-2.4: the debt repayment path is only for payers with a debt and no arrangement.
    if result.payment_path == "debt_repayment":
        assert facts.role == "payer" and facts.cs_debt_without_arrangement
    # CMA-2.4 -> 2.5: a past role reversal overpayment on a payer's record takes the payee path.
    if facts.role == "payer" and facts.overpayment_without_arrangement and facts.past_role_reversal:
        assert result.payment_path == "payee_overpayment_debt" and result.expectations == "payee"
    # CMA-2.8: documentation goes where the procedure puts it.
    docs = p.mca_documentation(result, arrangement_negotiated=False)
    if not result.required:
        assert docs == ()
    elif facts.role == "payer":
        assert docs[0].note_kind == "collection" and ("Category", "Level 1") in docs[0].fields
    else:
        assert docs[0].note_kind == "communication"
    # completion: ticking every point (and recording what the path needs) completes MCA.
    done = p.mca_completion(result, ticked=result.checklist_codes, arrangement_recorded=True, collection_info_recorded=True)
    assert done.allowed


@pytest.mark.parametrize(
    "role,negotiated,kinds",
    [
        pytest.param("payer", False, ["collection"], id="CMA-2.8-payer-collection-record-level-1"),
        pytest.param("payer", True, ["collection", "payment_arrangement"], id="CMA-2.8-payer-arrangement-recorded-too"),
        pytest.param("payee", False, ["communication"], id="CMA-2.8-payee-communication-record"),
        pytest.param("payee", True, ["payment_arrangement"], id="CMA-2.8-payee-payment-arrangement-record"),
    ],
)
def test_mca_documentation(role, negotiated, kinds):
    result = p.mca_assess(McaFacts(role=role, income_reliable=False))
    docs = p.mca_documentation(result, arrangement_negotiated=negotiated)
    assert [d.note_kind for d in docs] == kinds
    assert all(d.step_id == "CMA-2.8" for d in docs)


@pytest.mark.parametrize(
    "ticked,arrangement,allowed,missing_fragment",
    [
        pytest.param("all", True, True, None, id="CMA-2.1-complete"),
        pytest.param("all", False, False, "Payment arrangement", id="CMA-2.4-debt-needs-arrangement"),
        pytest.param("none", True, False, "in full and on time", id="CMA-2.6-unticked-point-named"),
    ],
)
def test_mca_completion(ticked, arrangement, allowed, missing_fragment):
    result = p.mca_assess(McaFacts(role="payer", income_reliable=True, cs_debt_without_arrangement=True))
    codes = result.checklist_codes if ticked == "all" else ()
    decision = p.mca_completion(result, ticked=codes, arrangement_recorded=arrangement, collection_info_recorded=False)
    assert decision.allowed is allowed
    if missing_fragment:
        assert missing_fragment in decision.reason


def test_CMA_2_5_collection_path_needs_collection_information():
    result = p.mca_assess(McaFacts(role="payee", income_reliable=True, owed_child_support=True, collection_enquiry=True))
    decision = p.mca_completion(result, ticked=result.checklist_codes, arrangement_recorded=False, collection_info_recorded=False)
    assert not decision.allowed and "CMA-2.5" in decision.step_ids


@pytest.mark.parametrize(
    "new,likely,locked_other,outcome",
    [
        pytest.param(False, True, False, "no_action", id="CMA-2.5-no-new-information"),
        pytest.param(True, True, False, "lock_payer", id="CMA-2.5-not-locked-likely-lock-payer"),
        pytest.param(True, False, False, "no_action", id="CMA-2.5-not-locked-unlikely"),
        pytest.param(True, True, True, "investigate", id="CMA-2.5-locked-elsewhere-likely-investigate"),
        pytest.param(True, False, True, "no_action", id="CMA-2.5-locked-elsewhere-unlikely-no-referral"),
    ],
)
def test_collection_information_action(new, likely, locked_other, outcome):
    d = p.collection_information_action(new_information=new, likely_collection_outcome=likely, payer_locked_to_other_officer=locked_other)
    assert d.outcome == outcome and "CMA-2.5" in d.step_ids


# --- CMA-1.1 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,reasons,allowed,outcome",
    [
        pytest.param("cold", (), True, "cold", id="CMA-1.1-cold-transfer"),
        pytest.param("warm", (), False, "warm_needs_reason", id="CMA-1.1-warm-needs-reason"),
        pytest.param("warm", ("escalated",), True, "warm", id="CMA-1.1-warm-escalated"),
        pytest.param("warm", ("repeatedly_cold_transferred",), True, "warm", id="CMA-1.1-warm-repeated-cold"),
        pytest.param("warm", ("avoid_repeating",), True, "warm", id="CMA-1.1-warm-avoid-repeating"),
        pytest.param("warm", ("bored",), False, "invalid", id="CMA-1.1-unknown-reason"),
        pytest.param("hot", (), False, "invalid", id="CMA-1.1-unknown-kind"),
    ],
)
def test_transfer_check(kind, reasons, allowed, outcome):
    d = p.transfer_check(kind=kind, reasons=reasons, poi_confirmed=True)
    assert (d.allowed, d.outcome) == (allowed, outcome)
    assert d.step_ids == ("CMA-1.1",)


def test_CMA_1_1_poi_done_carried():
    assert p.transfer_check(kind="cold", reasons=(), poi_confirmed=True).facts["poi_done"] is True
    assert p.transfer_check(kind="cold", reasons=(), poi_confirmed=False).facts["poi_done"] is False


@pytest.mark.parametrize(
    "is_rep,scope,discuss,act",
    [
        pytest.param(False, None, True, True, id="CMA-1.1-customer"),
        pytest.param(True, "full", True, True, id="CMA-1.1-rep-full"),
        pytest.param(True, "enquire", True, False, id="CMA-1.1-rep-enquire-only"),
        pytest.param(True, "specified", False, False, id="CMA-1.1-rep-specified-without-matters"),
        pytest.param(True, None, False, False, id="CMA-1.1-rep-no-authority"),
    ],
)
def test_representative_access(is_rep, scope, discuss, act):
    d = p.representative_access(speaker_is_representative=is_rep, scope=scope)
    assert (d.facts["may_discuss"], d.facts["may_act"]) == (discuss, act)


@pytest.mark.parametrize(
    "scope, matters, current, matter, act, allowed",
    [
        pytest.param("specified", ["income"], True, "income", False, True, id="CMA-1.1-specified-discuss-its-matter"),
        pytest.param("specified", ["income"], True, "collection", False, False,
                     id="CMA-1.1-specified-cannot-discuss-other-matters"),
        pytest.param("specified", ["income"], True, "income", True, True, id="CMA-1.1-specified-acts-on-its-matter"),
        pytest.param("specified", ["income"], True, "collection", True, False,
                     id="CMA-1.1-specified-cannot-act-on-other-matters"),
        pytest.param("enquire", [], True, "collection", False, True, id="CMA-1.1-enquire-discusses-everything"),
        pytest.param("enquire", [], True, "income", True, False, id="CMA-1.1-enquire-cannot-change"),
        pytest.param("full", [], True, "collection", True, True, id="CMA-1.1-full-acts"),
        pytest.param("full", [], False, "income", False, False, id="CMA-1.1-authority-not-current"),
    ],
)
def test_representative_matter_check(scope, matters, current, matter, act, allowed):
    access = p.representative_access(speaker_is_representative=True, scope=scope, matters=matters, current=current)
    d = p.representative_matter_check(access, matter=matter, act=act)
    assert d.allowed is allowed and d.step_ids == ("CMA-1.1",)


# --- CMA-2.9 / CMA-3.1 / CMA-3.2 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resolved,outcome,step",
    [pytest.param(True, "finalise", "CMA-2.9", id="CMA-2.9-real-time"), pytest.param(False, "lock", "CMA-2.10", id="CMA-2.10-not-real-time")],
)
def test_realtime_outcome(resolved, outcome, step):
    d = p.realtime_outcome(resolved_in_real_time=resolved)
    assert d.outcome == outcome and step in d.step_ids


MCA_DONE = p.mca_completion(p.mca_assess(McaFacts(role="payer", income_reliable=True)), ticked=(), arrangement_recorded=False, collection_info_recorded=False)
MCA_OPEN = p.mca_completion(
    p.mca_assess(McaFacts(role="payer", income_reliable=True, cs_debt_without_arrangement=True)),
    ticked=(), arrangement_recorded=False, collection_info_recorded=False,
)


@pytest.mark.parametrize(
    "facts,allowed,fragment,step",
    [
        pytest.param(p.FinaliseFacts(poi_confirmed=True, mca=MCA_DONE), True, None, "CMA-3.1", id="CMA-3.1-ready"),
        pytest.param(p.FinaliseFacts(poi_confirmed=False, mca=MCA_DONE), False, "Proof of identity", "CMA-1.1", id="CMA-1.1-poi-missing"),
        pytest.param(p.FinaliseFacts(poi_confirmed=True, mca=MCA_OPEN), False, "MCA:", "CMA-3.1", id="CMA-3.1-mca-incomplete"),
        pytest.param(p.FinaliseFacts(poi_confirmed=True, mca=MCA_DONE, open_issues_in_scope=("Debt enquiry",)), False, "Debt enquiry", "CMA-3.2", id="CMA-3.2-issue-open"),
        pytest.param(p.FinaliseFacts(poi_confirmed=True, mca=MCA_DONE, referrals_pending=("Legal Aid",)), False, "Legal Aid", "CMA-3.1", id="CMA-3.1-external-referral-pending"),
        pytest.param(p.FinaliseFacts(poi_confirmed=True, mca=MCA_DONE, not_explained_to=("Pat Payee",)), False, "Pat Payee", "CMA-3.1", id="CMA-3.1-decision-not-explained"),
        pytest.param(p.FinaliseFacts(poi_confirmed=True, mca=MCA_DONE, customer_disagrees=True), False, "options", "CMA-3.1", id="CMA-3.1-disagrees-options-missing"),
        pytest.param(p.FinaliseFacts(poi_confirmed=True, mca=MCA_DONE, customer_disagrees=True, disagreement_options_given=("objection",)), True, None, "CMA-3.1", id="CMA-3.1-disagrees-options-given"),
        pytest.param(p.FinaliseFacts(poi_confirmed=True, mca=MCA_DONE, error_open=True), False, "error", "CMA-1.3", id="CMA-1.3-error-open"),
    ],
)
def test_finalise_readiness(facts, allowed, fragment, step):
    d = p.finalise_readiness(facts)
    assert d.allowed is allowed
    assert step in d.step_ids
    if fragment:
        assert fragment in d.reason
        assert any(fragment in m for m in d.facts["missing"])


def test_CMA_3_1_every_missing_item_named_at_once():
    d = p.finalise_readiness(p.FinaliseFacts(poi_confirmed=True, mca=MCA_OPEN, open_issues_in_scope=("A",), referrals_pending=("B",), not_explained_to=("C",)))
    assert len(d.facts["missing"]) >= 4
