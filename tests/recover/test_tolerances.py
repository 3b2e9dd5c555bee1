"""recover.Tolerances: every tolerance is a documented parameter, checked at the door,
and changing one changes what recovery and certification do."""

import dataclasses
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from recover import (InvalidInputError, RecoveryFailed, Tolerances, TwoLayerNetwork,
                     planted_instance, recover_network)
from recover._errors import RelunetWarning
from recover._instances import misspecified_instance
from recover._span import label_span
from recover._tolerances import current, markdown_table, using
from verify import certify

DOC = Path(__file__).resolve().parents[2] / "docs" / "tolerances.md"


def test_the_docs_table_is_generated_from_the_fields():
    text = DOC.read_text()
    assert markdown_table() in text
    names = re.findall(r"^\| `(\w+)` \|", text, flags=re.M)
    assert names == [f.name for f in dataclasses.fields(Tolerances)]


def test_every_field_has_a_reason_and_a_checked_kind():
    for f in dataclasses.fields(Tolerances):
        assert len(Tolerances.why(f.name)) > 20, f.name
        assert f.metadata["kind"] in ("rtol", "positive", "real", "count", "count0")


def test_no_tolerance_constant_is_left_in_the_modules_it_replaced():
    import recover._cone as cone
    import recover._facets as facets
    import recover._recovery as recovery
    import recover._span as span
    gone = {recovery: ["RESIDUAL_RTOL", "REALIZABLE_RTOL", "NOISY_RESTARTS"],
            cone: ["VIOLATION_RTOL", "STALL", "SPARSE_FACTOR", "INITIAL_PER_UNIT"],
            facets: ["ON_FACET_RTOL", "GATHER_RTOL", "RANK_GAP_MIN"], span: ["RANK_RTOL"]}
    for module, names in gone.items():
        assert not [n for n in names if hasattr(module, n)], module.__name__


@pytest.mark.parametrize("name, value", [
    ("residual_rtol", -1e-10), ("residual_rtol", math.nan), ("residual_rtol", 0.0),
    ("residual_rtol", 1.5), ("residual_rtol", "1e-10"), ("residual_rtol", True),
    ("residual_rtol", None), ("noise_z", math.inf), ("noise_z", -5.0),
    ("meaningful_snr_db", math.nan), ("lp_rounds", 0), ("lp_rounds", 2.5),
    ("lp_rounds", "50"), ("noisy_restarts", -1), ("lm_max_iterations", True),
])
def test_invalid_values_are_refused_when_built(name, value):
    with pytest.raises(InvalidInputError, match=name):
        Tolerances(**{name: value})


@pytest.mark.parametrize("good", [{"noisy_restarts": 0}, {"meaningful_snr_db": -3},
                                  {"lp_rounds": np.int64(10)}, {"residual_rtol": 1e-30}])
def test_edge_values_that_make_sense_are_accepted(good):
    assert getattr(Tolerances(**good), next(iter(good))) == next(iter(good.values()))


def test_tolerances_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Tolerances().residual_rtol = 1.0


@pytest.mark.parametrize("tol", ["strict", {"residual_rtol": 1e-12}, 1e-10, Tolerances])
def test_tol_of_another_type_is_refused_at_the_door(tol):
    inst = planted_instance(6, 3, 4, 200, seed=0)
    with pytest.raises(InvalidInputError, match="tol must be"):
        recover_network(inst.X, inst.Y, tol=tol)
    with pytest.raises(InvalidInputError, match="tol must be"):
        certify(inst.X, inst.Y, inst.network, tol=tol)


def test_a_residual_tolerance_below_rounding_makes_exact_recovery_fail_loudly():
    inst = planted_instance(10, 5, 8, 1000, seed=0)
    assert recover_network(inst.X, inst.Y, mode="exact").exact
    with pytest.raises(RecoveryFailed, match="not at machine level|not reproduced"):
        recover_network(inst.X, inst.Y, mode="exact", tol=Tolerances(residual_rtol=1e-30))
    assert current() == Tolerances()  # the tolerances of a call do not outlive it


