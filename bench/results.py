"""One measured line of the report: this project's figure, its reference, the target, met or not."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    """A row of `docs/benchmarks.md`.

    `value` is in `unit`; `reference` (same unit) is what it is measured against in the same run,
    when there is one. `met` is None when a row only informs (no target of its own).
    """

    bench: str
    what: str
    value: float
    unit: str
    reference: float | None = None
    reference_what: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference == 0:
            return None
        return self.value / self.reference

    def row(self) -> list[str]:
        reference = (
            f"{fmt(self.reference)} {self.unit} ({self.reference_what})"
            if self.reference is not None
            else self.reference_what
        )
        met = {None: "", True: "yes", False: "**no**"}[self.met]
        ratio = f"{self.ratio:.2f}" if self.ratio is not None else ""
        return [self.what, f"{fmt(self.value)} {self.unit}", reference, ratio, self.target, met]


@dataclass
class BenchReport:
    """What one benchmark module returns: its rows and the details that explain them."""

    name: str
    results: list[Result] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # markdown lines under the bench's heading

    def add(self, what: str, value: float, unit: str, **kwargs: object) -> Result:
        result = Result(self.name, what, value, unit, **kwargs)  # type: ignore[arg-type]
        self.results.append(result)
        return result

    def print(self) -> None:
        print(f"\n== {self.name}")
        for result in self.results:
            cells = result.row()
            line = f"  {cells[0]}: {cells[1]}"
            if cells[2]:
                line += f" | ref {cells[2]}"
            if cells[3]:
                line += f" | ratio {cells[3]}"
            if cells[4]:
                line += f" | target {cells[4]} → {cells[5].strip('*') or '-'}"
            print(line)
        for detail in self.details:
            print(f"  {detail}")


def fmt(value: float) -> str:
    """Few significant digits: a benchmark on a shared 2-core machine has no more."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"
