"""A preset's model card: the facts as JSON, and the Markdown page made from them."""

from __future__ import annotations

from typing import Any

from kerasbind.presets.names import task

SOURCES = {
    "clip": (
        "iONMF CLIP-seq benchmark (Stražar et al., Bioinformatics 2016; "
        "https://github.com/mstrazar/iONMF), as used by deepRAM (https://github.com/MedChaabane/deepRAM)",
        "as its source publishes it (https://github.com/mstrazar/iONMF); the preset holds a "
        "model trained on the data, not the data",
    ),
    "chip": (
        "ENCODE ChIP-seq peaks as prepared by DeepBind (Alipanahi et al., Nat. Biotechnol. "
        "2015), as used by deepRAM (https://github.com/MedChaabane/deepRAM)",
        "ENCODE data-use policy (https://www.encodeproject.org/help/citing-encode/); the preset "
        "holds a model trained on the data, not the data",
    ),
}
UNKNOWN_SOURCE = ("the benchmark's own files (named below)", "not recorded")


def data_source(dataset: str) -> tuple[str, str]:
    """Where the dataset comes from and under what terms."""
    return SOURCES.get(task(dataset) or "", UNKNOWN_SOURCE)


def card_markdown(card: dict[str, Any]) -> str:
    """The Markdown model card of ``card`` (the JSON fields `kerasbind.presets.build` writes)."""
    auc = card["auc"]
    rows = [
        ("protein", card["protein"] or "not known"),
        ("assay", card["assay"]),
        ("cell type", card["cell_type"]),
        ("data set", f"`{card['dataset']}`"),
        ("data source", card["data_source"]),
        ("licence", card["licence"]),
        ("architecture", f"`{card['architecture']}` ({_spec(card['architecture_spec'])})"),
        ("hyper-parameters", _pairs(card["hyperparameters"])),
        ("options", _pairs(card["options"])),
        (
            "weights",
            f"{card['weights']} (test AUC change from float32: {auc['float16_change']:+.5f})",
        ),
        (
            "kerasbind",
            f"trained with {card['trained_with']}; preset built with {card['kerasbind_version']}",
        ),
    ]
    lines = [
        f"# Preset `{card['name']}`",
        "",
        f"Also called: {', '.join(f'`{a}`' for a in card['aliases']) or 'no other names'}.",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in rows),
        "",
        "## Accuracy",
        "",
        "| measure | AUC-ROC |",
        "| --- | --- |",
        f"| cross-validation (chose this architecture) | {auc['cv']:.4f} |",
        f"| test set, this preset | {auc['test']:.4f} |",
        f"| test set, the benchmark's float32 run | {auc['benchmark_test']:.4f} |",
        *(f"| published: {method} | {value:.3f} |" for method, value in card["published"].items()),
        "",
        f"Test set: {card['test_set']['source']} ({card['test_set']['n']:,} sequences, "
        f"{card['test_set']['n_positive']:,} bound). The architecture was chosen by "
        "cross-validation AUC, never by test AUC.",
        "",
        "## How it was trained",
        "",
        f"Benchmark `{card['benchmark']['folder']}`, cell `{card['benchmark']['cell']}` "
        f"(budget {card['benchmark']['budget']}, seed {card['benchmark']['seed']}):",
        "",
        "```",
        card["command"] or "(no command recorded: trained from Python)",
        "```",
        "",
    ]
    if card["motif_logo"]:
        lines += ["## Top motif", "", f"![top motif]({card['motif_logo']})", ""]
    lines += [
        "## Use",
        "",
        "```",
        f"kerasbind predict --preset {card['name']} --input sequences.fa --output p.tsv",
        f"python -c \"import kerasbind as kb; print(kb.load_preset('{card['name']}'))\"",
        "```",
        "",
    ]
    return "\n".join(lines)


def _spec(spec: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in spec.items() if key != "name")


def _pairs(values: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in values.items() if value is not None)
