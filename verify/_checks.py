"""One verified statement of a certificate: its name, outcome and the numbers behind it.

Internal module of :mod:`verify`: use the names the package exports (``verify.__all__``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Outcomes. ``passed``: proven (exact path) or measured within the claimed digits
#: (precision path). ``failed``: the statement is false, or was proven false.
#: ``not proven``: neither — e.g. a rank that could not be established.
#: ``skipped``: not asked for (e.g. no truth given).
STATUSES = ("passed", "failed", "not proven", "skipped")


@dataclass
class Check:
    """Outcome of one check.

    ``required`` checks decide :attr:`Certificate.holds`; the others are reported only.
    ``numbers`` holds JSON-ready values (ints, floats, strings) that back the outcome.
    """

    name: str
    status: str
    detail: str
    required: bool = True
    numbers: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown check status {self.status!r}; one of {STATUSES}")

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "required": self.required,
                "detail": self.detail, "numbers": dict(self.numbers)}
