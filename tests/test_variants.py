"""VCF variant effects: a hostile VCF (REF mismatch, multi-allelic record, indels, variants at the
chromosome ends, a chromosome missing from the genome) is scored or reported, never silently."""

from __future__ import annotations

import numpy as np
import pytest

from kerasbind.cli import main

SITE_AT = 5000
LENGTH = 12000


@pytest.fixture(scope="module")
def run(ctcf_run):
    import kerasbind as kb

    return kb.load_run(ctcf_run["run_dir"])


@pytest.fixture(scope="module")
def genome(ctcf_run, tmp_path_factory):
    from pyfaidx import Faidx

    rng = np.random.default_rng(5)
    sequence = list("".join(rng.choice(list("ACGT"), LENGTH)))
    site = ctcf_run["site"]
    sequence[SITE_AT : SITE_AT + len(site)] = site
    sequence = "".join(sequence)
    folder = tmp_path_factory.mktemp("variants")
    path = folder / "genome.fa"
    path.write_text(
        ">chr1\n" + "\n".join(sequence[i : i + 70] for i in range(0, LENGTH, 70)) + "\n"
    )
    Faidx(str(path))
    return {"path": path, "sequence": sequence, "site": site, "folder": folder}


def other(letter: str) -> str:
    return {"A": "C", "C": "G", "G": "T", "T": "A"}[letter]


@pytest.fixture(scope="module")
def vcf(genome):
    seq = genome["sequence"]
    key = SITE_AT + 9  # the site's 10th letter, a high-information G of CTCF's core

    def at(pos: int, n: int = 1) -> str:  # 1-based
        return seq[pos - 1 : pos - 1 + n]

    records = [
        ("chr1", key + 1, "core", at(key + 1), other(at(key + 1))),
        ("chr1", 3000, "mismatch", other(at(3000)), at(3000)),
        ("chr1", 7000, "multi", at(7000), f"{other(at(7000))},{other(other(at(7000)))}"),
        ("chr1", SITE_AT, "deletion", at(SITE_AT, 21), at(SITE_AT)),
        ("chr1", 9000, "insertion", at(9000), at(9000) + genome["site"]),
        ("chr1", 1, "first", at(1), other(at(1))),
        ("chr1", LENGTH, "last", at(LENGTH), other(at(LENGTH))),
        ("chrX", 100, "elsewhere", "A", "G"),
        ("chr1", 8000, "symbolic", at(8000), "<DEL>"),
        ("chr1", LENGTH - 1, "overhang", at(LENGTH - 1, 2) + "A", "A"),
    ]
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=chr1>", "##contig=<ID=chrX>"]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    lines += [f"{c}\t{p}\t{i}\t{r}\t{a}\t.\tPASS\t." for c, p, i, r, a in records]
    path = genome["folder"] / "hostile.vcf"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def effects(run, genome, vcf):
    return run.variants(vcf, genome["path"])


def test_every_allele_is_scored_or_reported(effects):
    table, summary = effects
    by_id = table.groupby("id")["status"].apply(list).to_dict()
    assert by_id == {
        "core": ["ok"],
        "mismatch": ["ref_mismatch"],
        "multi": ["ok", "ok"],
        "deletion": ["ok"],
        "insertion": ["ok"],
        "first": ["chromosome_end"],
        "last": ["chromosome_end"],
        "elsewhere": ["no_chromosome"],
        "symbolic": ["symbolic"],
        "overhang": ["outside_chromosome"],
    }
    assert summary.records == 10 and summary.alleles == 11 and summary.scored == 7
    assert "1 ref_mismatch" in summary.line() and "1 no_chromosome" in summary.line()
    unscored = table[~table["status"].isin(["ok", "chromosome_end"])]
    assert unscored["delta_log_odds"].isna().all()
    mismatch = table[table["id"] == "mismatch"].iloc[0]
    assert mismatch["genome_ref"] != mismatch["ref"]


def test_effects_match_scoring_the_windows_directly(run, genome, effects):
    table, _ = effects
    seq = genome["sequence"]
    core = table[table["id"] == "core"].iloc[0]
    position = int(core["pos"]) - 1
    ref_window = seq[position - 50 : position + 51]
    alt_window = ref_window[:50] + core["alt"] + ref_window[51:]
    direct = run.predict_table([ref_window, alt_window])["log_odds"].to_numpy()
    assert core["log_odds_ref"] == pytest.approx(direct[0], abs=1e-4)
    assert core["log_odds_alt"] == pytest.approx(direct[1], abs=1e-4)
    assert core["probability_ref"] > 0.99 and core["delta_log_odds"] < -1
    deletion = table[table["id"] == "deletion"].iloc[0]
    assert deletion["delta_log_odds"] < -3  # the site is gone
    insertion = table[table["id"] == "insertion"].iloc[0]
    assert insertion["probability_alt"] > 0.99 and insertion["delta_log_odds"] > 3
    # the inserted site is centred in the re-centred window: same score as the planted one
    assert insertion["log_odds_alt"] == pytest.approx(core["log_odds_ref"], abs=1.5)


@pytest.mark.parametrize("name", ["annotated.vcf", "annotated.vcf.gz"])
def test_vcf_output_carries_info_fields(run, genome, vcf, tmp_path, name):
    from cyvcf2 import VCF

    table, _ = run.variants(vcf, genome["path"], output=tmp_path / name)
    records = {record.ID: record for record in VCF(str(tmp_path / name))}
    assert len(records) == 10
    multi = records["multi"]
    expected = table[table["id"] == "multi"]["delta_log_odds"].to_numpy()
    np.testing.assert_allclose(multi.INFO["KB_DLO"], expected, atol=1e-5)
    assert records["mismatch"].INFO["KB_STATUS"] == "ref_mismatch"
    assert records["mismatch"].INFO.get("KB_DLO") is None


def test_command_writes_tsv_and_refuses_bad_input(ctcf_run, genome, vcf, tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "effects.tsv"
    base = ["variants", str(ctcf_run["run_dir"]), "--vcf", str(vcf), "--output", str(out)]
    assert main([*base, "--genome", str(genome["path"])]) == 0
    assert "11 alleles: 7 scored" in capsys.readouterr().out
    assert len(pd.read_csv(out, sep="\t")) == 11
    unindexed = tmp_path / "copy.fa"
    unindexed.write_text(genome["path"].read_text())
    assert main([*base, "--genome", str(unindexed)]) == 2
    error = capsys.readouterr().err.strip()
    assert "has no index" in error and "\n" not in error
    broken = tmp_path / "broken.vcf"
    broken.write_text("this is not a VCF\n")
    arguments = ["variants", str(ctcf_run["run_dir"]), "--vcf", str(broken)]
    assert main([*arguments, "--genome", str(genome["path"]), "--output", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert "broken.vcf" in error and "\n" not in error
