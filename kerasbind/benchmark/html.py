"""``benchmark.html``: what ran (cells done of the plan), each architecture's median test AUC
beside the deepRAM paper's and published methods' on the same datasets, the figures with
captions, the pairwise Wilcoxon tests with their multiple-testing correction, kerasbind against
each published method (paired tests, scatter), and every cell with the compute it used."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kerasbind.benchmark.figures import LARGE, SCATTER, common_datasets
from kerasbind.benchmark.published import (
    PAPER_MEDIANS,
    PAPER_SETS,
    experiment,
    published_for,
    task,
)
from kerasbind.benchmark.stats import CORRECTIONS, Correction, by_mean, pair_table
from kerasbind.benchmark.versus import (
    BEST,
    PRECISION,
    comparisons,
    format_auc,
    format_difference,
    per_experiment,
)
from kerasbind.html import (
    captioned,
    escape,
    format_duration,
    frame_table,
    headline,
    image_tag,
    note_tag,
    page,
    section,
    write_page,
)

CORRECTION: Correction = "holm"
SIGNIFICANCE = 0.05
AUC = ".3f"


@dataclass
class BenchmarkPage:
    """What ``benchmark.html`` shows: the finished cells' results, the failed and the pending
    cells of the plan, the figures drawn, and published AUCs to compare with (optional)."""

    results: pd.DataFrame
    aucs: pd.DataFrame
    failures: pd.DataFrame
    pending: list[str]
    figures: list[Path] = field(default_factory=list)
    published: pd.DataFrame | None = None

    @property
    def planned(self) -> int:
        return len(self.results) + len(self.failures) + len(self.pending)

    @property
    def task(self) -> str | None:
        return task(list(self.aucs.index), self.published)

    def title(self) -> str:
        return f"kerasbind benchmark: {len(self.results)} of {self.planned} cells"


def per_architecture(aucs: pd.DataFrame) -> pd.DataFrame:
    """Datasets, mean and median test AUC per architecture, best mean first."""
    order = by_mean(aucs)
    table = pd.DataFrame(
        {"datasets": aucs.count(), "mean AUC": aucs.mean(), "median AUC": aucs.median()}
    )
    return table.loc[order].rename_axis("architecture").reset_index()


def comparison_table(bench: BenchmarkPage) -> pd.DataFrame:
    """`per_architecture`, the median on the datasets every architecture ran on, the paper's
    median, and each published method's median over the same datasets as the architecture."""
    table = per_architecture(bench.aucs)
    common = common_datasets(bench.aucs)
    if common is not None:
        medians = common.median()[table.architecture]
        table.insert(4, f"median on the {len(common)} common", list(medians))
    medians = PAPER_MEDIANS.get(bench.task or "", {})
    if medians:
        table[f"paper ({PAPER_SETS[bench.task]})"] = [
            medians.get(a, "not stated") for a in table.architecture
        ]
    if bench.published is not None:
        for method in bench.published.columns:
            table[method] = [
                published_for(list(bench.aucs[a].dropna().index), bench.published)[method].median()
                for a in table.architecture
            ]
    return table


def _coverage(bench: BenchmarkPage) -> str:
    counts = bench.aucs.count()
    each = ", ".join(f"{escape(a)} on {n}" for a, n in counts.items())
    datasets = len(set(bench.results["dataset"])) if len(bench.results) else 0
    text = (
        f"A cell is one architecture tuned and tested on one dataset, as its own run. "
        f"{len(bench.results)} of the {bench.planned} cells planned have finished "
        f"({len(bench.failures)} failed, {len(bench.pending)} not yet run), on {datasets} "
        f"datasets: {each}. Settings: {escape(_settings(bench.results))}."
    )
    if len(set(counts)) > 1:
        text += (
            " The architectures ran on different datasets, so their medians over all their "
            "datasets are not directly comparable: compare them on the datasets all ran on "
            "(the “common” column and figure) and by the paired tests below."
        )
    return f"<p>{text}</p>"


def _comparison(bench: BenchmarkPage) -> str:
    table = comparison_table(bench)
    numeric = [c for c in table.columns if c not in ("architecture", "datasets")]
    body = frame_table(table, {c: AUC for c in numeric}, wide=True, sortable=True, max_rows=None)
    notes = ["Test AUC-ROC; the architectures by mean AUC."]
    if bench.task in PAPER_SETS:
        notes.append(
            f"The paper's medians are those its text states, over {PAPER_SETS[bench.task]} "
            "(§3.1–3.2); for the other architectures it gives only a bound."
        )
    if bench.published is not None:
        methods = ", ".join(bench.published.columns)
        notes.append(
            f"{escape(methods)}: the medians of their published test AUCs over the same "
            "datasets as the architecture on that row (other groups' own runs and protocols; "
            "per dataset in the table at the end)."
        )
    return body + note_tag(" ".join(notes))


