"""Scoring what users have: sequences of any length, both strands, whole genomes, variants.

- `windows` — the length rule (which windows score a sequence), stride tricks, reverse complement;
- `strands` — which strands a run scores and how a window's two scores combine;
- `convolution` — one pass over a long sequence for convolution-only models (numba);
- `scanner` — `Scanner`: window scores along one sequence by the fastest exact path;
- `genome` — an indexed FASTA, BED regions, chunked streaming;
- `writers` — ``scores.bedGraph``, ``scores.bw``, ``hits.bed``;
- `parts` — an interrupted scan's finished parts, so that a rerun continues it;
- `scan` — `scan_genome`, `scan_sequences`: the whole scan;
- `variants` — `score_variants`, `write_variants`: VCF alleles against the reference.

See docs/scanning.md.
"""

from importlib import import_module
from typing import Any

# public name -> module; loaded on first use (`kerasbind.prediction` imports `strands` and
# `windows`, and `scan` imports `kerasbind.prediction`)
_NAMES = {
    "ScanSummary": "kerasbind.scanning.scan",
    "scan_genome": "kerasbind.scanning.scan",
    "scan_sequences": "kerasbind.scanning.scan",
    "VariantSummary": "kerasbind.scanning.variants",
    "score_variants": "kerasbind.scanning.variants",
    "write_variants": "kerasbind.scanning.variants",
}
__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module 'kerasbind.scanning' has no attribute {name!r}")
    return getattr(import_module(_NAMES[name]), name)
