"""``benchmark.html``: what ran (cells done of the plan), each architecture's median test AUC
beside the deepRAM paper's and published methods' on the same datasets, the figures with
captions, the pairwise Wilcoxon tests with their multiple-testing correction, and every cell."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kerasbind.benchmark.figures import LARGE, common_datasets
from kerasbind.benchmark.published import (
    PAPER_MEDIANS,
    PAPER_SETS,
    published_for,
    task,
)
from kerasbind.benchmark.stats import CORRECTIONS, Correction, by_mean, pair_table
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


def natural_order(names: pd.Index | pd.Series) -> list[int]:
    """Positions that sort names as a person reads them: ``2_X`` before ``10_X``."""
    keys = [[int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(n))] for n in names]
    return sorted(range(len(keys)), key=lambda i: [(isinstance(t, str), t) for t in keys[i]])


def per_dataset(bench: BenchmarkPage) -> pd.DataFrame:
    """One row per dataset: positives, each architecture's test AUC and the published ones."""
    order = by_mean(bench.aucs)
    table = bench.aucs[order].iloc[natural_order(bench.aucs.index)]
    positives = bench.results.groupby("dataset")["n_train_positive"].first()
    table.insert(0, "positives", positives.reindex(table.index))
    if bench.published is not None:
        published = published_for(list(table.index), bench.published)
        table = table.join(published.add_suffix(" (pub.)"))
    return table.rename_axis("dataset").reset_index()


def every_cell(results: pd.DataFrame) -> pd.DataFrame:
    """results.csv's rows as shown: the settings every cell shares left out (they are in the
    title), times as minutes and seconds."""
    shown = results.drop(columns=["budget", "seed", "kerasbind_version"], errors="ignore")
    return shown.iloc[natural_order(shown["dataset"])].rename(columns={"seconds": "time"})


def _settings(results: pd.DataFrame) -> str:
    values = []
    shared = (("budget", "budget"), ("seed", "seed"), ("kerasbind_version", "kerasbind"))
    for column, label in shared:
        if column in results and len(results):
            values.append(f"{label} {', '.join(sorted(set(results[column].astype(str))))}")
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
            "n_train": ",.0f",
            "n_train_positive": ",.0f",
            "learning_steps": ",.0f",
        }
        cells = every_cell(bench.results)
        parts.append(
            section(
                "Every cell",
                frame_table(cells, formats, wide=True, sortable=True, names=True, max_rows=None)
                + note_tag("time: the cell's tuning, final models and test, wall clock."),
            )
        )
    return page(bench.title(), "".join(parts))


def write_html(path: Path, bench: BenchmarkPage) -> Path:
    """Write ``benchmark.html`` atomically (images inlined)."""
    return write_page(path, benchmark_page(bench))