CAPTIONS = {
    "auc_distribution.png": (
        "Test AUC-ROC of each architecture on every dataset it ran on (dots), with the box of "
        "the quartiles; the line in the box is the median (its value above it), the triangle "
        "the mean. Best mean on top; labels give the number of datasets where it differs."
    ),
    "auc_common.png": (
        "The same on only the datasets every architecture ran on, so the boxes are comparable."
    ),
    "auc_by_size.png": (
        f"The same split by training-set size: fewer than {LARGE:,} positive training "
        "sequences (left) and more (right), as the paper's Fig. 3."
    ),
    "wilcoxon.png": (
        "Pairwise Wilcoxon signed-rank tests on the datasets both architectures ran on: each "
        "cell's number is the {correction}-adjusted P-value; red where the row's mean AUC is "
        "higher than the column's, blue where lower, stronger for a larger difference."
    ),
    SCATTER: (
        "kerasbind's test AUC (y) against the published one (x), one point per experiment, for "
        "each architecture (rows) against published DeepBind and against the best published "
        "AUC of each experiment (any method); blue on or above the diagonal "
        "(kerasbind at least as good at the published three decimals), red below."
    ),
}


def _figure(path: Path, correction: str) -> str:
    caption = CAPTIONS.get(path.name, path.stem).format(correction=correction)
    return captioned(image_tag(path, path.stem.replace("_", " ")), escape(caption))


def _tests(bench: BenchmarkPage, figures: dict[str, Path]) -> str:
    pairs = pair_table(bench.aucs, CORRECTION)
    pairs["significant"] = [
        "yes" if p < SIGNIFICANCE else "no" if p == p else "n/a" for p in pairs["adjusted P"]
    ]
    formats = {"mean difference": "+.4f", "P": ".2g", "adjusted P": ".2g"}
    name = CORRECTION.title() if CORRECTION == "holm" else "Benjamini–Hochberg"
    text = note_tag(
        f"Two-sided Wilcoxon signed-rank test of each pair on the datasets both ran on; "
        f"“wins”: datasets where the first is higher. The {len(pairs)} P-values are one family, "
        f"adjusted by {escape(CORRECTIONS[CORRECTION])}; “significant”: adjusted P < "
        f"{SIGNIFICANCE}."
    )
    body = frame_table(pairs, formats, sortable=True, max_rows=None) + text
    if "wilcoxon.png" in figures:
        body += _figure(figures["wilcoxon.png"], name)
    return body


def _versus(aucs: pd.DataFrame, published: pd.DataFrame, figures: dict[str, Path]) -> str:
    """kerasbind against each published method: the paired tests' table and the scatter."""
    table = comparisons(aucs, published)
    if table.empty:
        return ""
    formats = {
        "kerasbind median": format_auc,
        "published median": format_auc,
        "median difference": format_difference,
        "P": ".2g",
        "Holm P": ".2g",
    }
    text = note_tag(
        f"Each architecture against each published method on the experiments both have: "
        f"medians, the median of the per-experiment differences (kerasbind − published), "
        f"experiments where kerasbind is higher (wins), equal (ties) or lower (losses) with "
        f"its AUC rounded to the published {PRECISION} decimals, and the two-sided Wilcoxon "
        f"signed-rank P; the {table['P'].notna().sum()} P-values are one family, adjusted by "
        f"{escape(CORRECTIONS['holm'])}. “{BEST}”: each experiment's highest published AUC "
        "of any method. The published AUCs are other groups' own runs and protocols."
    )
    body = frame_table(table, formats, sortable=True, max_rows=None) + text
    if SCATTER in figures:
        body += _figure(figures[SCATTER], "")
    return section("Against the published methods", body)


def natural_order(names: pd.Index | pd.Series) -> list[int]:
    """Positions that sort names as a person reads them: ``2_X`` before ``10_X``."""
    keys = [[int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(n))] for n in names]
    return sorted(range(len(keys)), key=lambda i: [(isinstance(t, str), t) for t in keys[i]])


def per_dataset(bench: BenchmarkPage) -> pd.DataFrame:
    """One row per dataset: positives, each architecture's test AUC (and what a searching cell
    chose) and the published ones."""
    table = per_experiment(bench.results, bench.published)
    table = table.iloc[natural_order(table.index)]
    positives = bench.results.groupby("dataset")["n_train_positive"].first()
    table.insert(0, "positives", positives.reindex(table.index))
    return table.rename_axis("dataset").reset_index()


# settings a cell records: left out of the every-cell table, and named once above it, when every
# cell shares one value
SETTINGS = {
    "budget": "budget",
    "seed": "seed",
    "kerasbind_version": "kerasbind",
    "code": "code",
    "cores": "cores",
    "cpu": "processor",
    "onednn": "oneDNN",
}


def _shared(results: pd.DataFrame) -> list[str]:
    return [c for c in SETTINGS if c in results and results[c].nunique(dropna=False) <= 1]


