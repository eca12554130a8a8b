"""Everything a dedup run is asked to do, in one picklable record."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cleaner.dedup.minhash import LshParams


@dataclass(frozen=True)
class DedupOptions:
    params: LshParams
    threshold: float = 0.8
    ngram: int = 5
    text_field: str = "text"
    id_field: str = "id"
    strict: bool = False
    passages: bool = False
    unit: str = "paragraph"  # passages: "paragraph" (normalised lines) or "line" (exact lines)
    min_docs: int = 2  # passages: recurring in at least this many documents
    by_field: str | None = None  # passages: count only within documents sharing this field's value

    def fingerprint_fields(self) -> dict[str, object]:
        """Options that change output bytes: a resumed run must use the same ones."""
        fields = asdict(self)
        fields["params"] = [self.params.bands, self.params.rows]
        return fields
