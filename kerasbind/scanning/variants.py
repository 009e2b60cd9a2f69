"""Variant effects from a VCF: every alternative allele against the reference, in a window of
the model's length centred on the allele (re-centred for indels), both strands for DNA runs.

Each ALT of a multi-allelic record is its own row. REF is checked against the genome: a mismatch
is reported (``status`` ``ref_mismatch``, the genome's letters in ``genome_ref``) and not scored;
so are a chromosome missing from the genome (``no_chromosome``), REF reaching past the chromosome
end (``outside_chromosome``) and symbolic or breakend alleles
(``<DEL>``, ``*``, ``N[chr2:…[``: ``symbolic``). A window that runs past a chromosome end is padded
with ``N`` as the length rule pads short sequences (``status`` ``chromosome_end``; scored).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kerasbind.encoding import EncoderSpec
from kerasbind.errors import KerasbindError
from kerasbind.explain import sigmoid
from kerasbind.files import write_atomic, write_table
from kerasbind.prediction import PREDICT_BATCH, window_log_odds
from kerasbind.scanning.genome import Genome, letter_codes
from kerasbind.scanning.strands import both_strands, combine_strands
from kerasbind.sequences import UNKNOWN_CODE

SCORED = ("ok", "chromosome_end")
_ALLELE = re.compile(r"[ACGTNacgtn]+")
INFO_FIELDS = {
    "KB_DLO": ("Float", "kerasbind: alt minus ref log-odds of binding"),
    "KB_DP": ("Float", "kerasbind: alt minus ref probability of binding"),
    "KB_PREF": ("Float", "kerasbind: probability of binding with the reference allele"),
    "KB_PALT": ("Float", "kerasbind: probability of binding with the alternative allele"),
    "KB_STATUS": (
        "String",
        "kerasbind: ok, chromosome_end, ref_mismatch, no_chromosome, outside_chromosome, symbolic",
    ),
}


@dataclass
class VariantSummary:
    """Counts of a variants run: records read, alleles, and the alleles per status."""

    records: int
    alleles: int
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def scored(self) -> int:
        return sum(self.statuses.get(status, 0) for status in SCORED)

    def line(self) -> str:
        """One summary line, e.g. for the command line."""
        parts = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        return f"{self.records} records, {self.alleles} alleles: {self.scored} scored ({parts})"


def _open_vcf(path: str | os.PathLike[str]) -> Any:
    from cyvcf2 import VCF

    if not Path(path).is_file():
        raise KerasbindError(f"{path}: no such VCF file")
    try:
        return VCF(str(path))
    except (OSError, ValueError, Exception) as error:  # cyvcf2 raises plain Exception
        raise KerasbindError(f"{path}: cannot read the VCF ({error})") from None


def read_alleles(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, int]:
    """One row per (record, ALT): ``record`` (0-based), chrom, pos (1-based), id, ref, alt; and
    the number of records."""
    rows: list[tuple[int, str, int, str, str, str]] = []
    vcf = _open_vcf(path)
    number = -1
    try:
        for number, record in enumerate(vcf):
            for alt in record.ALT or ["."]:
                rows.append((number, record.CHROM, record.POS, record.ID or ".", record.REF, alt))
    except Exception as error:  # a malformed line surfaces while iterating
        raise KerasbindError(f"{path}: cannot read record {number + 2} ({error})") from None
    finally:
        vcf.close()
    columns = ["record", "chrom", "pos", "id", "ref", "alt"]
    return pd.DataFrame(rows, columns=columns), number + 1


def _window(left: np.ndarray, allele: np.ndarray, right: np.ndarray, window: int) -> np.ndarray:
    """The ``window`` letters centred on ``allele`` between its flanks (``N`` beyond them)."""
    centre = len(left) + (len(allele) - 1) // 2
    start = centre - (window - 1) // 2
    joined = np.concatenate([left, allele, right])
    out = np.full(window, UNKNOWN_CODE, np.uint8)
    first, last = max(start, 0), min(start + window, len(joined))
    out[first - start : last - start] = joined[first:last]
    return out


def allele_windows(
    alleles: pd.DataFrame, genome: Genome, window: int
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Reference and alternative window codes ``(m, window)`` of the scoreable alleles, each
    allele's status and the genome's letters at REF."""
    statuses: list[str] = []
    genome_ref: list[str] = []
    ref_windows: list[np.ndarray] = []
    alt_windows: list[np.ndarray] = []
    for chrom, pos, ref, alt in zip(
        alleles["chrom"], alleles["pos"], alleles["ref"], alleles["alt"], strict=True
    ):
        if chrom not in genome.sizes:
            statuses.append("no_chromosome")
            genome_ref.append("")
            continue
        size = genome.sizes[chrom]
        start, end = pos - 1, pos - 1 + len(ref)
        if start < 0 or end > size:
            statuses.append("outside_chromosome")
            genome_ref.append("")
            continue
        first, last = max(0, start - window), min(size, end + window)
        text = genome.fetch(chrom, first, last)  # the allele and both flanks, one read
        found = text[start - first : end - first].upper()
        genome_ref.append(found)
        if found != ref.upper():
            statuses.append("ref_mismatch")
            continue
        if not _ALLELE.fullmatch(alt):
            statuses.append("symbolic")
            continue
        codes = letter_codes(text)
        left, right = codes[: start - first], codes[end - first :]
        edge = start - window < 0 or end + window > size
        statuses.append("chromosome_end" if edge else "ok")
        ref_windows.append(_window(left, codes[start - first : end - first], right, window))
        alt_windows.append(_window(left, letter_codes(alt), right, window))
    empty = np.zeros((0, window), np.uint8)
    return (
        np.stack(ref_windows) if ref_windows else empty,
        np.stack(alt_windows) if alt_windows else empty,
        statuses,
        genome_ref,
    )