def test_a_looser_noise_check_accepts_a_fit_the_default_flags():
    inst = misspecified_instance("hidden_bias", seed=0)
    Y = inst.Y + 1e-3 * np.abs(inst.Y).max() * np.random.default_rng(0).standard_normal(
        inst.Y.shape)
    with pytest.warns(RelunetWarning, match="misspecified"):
        flagged = recover_network(inst.X, Y)
    loose = Tolerances(noise_z=1e9, noise_min_ratio=1e9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        accepted = recover_network(inst.X, Y, tol=loose)
    assert flagged.misspecified is True and accepted.misspecified is False
    assert not [w for w in caught if "misspecified" in str(w.message)]


def test_rank_tolerance_decides_k():
    # A rank-deficient Y (k = 3 of m = 4) with a relative tail of 1e-6: the default reads
    # k = 3 off the labels; a rank tolerance below the tail counts the tail as signal.
    inst = planted_instance(6, 3, 4, 300, seed=1)
    s = np.linalg.svd(inst.Y, compute_uv=False)
    assert s[3] / s[0] < 1e-12
    Y = inst.Y + 1e-6 * s[0] * np.outer(np.linalg.svd(inst.Y)[0][:, 3],
                                        np.ones(inst.Y.shape[1]) / np.sqrt(inst.Y.shape[1]))
    assert label_span(Y).k == 4
    with using(Tolerances(rank_rtol=1e-5)):
        assert label_span(Y).k == 3
    assert label_span(Y).k == 4


def test_using_nests_and_restores():
    a, b = Tolerances(stall=7), Tolerances(stall=9)
    with using(a):
        with using(b):
            assert current().stall == 9
        with using(None):
            assert current().stall == 7
        assert current().stall == 7
    assert current() == Tolerances()


def test_certify_reads_its_candidate_tolerance_and_an_explicit_keyword_wins():
    inst = planted_instance(6, 3, 4, 200, seed=3, integer=True)
    net = inst.network.astype_float()
    off = TwoLayerNetwork(net.U, net.V * (1 + 1e-12), activation=net.activation)
    strict = certify(inst.X, inst.Y, off, identifiability=False)
    loose = Tolerances(candidate_rtol_relu=1e-9)
    relaxed = certify(inst.X, inst.Y, off, identifiability=False, tol=loose)
    explicit = certify(inst.X, inst.Y, off, identifiability=False, tol=loose,
                       candidate_rtol=1e-14)
    assert not strict.check("candidate").passed
    assert relaxed.check("candidate").passed and relaxed.holds
    assert not explicit.check("candidate").passed


def test_guard_digits_set_what_the_precision_path_claims():
    inst = planted_instance(6, 3, 4, 200, seed=3, integer=True)
    cert = certify(inst.X, inst.Y, inst.network, exact=False, digits=30,
                   identifiability=False, tol=Tolerances(guard_digits=12))
    assert cert.check("reproduction").numbers["required_digits"] == 30 - 12
    assert any("to 18 digits" in claim for claim in cert.claims)


def test_a_warning_points_at_the_callers_line():
    inst = planted_instance(10, 5, 8, 1000, seed=0)
    X = np.vstack([inst.X, inst.X[:1]])  # rank d − 1: recovered on span(X), with a warning
    with pytest.warns(RelunetWarning, match="span") as caught:
        recover_network(X, inst.Y)
    assert {Path(w.filename).name for w in caught} == {Path(__file__).name}


def test_the_facet_search_reads_its_budgets_from_the_tolerances_in_force():
    from recover._cone import cone_facets
    # A search that stalls (a dominated unit at n = 60): edges and subsample rounds run.
    inst = planted_instance(8, 8, 8, 60, seed=7)
    Z = label_span(inst.Y, 8).Z
    _, default = cone_facets(Z, 8, np.random.default_rng(7), 10)
    with using(Tolerances(edge_sweeps=0, subsample_rounds=0, programs_extra=0)):
        _, tight = cone_facets(Z, 8, np.random.default_rng(7), 10)
    assert default["edge_sweeps"] == 2 and default["programs"] == 52
    assert "edge_programs" not in tight and "subsample_programs" not in tight
    assert tight["programs"] <= 4 * 8
