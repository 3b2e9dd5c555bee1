"""Exhaustive check of the k = 2 reduction on every small SET SPLITTING instance.

For each instance up to isomorphism (:func:`~hardness._set_splitting.enumerate_instances`):
the brute-force answer must equal :func:`~hardness._decide.decide_fit` on the reduced
instance; for a yes-instance the forward network of the brute-force splitting must fit
exactly, and ``backward`` of the decide_fit witness must be a splitting; for a
no-instance the Farkas certificate must re-verify exactly. With ``smt=True`` the z3 SMT
solver (:mod:`hardness._smt`, the ``smt`` extra) answers the same fitting question
independently and must agree. Cost: one ``decide_fit`` (and one z3 call) per instance
(exponential in the number of points, small here).

Internal module of :mod:`hardness`: use the names the package exports (``hardness.__all__``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from recover import RelunetError, check_positive_int
from verify import Stage, check_progress

from ._decide import decide_fit
from ._reduction import reduce_set_splitting
from ._set_splitting import SetSplitting, enumerate_instances
from ._smt import z3_available, z3_decide_fit


@dataclass
class CheckReport:
    """Counts of :func:`check_reductions`; ``failures`` lists (instance, reason)."""

    instances: int = 0
    yes: int = 0
    no: int = 0
    agree: int = 0
    forward_verified: int = 0
    backward_verified: int = 0
    certificates_verified: int = 0
    smt_checked: int = 0
    smt_agree: int = 0
    lps: int = 0
    seconds: float = 0.0
    failures: list = field(default_factory=list)

    @property
    def all_agree(self) -> bool:
        return not self.failures and self.agree == self.instances

    def summary(self) -> str:
        pct = 100.0 * self.agree / self.instances if self.instances else 100.0
        return (f"{self.instances} non-isomorphic instances: {self.yes} yes, {self.no} no; "
                f"agreement {self.agree}/{self.instances} ({pct:.1f}%); forward witnesses "
                f"verified {self.forward_verified}/{self.yes}; backward splittings "
                f"{self.backward_verified}/{self.yes}; Farkas certificates verified "
                f"{self.certificates_verified}/{self.no}; "
                + (f"z3 agreement {self.smt_agree}/{self.smt_checked}; "
                   if self.smt_checked else "")
                + f"{self.lps} LPs; {self.seconds:.1f} s")


def check_instance(instance: SetSplitting, report: CheckReport, smt: bool = False) -> None:
    """Check one instance and add it to ``report``; with ``smt``, also ask z3."""
    splitting = instance.solve()
    reduction = reduce_set_splitting(instance)
    decision = decide_fit(reduction.X, reduction.y)
    if smt:
        _check_smt(instance, reduction, decision.feasible, report)
    report.instances += 1
    report.lps += decision.stats["lps"]
    if splitting is not None:
        report.yes += 1
        if reduction.fits(reduction.forward(splitting)):
            report.forward_verified += 1
    else:
        report.no += 1
    if decision.feasible != (splitting is not None):
        report.failures.append((instance, f"brute force says {splitting is not None}, "
                                          f"decide_fit says {decision.feasible}"))
        return
    report.agree += 1
    if decision.feasible:
        if instance.is_splitting(reduction.backward(decision.witness)):
            report.backward_verified += 1
    elif decision.certificate.verify(reduction.X, reduction.y):
        report.certificates_verified += 1
    else:
        report.failures.append((instance, "Farkas certificate failed re-verification"))


def _check_smt(instance, reduction, feasible: bool, report: CheckReport) -> None:
    report.smt_checked += 1
    if z3_decide_fit(reduction.X, reduction.y) == feasible:
        report.smt_agree += 1
    else:
        report.failures.append((instance, f"z3 says {not feasible}, decide_fit says "
                                          f"{feasible}"))


def check_reductions(max_elements: int = 4, max_clauses: int = 4, clause_sizes=(1, 2, 3),
                     verbose: bool = True, stream=None, progress=None,
                     smt: bool = False) -> CheckReport:
    """Check the reduction on every instance with at most ``max_elements`` elements and
    at most ``max_clauses`` distinct clauses of the given sizes, up to isomorphism.

    Prints progress and the counts when ``verbose``; returns a :class:`CheckReport`.
    ``progress(stage, done, total)`` (:mod:`verify._progress`, optional, prints nothing):
    one stage, ``"instances"``, counting the instances checked out of all enumerated
    (they are enumerated first, which is cheap next to checking them).
    ``smt``: cross-check every instance with z3 (:func:`~hardness._smt.z3_decide_fit`;
    raises :class:`~recover._errors.RelunetError` if z3 is not installed); a
    disagreement is a failure.
    """
    max_elements = check_positive_int(max_elements, "max_elements")
    max_clauses = check_positive_int(max_clauses, "max_clauses", minimum=0)
    check_progress(progress)
    if smt and not z3_available():
        raise RelunetError("z3 is not installed (pip install 'relunet[smt]')")
    stream = stream or sys.stdout
    report = CheckReport()
    start = time.perf_counter()
    instances = list(enumerate_instances(max_elements, max_clauses, clause_sizes))
    with Stage(progress, "instances", len(instances)) as stage:
        for instance in instances:
            check_instance(instance, report, smt)
            stage.advance()
            if verbose and report.instances % 25 == 0:
                print(f"  … {report.instances} instances checked", file=stream, flush=True)
    report.seconds = time.perf_counter() - start
    if verbose:
        print(report.summary(), file=stream)
        for instance, reason in report.failures:
            print(f"  FAIL {instance}: {reason}", file=stream)
    return report
