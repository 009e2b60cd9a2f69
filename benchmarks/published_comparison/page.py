"""Write ``benchmarks/published-comparison.md`` (issue 24) from this folder's ``results.csv`` and
``failed.csv`` beside the published test AUCs of ``../shared/data/published/rbp31_test_auc.tsv``:
what ran (cells done of run.sh's plan, code, machine, date), the issue's targets, medians, paired
Wilcoxon tests, every experiment, a scatter (``figures/published_scatter.png``) and the compute
of every cell. No training; run it whenever cells have finished.

    python benchmarks/published_comparison/page.py [--folder DIR] [--published TSV] [--page MD]
"""

from __future__ import annotations

import argparse
import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from kerasbind.benchmark.figures import SCATTER, draw_published_scatter
from kerasbind.benchmark.html import compute_table, natural_order
from kerasbind.benchmark.published import PAPER_MEDIANS, PAPER_SETS, experiment, read_published
from kerasbind.benchmark.results import COLUMNS, FAILED_COLUMNS, auc_table
from kerasbind.benchmark.sources import read_manifest
from kerasbind.benchmark.targets import MedianTarget, Target, TimeTarget, WinsTarget, assess
from kerasbind.benchmark.versus import (
    BEST,
    PRECISION,
    comparisons,
    format_auc,
    format_difference,
    medians,
    per_experiment,
)
from kerasbind.html import format_duration

HERE = Path(__file__).resolve().parent
PAGE = HERE.parent / "published-comparison.md"
PUBLISHED = HERE.parents[2] / "shared" / "data" / "published" / "rbp31_test_auc.tsv"
# run.sh's calls: each manifest with the architectures run on it
PLAN = (
    ("clip_all.tsv", ("deepbind", "auto")),
    ("chip_9.tsv", ("deepbind", "auto")),
    ("clip_8.tsv", ("dilated", "ecblstm")),
)
NAME_WIDTH = 44
AUC = f".{PRECISION}f"


def planned(manifests: Path = HERE) -> dict[str, list[str]]:
    """Each manifest of `PLAN` (by file name) → its dataset names."""
    return {name: [s.name for s in read_manifest(manifests / name)] for name, _ in PLAN}


