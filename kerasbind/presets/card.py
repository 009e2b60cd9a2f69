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
        ("architecture", _architecture(card)),
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
        f"Test set: {_test_set(card['test_set'])}. The architecture was chosen by "
        "cross-validation AUC, never by test AUC.",
        "",
        "## How it was trained",
        "",
        f"Benchmark `{card['benchmark']['folder']}`, cell `{card['benchmark']['cell']}` "
        f"(budget {card['benchmark']['budget']}, seed {card['benchmark']['seed']}, code "
        f"{card['benchmark'].get('code') or 'not recorded'}; paths made relative to a clone "
        "of kerasbind at that code, the exact command line is `command` in the archive's "
        "`kerasbind.json`):",
        "",
        "```",
        card["command"] or "(no command recorded: trained from Python)",
        "```",
        "",
    ]
    lines += _top_motif(card.get("top_motif"))
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


def _test_set(test_set: dict[str, Any]) -> str:
    """Where the test set is and how it was read: the file (SHA-256) or TFDS split, its size,
    and the shuffled negatives added to a positives-only file."""
    where = test_set.get("file") or test_set["source"]
    text = f"`{where}`" + (f" (SHA-256 {test_set['sha256'][:12]}…)" if "sha256" in test_set else "")
    text += f", {test_set['n']:,} sequences, {test_set['n_positive']:,} bound"
    if test_set.get("negatives", "none") != "none":
        text += (
            f"; the unbound are positives shuffled by --negatives {test_set['negatives']} "
            f"(dinucleotide, {test_set['neg_ratio']:g} per positive, seed {test_set['seed']})"
        )
    return text


def _architecture(card: dict[str, Any]) -> str:
    text = f"`{card['architecture']}` ({_spec(card['architecture_spec'])})"
    if card.get("ensemble", 1) > 1:
        text += (
            f"; {card['ensemble']} final models merged into one that averages their logits "
            "(the hyper-parameters are the merged model's)"
        )
    if card["benchmark"].get("cell_architecture") == "auto":
        text += "; chosen by the search of an `auto` cell"
    return text


def _top_motif(motif: dict[str, Any] | None) -> list[str]:
    """The card's top-motif section: the logo and its best TOMTOM match."""
    if not motif:
        return []
    if not motif.get("logo"):
        found = f"the {motif['method']} method found no motif in the test set's positives."
        return ["## Top motif", "", found[0].upper() + found[1:], ""]
    match = motif["match"]
    found = (
        f"best match {match['name']} ({match['id']}), q = {match['q_value']:.2g}"
        if match
        else "no significant match (q < 0.05)"
    )
    if "enrichment" in motif:
        why = (
            "the filter that fires most often in bound over unbound test sequences, "
            f"{2 ** motif['enrichment']:.1f} times as often"
        )
    elif "n_seqlets" in motif:
        why = f"the pattern with the most seqlets, {motif['n_seqlets']:,.0f}"
    else:
        why = "the most informative"
    return [
        "## Top motif",
        "",
        f"![top motif]({motif['logo']})",
        "",
        f"`{motif['motif']}` ({motif['method']} method, on the test set's positives: {why}), "
        f"compared with {motif['database']} by TOMTOM: {found}.",
        "",
    ]


def _spec(spec: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in spec.items() if key != "name")


def _pairs(values: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in values.items() if value is not None)