def every_cell(results: pd.DataFrame) -> pd.DataFrame:
    """results.csv's rows as shown: the settings every cell shares left out (`_settings` names
    them), times as minutes and seconds."""
    shown = results.drop(columns=_shared(results))
    renamed = {"seconds": "time", "cpu_seconds": "CPU time"}
    return shown.iloc[natural_order(shown["dataset"])].rename(columns=renamed)


def compute_table(results: pd.DataFrame) -> pd.DataFrame:
    """What every cell cost, in reading order of its experiment (numbered ones first): the
    architecture it chose, trials, the final model's and all learning steps, wall and CPU
    seconds, load, cores and code commit (and the processor and oneDNN's state, where the cells
    differ in them)."""
    table = results.iloc[natural_order(results["dataset"].map(experiment))]
    compute = pd.DataFrame(
        {
            "dataset": table["dataset"],
            "architecture": table["architecture"],
            "chose": table["chosen_architecture"],
            "trials": table["trials"],
            "final steps": table["learning_steps"],
            "total steps": table["total_steps"],
            "wall": table["seconds"],
            "CPU": table["cpu_seconds"],
            "load": table["load"],
            "cores": table["cores"],
            "code": table["code"],
        }
    )
    for column, label in (("cpu", "processor"), ("onednn", "oneDNN")):
        if column in table and table[column].nunique(dropna=False) > 1:
            compute[label] = table[column]
    return compute.reset_index(drop=True)


def _settings(results: pd.DataFrame) -> str:
    values = []
    for column, label in SETTINGS.items():
        known = results[column].dropna().astype(str) if column in results else []
        if len(known):
            values.append(f"{label} {', '.join(sorted(set(known)))}")
    return "; ".join(values)


def benchmark_page(bench: BenchmarkPage) -> str:
    """The HTML text of ``benchmark.html``."""
    figures = {path.name: path for path in bench.figures}
    parts = []
    if bench.results.empty:
        parts.append("<p>No cell has finished yet.</p>")
    else:
        results = bench.results
        parts.append(
            headline(
                {
                    "cells finished": f"{len(results)} of {bench.planned}",
                    "datasets": str(bench.aucs.shape[0]),
                    "architectures": str(bench.aucs.shape[1]),
                    "best median test AUC": f"{bench.aucs.median().max():.3f}",
                }
            )
        )
        parts.append(_coverage(bench))
        parts.append(section("Per architecture (test AUC-ROC)", _comparison(bench)))
        shown = [
            _figure(figures[name], "")
            for name in ("auc_distribution.png", "auc_common.png", "auc_by_size.png")
            if name in figures
        ]
        if shown:
            parts.append(section("Distributions", "".join(shown)))
        if bench.aucs.shape[1] >= 2:
            parts.append(section("Pairwise tests", _tests(bench, figures)))
        if bench.published is not None:
            parts.append(_versus(bench.aucs, bench.published, figures))
        table = per_dataset(bench)
        numeric = [c for c in table.columns if c not in ("dataset", "positives")]
        parts.append(
            section(
                "Per dataset (test AUC-ROC)",
                frame_table(
                    table,
                    {c: AUC for c in numeric} | {"positives": ",.0f"},
                    wide=True,
                    sortable=True,
                    names=True,
                    max_rows=None,
                )
                + note_tag("Click a column's header to sort by it."),
            )
        )
    if not bench.failures.empty:
        parts.append(
            section(
                f"Failed cells ({len(bench.failures)})",
                frame_table(bench.failures, max_rows=None),
            )
        )
    if bench.pending:
        cells = ", ".join(escape(cell) for cell in bench.pending)
        parts.append(
            section(
                f"Not yet run ({len(bench.pending)})",
                f"<details><summary>{len(bench.pending)} cells</summary><p>{cells}</p></details>",
            )
        )
    if not bench.results.empty:
        formats = {
            "test_auc_roc": ".4f",
            "test_auc_pr": ".4f",
            "cv_auc": ".4f",
            "time": format_duration,
            "CPU time": format_duration,
            "n_train": ",.0f",
            "n_train_positive": ",.0f",
            "learning_steps": ",.0f",
            "total_steps": ",.0f",
            "load": ".2f",
        }
        cells = every_cell(bench.results)
        parts.append(
            section(
                "Every cell",
                frame_table(cells, formats, wide=True, sortable=True, names=True, max_rows=None)
                + note_tag(
                    "time: the cell's tuning, final models and test, wall clock; CPU time: "
                    "the process's; learning_steps: the final model's; total_steps: every "
                    "learning step of the search (each trial where it stopped, times the folds) "
                    "and of the final models; load: the machine's mean 1-minute load average "
                    "while the cell ran (the cell included)."
                ),
            )
        )
    return page(bench.title(), "".join(parts))


def write_html(path: Path, bench: BenchmarkPage) -> Path:
    """Write ``benchmark.html`` atomically (images inlined)."""
    return write_page(path, benchmark_page(bench))
