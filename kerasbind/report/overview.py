"""The report's opening and its plain facts: title, headline figures, the command that made the
run, the model, the hyper-parameters it used, and the raw configuration for the appendix."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kerasbind.errors import KerasbindError
from kerasbind.html import command_tag, escape, format_value, headline, key_value_table, note_tag
from kerasbind.options import RECORDED_BEFORE_STRANDS

# iONMF CLIP-seq: DATASET/30000/training_sample_0/sequences.fa.gz names the experiment
_SAMPLE_FOLDER = re.compile(r"(training|test)_sample_\d+|\d+")


def dataset_name(source: str | None) -> str:
    """A readable name for a data source: the experiment folder of an iONMF layout, a TFDS name
    as it is, else the file name without its extensions."""
    if not source:
        return "unknown data"
    path = Path(str(source))
    if "/" in str(source) and not path.suffix and not path.is_absolute():
        return str(source)  # a TFDS name such as clip_seq/23_PARCLIP_PUM2_hg19
    parts = [p for p in path.parent.parts if not _SAMPLE_FOLDER.fullmatch(p)]
    if path.name.startswith("sequences.") and parts:
        return parts[-1]
    return path.name.split(".")[0]


def title(config: dict[str, Any]) -> str:
    arch = config.get("architecture", {}).get("name", "model")
    return f"{dataset_name(config.get('data', {}).get('train'))} · {arch}"


def saved_at(run_dir: Path) -> str:
    """When the run's description was written (UTC)."""
    from kerasbind.run.layout import CONFIG_FILE

    stamp = datetime.fromtimestamp((run_dir / CONFIG_FILE).stat().st_mtime, UTC)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def _count(n: Any, positives: Any) -> str:
    if n is None:
        return "–"
    return f"{n:,}" + (f" ({positives:,} positive)" if positives is not None else "")


def headline_figures(config: dict[str, Any], metrics: dict[str, Any]) -> dict[str, str]:
    """Test AUC-ROC and AUC-PR, the CV AUC of a tuned run, and the data sizes."""
    test = metrics.get("test") or {}
    data = config.get("data", {})
    figures = {
        "test AUC-ROC": format_auc(test.get("auc_roc")),
        "test AUC-PR": format_auc(test.get("auc_pr")),
    }
    cv = metrics.get("cv_auc", config.get("tuning", {}).get("cv_auc"))
    if cv is not None:
        figures["cross-validated AUC"] = format_auc(cv)
    elif metrics.get("validation", {}).get("auc_roc") is not None:
        figures["validation AUC"] = format_auc(metrics["validation"]["auc_roc"])
    figures["training sequences"] = _count(data.get("n_train"), data.get("n_train_positive"))
    figures["test sequences"] = _count(test.get("n"), test.get("n_positive"))
    return figures


def format_auc(value: Any) -> str:
    return "not measured" if value is None else f"{value:.3f}"


def opening(config: dict[str, Any], metrics: dict[str, Any], run_dir: Path | None) -> str:
    """The figures under the title, one line of what the model is and when it was saved, and
    the command that made it."""
    arch = config.get("architecture", {})
    encoder = config.get("encoder", {})
    training = config.get("training", {})
    kind = "k-mer embedding" if encoder.get("kind") == "kmer" else "one-hot"
    tuned = config.get("tuning")
    how = (
        f"tuned ({tuned.get('trials', '?')} trials, {tuned.get('folds', '?')}-fold CV), "
        if tuned
        else ""
    )
    steps = training.get("steps")
    steps = f"{steps:,}" if isinstance(steps, int) else format_value(steps)
    saved = (
        f"saved {escape(saved_at(run_dir))} in <code>{escape(run_dir)}</code>"
        if run_dir
        else "not saved to a folder"
    )
    line = (
        f"{escape(arch.get('name', '?'))} ({kind} input, {escape(encoder.get('length', '?'))} "
        f"positions, {_strands(config)}), {escape(how)}trained {escape(steps)} learning steps, "
        f"{escape(_seeds(config))}; {saved}."
    )
    command = config.get("command")
    made = (
        f"<p>Made by:</p>{command_tag(command)}"
        if command
        else note_tag(
            "The command that made this run was not recorded (runs saved before "
            "kerasbind recorded it, or made from Python)."
        )
    )
    data = config.get("data", {})
    sources = (
        f"<p>Training data: <code>{escape(data.get('train'))}</code>"
        + (f"; test data: <code>{escape(data.get('test'))}</code>" if data.get("test") else "")
        + "</p>"
    )
    return headline(headline_figures(config, metrics)) + f"<p>{line}</p>" + sources + made