def _log_odds(
    model: Any, encoder: EncoderSpec, codes: np.ndarray, both: bool, combine: str
) -> np.ndarray:
    forward, reverse = window_log_odds(model, encoder, codes, both=both, batch_size=PREDICT_BATCH)
    scores = forward if reverse is None else combine_strands(forward, reverse, combine)
    return np.asarray(scores, dtype=np.float64)


def score_variants(
    model: Any,
    encoder: EncoderSpec,
    vcf: str | os.PathLike[str],
    genome: str | os.PathLike[str],
    *,
    strand: str = "auto",
    combine: str = "max",
) -> tuple[pd.DataFrame, VariantSummary]:
    """Score every allele of ``vcf`` against the indexed ``genome`` (see the module docstring).

    Columns: chrom, pos, id, ref, alt, status, genome_ref, probability_ref, probability_alt,
    delta_probability, log_odds_ref, log_odds_alt, delta_log_odds (NaN where not scored).
    """
    import time

    started = time.perf_counter()
    both = both_strands(encoder, strand)
    fasta = Genome(genome)
    alleles, records = read_alleles(vcf)
    ref_codes, alt_codes, statuses, genome_ref = allele_windows(alleles, fasta, encoder.length)
    scored = np.isin(np.array(statuses, dtype=object), SCORED)
    ref_score = np.full(len(alleles), np.nan)
    alt_score = np.full(len(alleles), np.nan)
    if len(ref_codes):
        both_alleles = _log_odds(
            model, encoder, np.concatenate([ref_codes, alt_codes]), both, combine
        )
        ref_score[scored] = both_alleles[: len(ref_codes)]
        alt_score[scored] = both_alleles[len(ref_codes) :]
    table = alleles.drop(columns="record").assign(status=statuses, genome_ref=genome_ref)
    table = table.assign(
        probability_ref=sigmoid(ref_score),
        probability_alt=sigmoid(alt_score),
        delta_probability=sigmoid(alt_score) - sigmoid(ref_score),
        log_odds_ref=ref_score,
        log_odds_alt=alt_score,
        delta_log_odds=alt_score - ref_score,
    )
    summary = VariantSummary(
        records=records,
        alleles=len(alleles),
        statuses=dict(Counter(statuses)),
        seconds=time.perf_counter() - started,
    )
    table.attrs["record"] = alleles["record"].to_numpy()
    return table, summary


def write_variants(
    table: pd.DataFrame, vcf: str | os.PathLike[str], output: str | os.PathLike[str]
) -> None:
    """The effects as TSV, or (``output`` ending ``.vcf`` / ``.vcf.gz``) as the input VCF with
    the ``KB_*`` INFO fields added (one value per ALT), written atomically."""
    output = Path(output)
    name = output.name.lower()
    if not (name.endswith(".vcf") or name.endswith(".vcf.gz")):
        write_table(output, table)
        return
    write_atomic(output, lambda tmp: _write_vcf(table, vcf, tmp, name.endswith(".gz")))


def _write_vcf(table: pd.DataFrame, vcf_path: str | os.PathLike[str], out: Path, gz: bool) -> None:
    from cyvcf2 import Writer

    vcf = _open_vcf(vcf_path)
    for key, (kind, description) in INFO_FIELDS.items():
        vcf.add_info_to_header({"ID": key, "Number": "A", "Type": kind, "Description": description})
    writer = Writer(str(out), vcf, mode="wz" if gz else "w")
    columns = {
        "KB_DLO": table["delta_log_odds"].to_numpy(),
        "KB_DP": table["delta_probability"].to_numpy(),
        "KB_PREF": table["probability_ref"].to_numpy(),
        "KB_PALT": table["probability_alt"].to_numpy(),
    }
    status = table["status"].to_numpy()
    owner = table.attrs["record"]
    first = np.searchsorted(owner, np.arange(owner.max() + 1 if len(owner) else 0))
    try:
        for number, record in enumerate(vcf):
            rows = slice(first[number], first[number] + max(len(record.ALT), 1))
            for key, values in columns.items():
                chosen = values[rows]
                if not np.all(np.isnan(chosen)):
                    record.INFO[key] = ",".join("." if np.isnan(v) else f"{v:.6g}" for v in chosen)
            record.INFO["KB_STATUS"] = ",".join(status[rows])
            writer.write_record(record)
    finally:
        writer.close()
        vcf.close()
