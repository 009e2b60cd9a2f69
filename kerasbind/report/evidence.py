"""What the model does on its test set, for the report: ROC and precision–recall curves, and
mutation maps of the sequences it scores highest. Drawn in memory from the in-memory run and its
test data; nothing is written into the run folder."""

from __future__ import annotations

import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kerasbind.html import captioned, command_tag, escape, image_tag, note_tag

CURVES = (("roc.png", "ROC curve"), ("pr.png", "Precision–recall curve"))
TOP = 3  # mutation maps of this many best-scored positives


@dataclass
class TestScores:
    """A labelled test set and the model's probabilities on it."""

    sequences: list[str]
    ids: list[str]
    labels: np.ndarray
    probabilities: np.ndarray
    alphabet: str


def test_scores(run: Any, test: Any) -> tuple[TestScores | None, str]:
    """The run's test set (``test``, else the one its description names) scored by the model;
    or None and why not."""
    from kerasbind.datasets import load_sequence_set
    from kerasbind.errors import KerasbindError

    source = test if test is not None else run.config.get("data", {}).get("test")
    if source is None:
        return None, "the run was not given a test set"
    try:
        seqset = load_sequence_set(source)
    except (KerasbindError, OSError) as error:
        return None, f"its test data cannot be read here ({error})"
    probabilities = run.predict(seqset)
    labels = np.asarray(seqset.labels)
    return TestScores(
        list(seqset.sequences), list(seqset.ids), labels, probabilities, seqset.alphabet
    ), ""


def curves_section(run_dir: Path | None, scores: TestScores | None, why: str) -> str:
    """The ROC and PR curves: the run folder's (drawn when it was evaluated), else drawn now from
    the test set, else a note saying why there are none and how to make them."""
    from kerasbind.plots import plot_roc_pr

    saved = [run_dir / name for name, _ in CURVES] if run_dir else []
    with tempfile.TemporaryDirectory() as scratch:
        if not all(path.is_file() for path in saved) and scores is not None:
            saved = plot_roc_pr(scores.labels, scores.probabilities, scratch)
        if not saved or not all(path.is_file() for path in saved):
            command = shlex.join(
                ["kerasbind", "evaluate", str(run_dir or "RUN_DIR"), "--test", "TEST.fa"]
            )
            return note_tag(
                f"No ROC or precision–recall curves: {escape(why)}. Evaluate the "
                "run on a labelled test set to draw them:"
            ) + command_tag(command)
        figures = [
            captioned(image_tag(path, title), f"{title} on the test set; dashed: chance.")
            for path, (_, title) in zip(saved, CURVES, strict=True)
        ]
    return f'<div class="figures">{"".join(figures)}</div>'


def mutation_section(run: Any, scores: TestScores | None, why: str) -> str:
    """In-silico mutagenesis of the ``TOP`` positives the model scores highest: a heatmap of
    the change in log-odds for every substitution and a logo of each letter's importance."""
    from kerasbind.explain import mutation_maps, save_mutation_map
    from kerasbind.motifs.motif import letters

    if scores is None:
        command = shlex.join(
            [
                "kerasbind",
                "explain",
                str(run.path or "RUN_DIR"),
                "--input",
                "SEQUENCES.fa",
                "--limit",
                "3",
                "--out",
                "explain",
            ]
        )
        return note_tag(f"No mutation maps: {escape(why)}. Make them for any sequences with:") + (
            command_tag(command)
        )
    positives = np.flatnonzero(scores.labels == 1)
    top = positives[np.argsort(-scores.probabilities[positives], kind="stable")[:TOP]]
    figures = []
    with tempfile.TemporaryDirectory() as scratch:
        chosen = [scores.sequences[i] for i in top]
        names = [scores.ids[i] for i in top]
        maps = mutation_maps(run.model, run.encoder, chosen, names)
        for mutation, score in zip(maps, scores.probabilities[top], strict=True):
            paths = save_mutation_map(mutation, Path(scratch), letters(scores.alphabet))
            heatmap, logo = (p for p in paths if p.suffix == ".png")
            peak = int(mutation.positions[int(np.argmax(mutation.importance))])
            given = ""
            if abs(mutation.probability - score) >= 5e-4:  # the other strand scored higher
                given = f"; the strand shown: {mutation.probability:.3f}"
            caption = (
                f"{escape(mutation.id)}: probability {score:.3f} (best of both strands{given}). "
                "Top: change in log-odds for each substitution (red: stronger binding, blue: "
                "weaker; dot: the sequence's letter). Bottom: each letter's importance; most "
                f"important at position {peak}."
            )
            images = image_tag(heatmap, "mutation map") + "<br>" + image_tag(logo, "importance")
            figures.append(captioned(images, caption))
    return f"<p>The {len(figures)} positive test sequences the model scores highest.</p>" + "".join(
        figures
    )