def _strands(config: dict[str, Any]) -> str:
    """Which strands the run learnt from and was tested on (`kerasbind.options.STRANDS`)."""
    options = config.get("options", {})
    recorded = options.get("cv", options) if isinstance(options, dict) else {}
    strand = {**RECORDED_BEFORE_STRANDS, **recorded}.get("strand")
    dna = config.get("encoder", {}).get("alphabet", "DNA") == "DNA"
    if strand == "both" or (strand == "auto" and dna):
        return "both strands: each sequence and its reverse complement, tested on the better"
    return "one strand"


def model_section(config: dict[str, Any]) -> str:
    """Architecture, encoder (k-mer settings only for k-mer input), data (its files are named
    above) and training."""
    encoder = dict(config.get("encoder", {}))
    if encoder.get("kind") == "onehot":
        encoder.pop("k", None)
        encoder.pop("stride", None)
    training = {k: v for k, v in config.get("training", {}).items() if k != "history"}
    data = {k: v for k, v in config.get("data", {}).items() if k not in ("train", "test")}
    return key_value_table(
        {
            "architecture": config.get("architecture", {}),
            "encoder": encoder,
            "data": data,
            "training": training,
        }
    )


def used_hyperparameters(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The hyper-parameters the model used, and why each other one played no part."""
    from kerasbind.models import ArchitectureSpec
    from kerasbind.tuning.space import CONDITIONS, used_keys

    hparams = config.get("hyperparameters", {})
    try:
        arch = ArchitectureSpec.from_dict(config.get("architecture", {}))
    except (TypeError, KerasbindError):
        return dict(hparams), {}
    used = set(used_keys(arch))
    unused: dict[str, str] = {}
    for name in hparams:
        parent = CONDITIONS.get(name)
        if name not in used:
            unused[name] = "no recurrent layer" if "rnn" in name else "no convolution"
        elif parent and hparams.get(parent[0]) != parent[1]:
            unused[name] = f"{parent[0]} is {hparams.get(parent[0])}"
    return {k: v for k, v in hparams.items() if k not in unused}, unused


# what a used hyper-parameter does, where its name does not say it
MEANING = {
    "init": "Xavier or N(0, σ) for the layers after the first convolution",
    "conv_init_std": "σ of the first convolution's N(0, σ) weights, under either init (as deepRAM)",
    "rnn_init_std": "σ of the recurrent layers' N(0, σ) weights",
    "dense_init_std": "σ of the dense layers' N(0, σ) weights",
    "dropout_keep": "probability of keeping a unit",
    "momentum": "SGD momentum",
}


def hyperparameter_section(config: dict[str, Any], searched: set[str]) -> str:
    """The used hyper-parameters (marking the searched ones of a tuned run), what the less
    obvious ones mean, and a note on the rest."""
    used, unused = used_hyperparameters(config)
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(format_value(v))}</td>"
        + (f"<td>{'searched' if k in searched else 'default'}</td>" if searched else "")
        + f"<td>{escape(MEANING.get(k, ''))}</td></tr>"
        for k, v in used.items()
    )
    body = f"<table>{rows}</table>"
    if unused:
        reasons: dict[str, list[str]] = {}
        for name, reason in unused.items():
            reasons.setdefault(reason, []).append(name)
        listed = "; ".join(f"{', '.join(names)} ({why})" for why, names in reasons.items())
        body += note_tag(f"Not used by this model: {escape(listed)}.")
    return body


def appendix(config: dict[str, Any]) -> str:
    """The run's description as saved (``kerasbind.json``), folded."""
    text = json.dumps(config, indent=2, default=str)
    return f"<details><summary>kerasbind.json as saved</summary><pre>{escape(text)}</pre></details>"


def _seeds(config: dict[str, Any]) -> str:
    """The seed that made the model; for a tuned run also the search's, when they differ (the
    final models are trained with seeds ``seed``, ``seed + 1``, …)."""
    model_seed = config.get("training", {}).get("seed")
    cv = config.get("options", {}).get("cv")
    search_seed = cv.get("seed") if isinstance(cv, dict) else None
    if config.get("tuning") and search_seed is not None and search_seed != model_seed:
        return (
            f"search seed {format_value(search_seed)}, "
            f"kept final model's seed {format_value(model_seed)}"
        )
    return f"seed {format_value(model_seed)}"
