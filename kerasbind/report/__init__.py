"""One self-contained ``report.html`` per run: the page a person opens first.

It opens with what the run is (data set and architecture, the test AUC-ROC and AUC-PR, the
data sizes, when and by which command it was made), then `SECTIONS`: the ROC / PR curves, the
model and the hyper-parameters it used, the training history (validation AUC against learning
steps: the run's own, or every trial of a tuned run on one axis), what the search did (tuned
runs), the motifs (filters' and TF-MoDISco's, each beside its best known match), mutation maps of
the best-scored test sequences, and the raw configuration as an appendix.

The report is drawn from an in-memory `kerasbind.Run` (what ``kb.load_run`` returns) and the
search and motif files beside it; it writes only the page. Images are embedded (see
`kerasbind.html`), so the file can be mailed or archived on its own.

- ``overview.py``: title, headline figures, model, hyper-parameters, appendix;
- ``trials.py``: the search's record and the training histories;
- ``motifs.py``: filter and TF-MoDISco motifs with their known matches;
- ``evidence.py``: curves and mutation maps from the test set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kerasbind.errors import KerasbindError
from kerasbind.report.record import check_record
from kerasbind.run.layout import CONFIG_FILE

REPORT_FILE = "report.html"
SECTIONS = (
    "Test set",
    "Model",
    "Hyper-parameters",
    "Training history",
    "Tuning trials",
    "Motifs",
    "Mutation maps",
    "Appendix: configuration",
)


def build_report(
    run: Any,
    *,
    motifs: str | os.PathLike[str] | None = None,
    modisco: str | os.PathLike[str] | None = None,
    test: Any = None,
) -> str:
    """The HTML text of a run's report. ``run``: a `kerasbind.Run`; ``motifs`` / ``modisco``:
    the motif folders (default ``RUN/motifs`` and ``RUN/modisco``); ``test``: the labelled set
    for the curves and mutation maps (default the run's own test data, when readable)."""
    from kerasbind.files import read_json
    from kerasbind.html import page, section
    from kerasbind.report import evidence, overview, trials
    from kerasbind.report.motifs import motif_section

    run_dir = Path(run.path) if run.path is not None else None
    config = run.config
    try:  # a hand-edited or hostile kerasbind.json
        check_record(config)
    except KerasbindError as error:
        where = run_dir / CONFIG_FILE if run_dir else CONFIG_FILE
        raise KerasbindError(f"{where}: {error}") from None
    metrics = run.metrics
    scores, why = evidence.test_scores(run, test)
    if scores is not None and not (metrics.get("test") or {}).get("auc_roc"):
        from kerasbind.prediction import binary_metrics

        metrics = {**metrics, "test": binary_metrics(scores.labels, scores.probabilities)}
    table = trials.read_trials(run_dir)
    best_file = run_dir / "best_hyperparameters.json" if run_dir else None
    searched = (
        set(read_json(best_file).get("searched", {}))
        if best_file and best_file.is_file()
        else set()
    )
    history = (
        trials.search_history(table, config)
        if table is not None
        else trials.training_history(config)
    )
    parts = [
        overview.opening(config, metrics, run_dir),
        section("Test set", evidence.curves_section(run_dir, scores, why)),
        section("Model", overview.model_section(config)),
        section("Hyper-parameters", overview.hyperparameter_section(config, searched)),
        section("Training history", history),
    ]
    if table is not None:
        parts.append(
            section("Tuning trials", trials.trials_section(table, config.get("tuning", {})))
        )
    parts += [
        section("Motifs", motif_section(run_dir, config, _path(motifs), _path(modisco))),
        section("Mutation maps", evidence.mutation_section(run, scores, why)),
        section("Appendix: configuration", overview.appendix(config)),
    ]
    return page(overview.title(config), "".join(parts))


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value)


def write_report(
    run: Any,
    out: str | os.PathLike[str] | None = None,
    *,
    motifs: str | os.PathLike[str] | None = None,
    modisco: str | os.PathLike[str] | None = None,
    test: Any = None,
) -> Path:
    """Write a run's report (`build_report`) atomically to ``out`` (default
    ``RUN/report.html``); return its path."""
    from kerasbind.html import write_page

    if out is None and run.path is None:
        raise KerasbindError("this run has no folder: give the report's path (out=)")
    path = Path(out) if out is not None else Path(run.path) / REPORT_FILE
    return write_page(path, build_report(run, motifs=motifs, modisco=modisco, test=test))