def plan_cells(datasets: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Every (dataset, architecture) cell run.sh plans."""
    return [(d, a) for name, archs in PLAN for a in archs for d in datasets[name]]


def issue_targets(datasets: dict[str, list[str]]) -> list[Target]:
    """Issue 24 item 5's targets (and its aim of 0.92), and item 1-2's wall times."""
    clip, chip, clip8 = (tuple(datasets[name]) for name, _ in PLAN)
    everything = clip + chip
    return [
        WinsTarget(
            "deepbind ≥ published DeepBind on ≥ 20 of the 25 CLIP-seq sets",
            "deepbind", clip, method="DeepBind", at_least=20,
        ),
        MedianTarget("deepbind median ≥ 0.888 over the 25", "deepbind", clip, threshold=0.888),
        MedianTarget("auto median ≥ 0.905 over the 25", "auto", clip, threshold=0.905),
        WinsTarget(
            "auto ≥ published DeepRKE on ≥ 13 of the 25", "auto", clip,
            method="DeepRKE", at_least=13,
        ),
        MedianTarget("aim: auto median ≥ 0.92 over the 25", "auto", clip, threshold=0.92),
        MedianTarget("ecblstm median ≥ 0.950 on the 8", "ecblstm", clip8, threshold=0.950),
        MedianTarget("ChIP-seq: auto median ≥ 0.93 over the 9", "auto", chip, threshold=0.93),
        TimeTarget(
            f"deepbind ≤ 15 min wall per experiment (all {len(everything)})",
            "deepbind", everything, seconds=15 * 60,
        ),
        TimeTarget(
            f"auto ≤ 60 min wall per experiment (all {len(everything)})",
            "auto", everything, seconds=60 * 60,
        ),
    ]  # fmt: skip


def short(name: str) -> str:
    """An experiment's name as the tables show it: without ``clip_seq/``, cut to a width."""
    name = experiment(name)
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


def markdown_table(
    frame: pd.DataFrame, formats: dict[str, Any] | None = None, default: str | None = None
) -> str:
    """A DataFrame as a Markdown table: ``formats`` maps a column to a format spec or a
    function (``default`` for the others' numbers); numbers right-aligned; NaN empty."""
    formats = formats or {}

    def cell(value: Any, spec: str | Callable[[Any], str] | None) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if spec is not None and isinstance(value, int | float):
            return spec(value) if callable(spec) else format(value, spec)
        return str(value).replace("|", "\\|")

    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = [
        "| " + " | ".join(str(c) for c in frame.columns) + " |",
        "|" + "".join(" ---: |" if n else " --- |" for n in numeric),
    ]
    for row in frame.itertuples(index=False):
        values = (cell(v, formats.get(c, default)) for c, v in zip(frame.columns, row, strict=True))
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def _group(results: pd.DataFrame, datasets: list[str]) -> pd.DataFrame:
    return results[results["dataset"].isin(datasets)]


def _experiments(table: pd.DataFrame) -> pd.DataFrame:
    """A per-dataset table with its index as a first column of short names, read in order."""
    table = table.set_axis([short(n) for n in table.index])
    return table.iloc[natural_order(table.index)].rename_axis("experiment").reset_index()


TWO_CODES = (
    "ce78bd9 changed, from 7762424, what a benchmark records of a resumed cell's compute (every "
    "attempt), the filters rule of every architecture but deepbind (Table 2's {16, 32}; "
    "docs/tuning.md, at 9a91c3d) and the final models of recurrent and k-mer architectures "
    "(three merged into one, as deepbind's already were; docs/tuning.md). deepbind's search and "
    "final ensemble are unchanged (the same declared space, first trials and draws; the merged "
    "model is built the same way): the SERBP1 ChIP-seq deepbind cell run again at ce78bd9 "
    "gave the same trials, steps, CV AUC (0.819347) and test AUC (0.809639) as at 7762424. "
    "The deepbind cells are run again at the final code before the comparison is closed, so "
    "that it rests on one version."
)


def _codes_by_architecture(results: pd.DataFrame) -> str:
    by = results.groupby("architecture", sort=False)["code"]
    return "; ".join(
        f"{arch} at {', '.join(sorted(set(codes.dropna().astype(str))))}" for arch, codes in by
    )


def coverage(
    results: pd.DataFrame, failures: pd.DataFrame, cells: list[tuple[str, str]], today: str
) -> str:
    """What the page covers: cells done of the plan per architecture, code, machine, date."""
    done = set(zip(results["dataset"], results["architecture"], strict=True))
    failed = set(zip(failures["dataset"], failures["architecture"], strict=True))
    archs = list(dict.fromkeys(a for _, a in cells))
    each = ", ".join(
        f"{a} {sum((d, a) in done for d, b in cells if b == a)} of {sum(b == a for _, b in cells)}"
        for a in archs
    )
    pending = len(cells) - len(done & set(cells)) - len(failed & set(cells))
    codes = sorted(set(results["code"].dropna().astype(str))) if len(results) else []
    machines = sorted(set(results["cpu"].dropna().astype(str))) if len(results) else []
    cores = sorted({str(int(c)) for c in results["cores"].dropna()}) if len(results) else []
    budgets = sorted(set(results["budget"].dropna().astype(str))) if len(results) else []
    lines = [
        f"**{len(done & set(cells))} of {len(cells)} cells finished** ({len(failed)} failed, "
        f"{pending} not yet run): {each}. Page written {today} by "
        "`python benchmarks/published_comparison/page.py` from "
        "`published_comparison/results.csv`.",
        "",
        f"- **Code**: commit{'s' * (len(codes) > 1)} {', '.join(codes) or 'not recorded yet'} "
        "(`code` in results.csv; `+changes`: the package's tracked files differed from it)"
        + (f": {_codes_by_architecture(results)}. {TWO_CODES}" if len(codes) > 1 else "."),
        "- **Budget**: what `kerasbind tune` uses by default, `standard` (`auto` for "
        f"`--arch auto`; recorded: {', '.join(budgets) or 'none yet'}), seed 0 "
        "(docs/tuning.md).",
        f"- **Machine**: {'; '.join(machines) or 'not recorded yet'}, "
        f"{', '.join(cores) or '?'} cores, CPU only, `nice -n 5`; each cell's processor and "
        "load are in the compute table. TensorFlow's oneDNN kernels were on for every cell but "
        "the eIF4AIII `auto` cell and the first attempt (5 min 20 s, one trial) of the "
        "ELAVL1-MNase `auto` cell: the Intel Xeon turns them on by default, the AMD EPYC (no "
        "AVX-512) does not, and from then on the cells ran there with "
        "`TF_ENABLE_ONEDNN_OPTS=1` (benchmarks/RESULTS.md, “oneDNN on CPUs where TensorFlow "
        "leaves it off”).",
        "- **Published values**: `../shared/data/published/rbp31_test_auc.tsv` (DeepRKE's "
        "supplementary table, sheet RBP-31; its DeepBind, iDeepS, GraphProt and Oli columns "
        "repeat the iDeepS paper's): other groups' own runs and protocols on the same "
        "30,000 / 10,000 split. There are none for ChIP-seq.",
        f"- **Precision**: published AUCs have {PRECISION} decimals, so kerasbind's are rounded "
        f"to {PRECISION} before every comparison with them (a tie is equal at that precision; "
        "“≥” counts ties). The cells' code trained the k-mer models (deepbind_e_star, kegru, "
        "eclstm, ecblstm) without TensorFlow's deterministic kernels: run again with the same "
        "seed, their AUCs move in the third decimal (up to 0.004 in the reruns of "
        "`paper-comparison.md`); kerasbind now turns them on (benchmarks/RESULTS.md, "
        "“Deterministic kernels”).",
    ]
    if pending or failed:
        lines += [
            "",
            "**Partial**: the tables cover the finished cells only; a target stays “not yet "
            "measured” until its cells are done, unless the cells left cannot change it.",
        ]
    return "\n".join(lines)


def _medians_chip(results: pd.DataFrame) -> str:
    if results.empty:
        return "No ChIP-seq cell has finished yet."
    aucs = auc_table(results)
    table = pd.DataFrame(
        {"datasets": aucs.count(), "median": aucs.median(), "mean": aucs.mean()}
    ).rename_axis("architecture")
    return markdown_table(table.reset_index(), {"median": format_auc, "mean": AUC})


def _paper_context() -> str:
    clip, chip = PAPER_MEDIANS["clip"], PAPER_MEDIANS["chip"]
    return (
        f"For context only (other datasets, the paper's own runs and protocol): the deepRAM "
        f"paper's medians are DeepBind {clip['deepbind']} and ECBLSTM {clip['ecblstm']} over "
        f"its {PAPER_SETS['clip']}, DeepBind {chip['deepbind']} and ECBLSTM {chip['ecblstm']} "
        f"over its {PAPER_SETS['chip']} (§3.1)."
    )


MISSED_NOTE = """\
What the budgets do and the evidence behind them (docs/tuning.md, “The standard budget”); every
choice was made on training folds, never on a test file:

- `standard` (deepbind, dilated, ecblstm): 5 trials — 128 filters with the global max, 128
  filters with positional pooling (convolution-only architectures), the architecture's
  defaults, then draws; a trial that does not learn is replaced, so `trials`
  may read more — × 2 folds × up to 10,000 learning steps scored every 2,000, rungs every 500
  steps stopping the trials behind; then **three final models at the chosen steps, merged into
  one model that averages their logits** (every architecture since ce78bd9; before, the
  recurrent and k-mer ones trained one); at most 150,000 learning steps, 1/32 of the paper's
  protocol. `auto`, as these cells ran it: 14 trials, one per
  architecture at its defaults (deepbind with 128 filters and each pooling) then 4 draws, the
  same final rule; at most 366,000 (kerasbind's `auto` now runs the first 10 alone, below).
- `benchmarks/study_deepbind_gap.py` (validation AUC on a held-out third of each **training**
  set) on 17 of the 25 CLIP-seq experiments: 128 filters beat the defaults on all 15 where both
  ran (by 0.003 to 0.036); Adagrad at lr 0.1 lost 0.06–0.10 and lr 0.03 overfitted after 1,000
  steps, so the learning rate is searched in [0.003, 0.03]; SGD with Nesterov and no dropout lost
  little, so Table 2's choices stay. DeepBind's max+avg pooling: −0.0015 to +0.0029 on 4 sets,
  not taken. **Positional pooling** (each filter's maximum over 10 bins along the sequence
  beside its global maximum; docs/models.md), on the training folds of 8 sets: +0.020 to +0.060
  on hnRNPL, FUS_mut, EWSR1, hnRNPC and HNRNPC, −0.004 to −0.022 on ELAVL1A, ELAVL1 and
  IGF2BP1–3, so both poolings are first trials and each search's folds choose.
- `benchmarks/study_ensemble.py` (same folds): the average of three models beat one on 8 of 8
  sets, by +0.0036 to +0.0201 (mean +0.0097); hence the ensemble. For ECBLSTM and ECLSTM
  (`--arch`, their defaults, 4,000 steps, 4 sets each): +0.0038 to +0.0159 (mean +0.0095) and
  +0.0042 to +0.0160 (mean +0.0082), better on every set; hence three merged final models for
  every architecture from ce78bd9. The three `auto` cells that had finished at 9a91c3d with one
  final model (Ago2 0.881, ELAVL1 0.929, FUS_mut 0.958) are kept in
  `published_comparison/results_9a91c3d.csv` and run again. The comparison's first
  version (code 91afce0, one final model) is kept in `published_comparison/results_91afce0.csv`:
  below published DeepBind on 4 of the 5 experiments it reached. The second (code 5343d7f: the
  ensemble, global max only) ran deepbind on all 25 CLIP-seq sets
  (`published_comparison/results_5343d7f.csv`): ≥ published DeepBind on 9 of 25, median 0.879
  (published 0.888); its largest gaps were on iCLIP and PAR-CLIP sets of U- and GU-rich binders
  (FUS_mut −0.030, U2AF65 −0.037, EWSR1 −0.033, hnRNPL −0.074), the reason positional pooling
  was studied (on training folds; the choice rests on them, not on these test figures). The
  third (code 3273b4f: positional pooling beside the global max) ran deepbind on all 34 sets
  and auto on 2 ChIP-seq sets (`published_comparison/results_3273b4f.csv`): ≥ published
  DeepBind on 21 of 25, median 0.896 on CLIP-seq; ChIP-seq deepbind median 0.879, auto 0.827
  (SERBP1) and 0.779 (SUZ12). It trained and tested DNA on one strand; the version on this page
  learns DNA from both strands and tests it on the better one (below), and reads iONMF files
  as RNA (3273b4f took them for DNA, which changed nothing it measured: its evaluation used
  one strand).
- `benchmarks/study_reverse_complement.py` (a held-out third of each ChIP-seq **training**
  file; no test file read): training on every sequence and its reverse complement and scoring
  the better strand raised the held-out AUC on every set (figures in benchmarks/RESULTS.md),
  hence `strand="auto"`, the default for DNA runs (docs/scanning.md). On the test files, read
  once per cell: deepbind on the 9 ChIP-seq sets, median 0.879 at 3273b4f (one strand) and
  0.894 at this version, higher on 8 of 9 (mean +0.013; SERBP1, the smallest, −0.007).
- Leaving each experiment out, every choice comes out the same (`study_deepbind_gap.py
  --leave-one-out`), so the priors used on each experiment are priors that did not see it.
- `auto` on the small ChIP-seq sets (about 2,500 training sequences): on SERBP1 the first
  trials of danq, danq_star and kegru did not learn by 500 steps, neither did any of their seven
  later draws, and each was replaced by another draw (24 trials for 14, 41 min). Code after
  3273b4f no longer draws an architecture all of whose trials did not learn (docs/tuning.md).
  One draw of deepbind_star with 128 filters spent 1,040 s of those 41 minutes: three
  convolution layers with 128, 192 and 288 filters make a learning step 15–26 times as long as
  with 16. The study behind the 128-filter choice trained deepbind alone, so from 9a91c3d the
  other architectures keep Table 2's {16, 32}; the `auto`, dilated and ecblstm cells here run
  with both rules.
- `auto` within 60 minutes: the cells before eIF4AIII's ran on a 2-core Intel Xeon in 8–43
  min. eIF4AIII's ran on a 2-core AMD EPYC with oneDNN off (TensorFlow's default there): 64 min
  29 s, CPU time per core 60 min 11 s. Its 15 trials took 52 min (ECBLSTM 13.5 min to 6,000
  steps, ECLSTM 8.5, KEGRU 7.6 over two trials, DeepBind 7.1 over two, the first 4.9 at 10,000
  steps), its three ECBLSTM final models of 4,000 steps 12.4 min; its DeepBind trial took 29.6
  ms a learning step against 10–11 ms for the same setting on the Xeon, its ECBLSTM 135 ms
  against 50–102 ms. oneDNN trained 1.04–2.0× faster on that CPU (benchmarks/RESULTS.md), so
  the later cells run with it on, and kerasbind now turns it on itself (after ce78bd9). The
  search's compute is counted in learning steps, not seconds, so the same budget costs what the
  machine makes it cost. TAF15's cell (AMD EPYC, oneDNN on) went over: 1 h 24 min over three
  attempts, CPU time per core 70 min. Its 15 trials took 79 min: a third danq_star draw, cut at
  8,000 steps, 18.0 min; a second kegru draw (80 units), cut at 3,500, 12.4 min; ECBLSTM 11.2
  min; the first four trials 19.1 min beside a presets build (load 4.1); the rest (data, three
  ECLSTM final models of 2,000 steps, the test) 5 min. Random draws of large recurrent settings
  are where `auto` spends past the hour. `benchmarks/study_draws.py` (CV AUCs and recorded
  seconds; no test AUC read): in all 29 `auto` cells finished at ce78bd9 (25 CLIP-seq, SERBP1,
  SUZ12, TAF1, TAF7) the chosen trial was one of the 10 first trials, the best draw a median
  0.0158 of CV AUC behind it; the draws took a median 9.3 min of a cell and up to 38.5 (TAF15). So
  kerasbind's `auto` budget now runs the first trials alone (10; a trial that did not learn is
  still replaced), after these cells ran. Each trial is scored on the same folds whatever
  follows it, so that search is each cell's recorded one cut short: it chooses among the same
  trials, the recorded choice among them in all 29, and it takes a median 29.0 min where these
  took 36.8; at most 53.2 on CLIP-seq (as run 85.5), 78.2 on SUZ12 (as run 92.6 in four
  attempts: about 25 min went to trials cut by the ends of sessions and run again; CPU time per
  core 57 min for all of it) and 109.5 on TAF1 (as run 119.5 in three attempts; CPU time per
  core 84 min: on its 40,094 training sequences the ECLSTM and ECBLSTM first trials alone took
  21 and 23 min). Wall times are upper bounds (load 2.3–4.4 on 2 cores). The page's figures are
  the cells as run. After them, kerasbind's `auto` also plans to end within 55 min, final
  models included (a time budget; docs/tuning.md): `benchmarks/study_time_budget.py` replays
  the 29 recorded searches, cut to the 10 trials, under its rules with the recorded seconds
  (CV AUCs only): the same trial chosen in all 29, no CV AUC lost, two final models instead of
  three in four cells (TAF1, TAF7, ELAVL1, EWSR1), the longest planned run 54.8 min, where
  without the budget it is 93.2 (TAF1). The cells after them still run at ce78bd9, without it;
  replayed, TBP chooses a runner-up 0.0023 of CV AUC behind (its ECBLSTM would not have
  started) and TCF12 the same ECLSTM with two final models (docs/tuning.md).
- Whether the stopping rules cut trials that would have caught up: `benchmarks/study_rungs.py`
  over the 25 `auto` CLIP-seq cells' curves (training folds): of 285 cut trials with
  evidence, 12 needed no more than the median CV AUC gain that trials of their architecture
  made after the same step in the other cells; the recurrent runners-up had levelled off
  (docs/tuning.md, “Do the rules cut trials that would have caught up?”). Not rerun. The
  winners peak early: 19 of 25 chose the first checkpoint (2,000 steps), and 17 peaked at a
  rung before the step they chose; over the 25, the best rung was a median 0.0006 of CV AUC
  above the chosen score (docs/tuning.md, “The winners peak early”).
- ChIP-seq, `auto` median ≥ 0.93 over the 9: decided once five sets had scored below 0.91 (the
  median of 9 is the fifth value), whatever the other four score (TCF12, USF1, USF2, ZNF143:
  deepbind 0.946–0.998; TCF12's `auto` cell, ECLSTM, 0.962). On those five, `auto` beat the
  deepbind cell's test AUC every time (SERBP1 0.842 against 0.810, SUZ12 0.842 against 0.807,
  TAF1 0.902 against 0.894, TAF7 0.847 against 0.841, TBP 0.840 against 0.791), choosing a
  k-mer model (ECLSTM three times, ECBLSTM, `deepbind_e_star`), and its CV AUC on four of the
  five (SERBP1's best `auto` trial, 0.801, stayed below the deepbind cell's 0.819). Tried on
  them, on training folds: both strands (above: deepbind up on 8 of the 9), 128 filters and
  positional pooling for deepbind, the nine architectures in `auto` (15–19 trials a cell, 6 in
  each deepbind cell). No trial of any cell reached a CV AUC above 0.848 on these five. A
  likely reason, not tested here: TBP, TAF1 and TAF7 are subunits of TFIID, which is recruited
  to promoters with or without a TATA box; SUZ12 belongs to Polycomb's PRC2, which has no
  sequence-specific DNA-binding domain; SERBP1 binds RNA. Their peaks may carry less sequence
  signal than those of USF1, USF2 (the E-box) or ZNF143, which bind DNA themselves. The target
  (above the paper's DeepBind median of 0.902 over its 83 sets) was set before these sets were
  measured; there are no published AUCs for them in `../shared/data` to say whether any method
  does better.
- Not studied: initialisation and its standard deviations, weight decay, dense units (Table
  2's rules); any architecture but deepbind (dilated and ecblstm get the same budget and
  space)."""

REPRODUCE = """\
```
benchmarks/published_comparison/run.sh          # resumable: finished cells are skipped
python benchmarks/published_comparison/page.py  # this page and figures/published_scatter.png
```"""


def markdown(
    results: pd.DataFrame,
    failures: pd.DataFrame,
    published: pd.DataFrame,
    datasets: dict[str, list[str]],
    figure: str | None,
    today: str,
) -> str:
    """The page's Markdown (``figure``: the scatter's path relative to the page, or None)."""
    clip = _group(results, datasets[PLAN[0][0]])
    chip = _group(results, datasets[PLAN[1][0]])
    cells = plan_cells(datasets)
    parts = [
        "# kerasbind beside the published methods: CLIP-seq and ChIP-seq (issue 24)",
        "`kerasbind benchmark` at `kerasbind tune`'s default budget on the 25 CLIP-seq sets and "
        "the 9 ChIP-seq sets in `../shared/data` (deepbind and auto on all 34, dilated and "
        "ecblstm on 8 CLIP-seq sets), set beside the test AUCs other groups publish for the "
        "same CLIP-seq experiments. Cells, figures and `benchmark.html` are in "
        "[`published_comparison/`](published_comparison/).",
        coverage(results, failures, cells, today),
        "## Targets (issue 24)",
        markdown_table(assess(issue_targets(datasets), results, published)),
        "Wall times are upper bounds where the load exceeded the cores (other work ran beside "
        "the benchmark): such a cell meets a wall-time target when it is within it; over it, "
        "it misses when its CPU time per core (the least it would have taken alone) is over "
        "too, and is not judged otherwise; “missed” while cells are still to run means the "
        "cells left cannot change it.",
        "## Medians",
        "CLIP-seq, each architecture's median test AUC beside each published method's over the "
        "same experiments (the ones both have):",
    ]
    clip_aucs = auc_table(clip) if len(clip) else pd.DataFrame()
    if clip_aucs.empty:
        parts.append("No CLIP-seq cell has finished yet.")
    else:
        table = medians(clip_aucs, published)
        parts.append(markdown_table(table, {c: format_auc for c in table.columns[2:]}))
    parts += ["ChIP-seq (no published values; kerasbind alone):", _medians_chip(chip)]
    parts.append(_paper_context())
    parts.append("## Paired tests against each published method")
    if clip_aucs.empty:
        parts.append("No CLIP-seq cell has finished yet.")
    else:
        tests = comparisons(clip_aucs, published)
        formats = {
            "kerasbind median": format_auc,
            "published median": format_auc,
            "median difference": format_difference,
        }
        parts.append(markdown_table(tests, formats | {"P": ".2g", "Holm P": ".2g"}))
        parts.append(
            "Two-sided Wilcoxon signed-rank test (`scipy.stats.wilcoxon`) of kerasbind against "
            "the method on the experiments both have; zero differences are dropped, as scipy "
            f"does. The {tests['P'].notna().sum()} P-values are one family, adjusted by Holm's "
            "step-down method. “median difference”: of kerasbind − published per experiment. "
            f"“{BEST}”: each experiment's highest published AUC of any method (chosen after the "
            "fact, so the strictest comparison)."
        )
    parts.append("## Per experiment (test AUC-ROC)")
    if len(clip):
        parts.append("CLIP-seq, kerasbind (best mean first) then the published methods:")
        parts.append(markdown_table(_experiments(per_experiment(clip, published)), default=AUC))
    if len(chip):
        parts.append("ChIP-seq:")
        parts.append(markdown_table(_experiments(per_experiment(chip, None)), default=AUC))
    if results.empty:
        parts.append("No cell has finished yet.")
    if figure:
        parts += [
            "## kerasbind against the published AUCs, experiment by experiment",
            f"![kerasbind test AUC (y) against published (x)]({figure})",
            "One point per CLIP-seq experiment; a row per kerasbind architecture, against "
            f"published DeepBind and the {BEST} AUC of each experiment; on or above the "
            "diagonal (blue): kerasbind at least as good at the published precision.",
        ]
    parts.append("## Compute per cell")
    if results.empty:
        parts.append("No cell has finished yet.")
    else:
        compute = compute_table(results)
        compute["dataset"] = [short(n) for n in compute["dataset"]]
        durations = {"wall": format_duration, "CPU": format_duration}
        steps = {"final steps": ",.0f", "total steps": ",.0f", "trials": ".0f", "cores": ".0f"}
        parts.append(markdown_table(compute, durations | steps | {"load": ".2f"}))
        parts.append(
            "final steps: the final model's learning steps; total steps: every learning step "
            "of the search (each trial where it stopped, times the folds) and of the final "
            "models; wall: the cell's `tune` calls (search, final models, test), every "
            "attempt of a cell interrupted and resumed (code 7762424 counted only the last, so "
            "its cells each ran in one uninterrupted attempt: one cut off by the end of a "
            "working session was deleted and run again from the start); CPU: the process's "
            "CPU time, summed the same way; load: the machine's mean 1-minute load average "
            "while the cell ran (the cell included)."
        )
    parts += ["## What was tried where a target is missed", MISSED_NOTE]
    parts += ["## How to reproduce or continue", REPRODUCE]
    return "\n\n".join(parts) + "\n"


def read_table(path: Path, columns: list[str]) -> pd.DataFrame:
    """A summary CSV, or an empty one with its columns when the benchmark has not written it."""
    return pd.read_csv(path) if path.is_file() else pd.DataFrame(columns=columns)


def write(folder: Path, published: Path, page: Path, manifests: Path = HERE) -> Path:
    """Draw the scatter into ``folder/figures`` and write ``page`` from ``folder``'s
    summary."""
    from kerasbind.files import write_atomic

    results = read_table(folder / "results.csv", COLUMNS)
    failures = read_table(folder / "failed.csv", FAILED_COLUMNS)
    table = read_published(published)
    datasets = planned(manifests)
    clip = _group(results, datasets[PLAN[0][0]])
    figure = None
    if len(clip):
        drawn = draw_published_scatter(auc_table(clip), table, folder / "figures" / SCATTER)
        figure = Path(os.path.relpath(drawn, page.parent)).as_posix() if drawn else None
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = markdown(results, failures, table, datasets, figure, today)
    write_atomic(page, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=HERE, help="the benchmark's OUT")
    parser.add_argument("--published", type=Path, default=PUBLISHED)
    parser.add_argument("--page", type=Path, default=PAGE)
    args = parser.parse_args()
    if not args.published.is_file():
        parser.error(f"{args.published}: no such file (the published AUCs: --published TSV)")
    print(f"wrote {write(args.folder, args.published, args.page)}")


if __name__ == "__main__":
    main()
