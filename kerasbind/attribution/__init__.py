"""Per-nucleotide attributions of any kerasbind model (docs/attribution.md).

Python API::

    from kerasbind.attribution import attribute, write_attributions
    found = attribute(run.model, run.encoder, sequences, method="integrated_gradients")
    found.hypothetical      # (n, L, 4) hypothetical contributions (modisco's input)
    found.contributions     # (n, L) each letter's contribution to the log-odds
    write_attributions(found, "out/")   # attributions.npz, top_positions.tsv, logos/
"""

from kerasbind.attribution.attributions import (
    DEFAULT_METHOD,
    METHODS,
    Attributions,
    Method,
    attribute,
)
from kerasbind.attribution.output import load_attributions, save_attributions, write_attributions

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "Attributions",
    "Method",
    "attribute",
    "load_attributions",
    "save_attributions",
    "write_attributions",
]
