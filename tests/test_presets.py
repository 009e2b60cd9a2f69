"""Presets (issue 30): a library built from a tiny benchmark made here, then listed, loaded,
checked against its cards, exported, fetched through a URL into a cache, and refused when an
archive is tampered with or hostile."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kerasbind as kb
from kerasbind.cli import main
from kerasbind.errors import KerasbindError
from kerasbind.pipeline import score
from kerasbind.prediction import predict_sequences
from kerasbind.presets.archive import MAX_MEMBER_BYTES, read_archive
from kerasbind.presets.build import ranked_cells
from kerasbind.presets.library import read_index
from kerasbind.presets.names import Subject, aliases, preset_name, subject
from kerasbind.readers import write_tsv
from kerasbind.simulate import simulate_binding

TINY = {"trials": 1, "folds": 2, "max_steps": 60, "eval_every": 30, "final_models": 1}
DATASET = "chip_seq/CTCF_SIM-cell_test"  # ChIP-style name: preset chip/CTCF_SIM-cell_test
NAME = "chip/CTCF_SIM-cell_test"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A one-cell benchmark on simulated CTCF binding, and its library built by the CLI; the
    cache and library variables point into the test's folders."""
    folder = tmp_path_factory.mktemp("presets")
    train, test = simulate_binding(300, 200, ["MA0139.2"], length=60, seed=0)
    write_tsv(train, folder / "train.tsv")
    write_tsv(test, folder / "test.tsv")
    (folder / "manifest.tsv").write_text(f"{DATASET}\ttrain.tsv\ttest.tsv\n")
    (folder / "tiny.json").write_text(json.dumps(TINY))
    bench, library = folder / "bench", folder / "library"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERASBIND_CACHE", str(folder / "cache"))
        patch.setenv("KERASBIND_PRESETS", str(library))
        manifest, budget = str(folder / "manifest.tsv"), str(folder / "tiny.json")
        benchmark = ["benchmark", "--arch", "deepbind", "--datasets", manifest, "--budget", budget]
        assert main([*benchmark, "--out", str(bench), "--quiet"]) == 0
        assert main(["presets", "build", str(bench), "--out", str(library), "--quiet"]) == 0
        yield {"folder": folder, "bench": bench, "library": library, "test": folder / "test.tsv"}


def test_library_lists_names_and_records_its_benchmark(built) -> None:
    (preset,) = kb.list_presets()
    assert preset.name == NAME
    assert {"CTCF", "chip/CTCF_SIM-cell", DATASET} <= set(preset.aliases)
    index = read_index(built["library"])
    assert index["benchmark"]["name"] == "bench"
    assert index["benchmark"]["cells"] == 1
    assert index["benchmark"]["code"]  # the code commit the cell ran
    assert index["coverage"]["cells"]["finished"] == [f"{DATASET}/deepbind"]
    assert index["coverage"]["datasets"] == [DATASET]
    assert preset.size == (built["library"] / preset.file).stat().st_size
    assert preset.size < 64 * 1024  # weights only, float16: far below the 30 MB budget


def test_preset_predicts_like_its_run_and_reproduces_its_card(built) -> None:
    run = kb.load_preset("ctcf")  # an alias, any case
    original = kb.load_run(built["bench"] / "runs" / DATASET / "deepbind")
    test = kb.read_sequences(built["test"])
    np.testing.assert_allclose(run.predict(test), original.predict(test), atol=1e-3, rtol=0)

    card = kb.find_preset(NAME).card
    metrics, _ = score(run.model, run.encoder, test, strand=run.strand)  # both DNA strands
    assert abs(metrics["auc_roc"] - card["auc"]["test"]) < 0.001
    # the card's float32 figure is the one the benchmark measured, on the cell's strands
    measured = json.loads(
        (built["bench"] / "runs" / DATASET / "deepbind" / "metrics.json").read_text()
    )
    assert abs(card["auc"]["benchmark_test"] - measured["test"]["auc_roc"]) < 1e-4
    assert card["auc"]["test"] > 0.8  # the planted motif was learned
    assert card["weights"] == "float16"
    assert abs(card["auc"]["float16_change"]) < 0.001
    assert card["command"].startswith("kerasbind benchmark --arch deepbind")
    assert not card["test_set"]["source"].startswith("/")  # no folder of the building machine
    assert (card["protein"], card["cell_type"]) == ("CTCF", "SIM-cell")
    assert card["benchmark"]["cell"] == f"runs/{DATASET}/deepbind"
    motif = card["top_motif"]  # found and drawn by the build, not read from the run folder
    assert (motif["method"], motif["match"]["id"]) == ("filters", "MA0139.2")  # the planted CTCF
    assert (kb.find_preset(NAME).card_file.parent / motif["logo"]).is_file()
    assert not (built["bench"] / "runs" / DATASET / "deepbind" / "motifs").exists()
    markdown = kb.find_preset(NAME).card_file.read_text()
    assert f"| test set, this preset | {card['auc']['test']:.4f} |" in markdown


def test_export_of_a_preset_gives_the_same_probabilities(built, tmp_path: Path) -> None:
    import tensorflow as tf

    run = kb.load_preset(NAME)
    sequences = kb.read_sequences(built["test"]).sequences[:50]
    done = run.export(tmp_path / "models", name="ctcf")
    serve = tf.saved_model.load(str(done.path)).signatures["serving_default"]
    got = serve(sequences=tf.constant(sequences))["probability"].numpy()
    expected = predict_sequences(run.model, run.encoder, sequences)
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)

    # the command line: named after the preset (the unpacked copy's folder)
    assert main(["export", "--preset", "CTCF", "--out", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / NAME.replace("/", "--") / "1" / "saved_model.pb").is_file()


def test_cli_takes_a_preset_wherever_it_takes_a_run(built, tmp_path: Path, capsys) -> None:
    out = tmp_path / "p.tsv"
    assert main(["predict", "--preset", "CTCF", *_input_output(built, out)]) == 0
    predicted = pd.read_csv(out, sep="\t")["probability"].to_numpy()
    original = kb.load_run(built["bench"] / "runs" / DATASET / "deepbind")
    np.testing.assert_allclose(predicted, original.predict(built["test"]), atol=1e-3, rtol=0)

    run_dir = str(built["bench"] / "runs" / DATASET / "deepbind")
    assert main(["predict", run_dir, "--preset", "CTCF", *_input_output(built, out)]) == 2
    assert "not both" in capsys.readouterr().err

    assert main(["presets", "list"]) == 0
    assert NAME in capsys.readouterr().out
    assert main(["presets", "show", "ctcf"]) == 0
    assert f"# Preset `{NAME}`" in capsys.readouterr().out


def _input_output(built: dict[str, Path], out: Path) -> list[str]:
    return ["--input", str(built["test"]), "--output", str(out)]


def test_did_you_mean_on_a_typo(built, capsys) -> None:
    with pytest.raises(KerasbindError, match="did you mean 'CTCF'"):
        kb.load_preset("CTFC")
    out = built["folder"] / "never.tsv"
    assert main(["predict", "--preset", "CTFC", *_input_output(built, out)]) == 2
    assert "did you mean 'CTCF'" in capsys.readouterr().err


def _remote_library(built, tmp_path: Path) -> tuple[Path, Path]:
    """A library whose archive is fetched from a (file://) URL; the remote archive."""
    library, remote = tmp_path / "library", tmp_path / "remote"
    library.mkdir()
    remote.mkdir()
    index = read_index(built["library"])
    for entry in index["presets"]:
        shutil.copy(built["library"] / entry["file"], remote / entry["file"])
        entry["url"] = (remote / entry["file"]).as_uri()
    (library / "index.json").write_text(json.dumps(index))
    return library, remote


def test_a_download_is_cached_and_a_checksum_mismatch_removes_it(
    built, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("KERASBIND_CACHE", str(tmp_path / "cache"))
    library, _ = _remote_library(built, tmp_path)
    run = kb.load_preset("CTCF", library)
    cached = tmp_path / "cache" / "presets" / "archives" / kb.find_preset("CTCF", library).file
    assert cached.is_file() and run.path is not None
    assert str(run.path).startswith(str(tmp_path / "cache"))

    data = bytearray(cached.read_bytes())
    data[len(data) // 2] ^= 0xFF
    cached.write_bytes(bytes(data))
    with pytest.raises(KerasbindError, match=r"checksum mismatch.*cached file was removed"):
        kb.load_preset("CTCF", library)
    assert not cached.exists()
    kb.preset_folder("CTCF", library)  # downloaded again, whole
    assert cached.is_file()


def test_an_unpacked_copy_that_was_changed_is_restored(built, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KERASBIND_CACHE", str(tmp_path / "cache"))
    folder = kb.preset_folder(NAME)
    description = folder / "kerasbind.json"
    original = description.read_bytes()
    description.write_text("{}")
    assert kb.preset_folder(NAME) == folder
    assert description.read_bytes() == original


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"../evil.txt": b"x", "model.keras": b"", "kerasbind.json": b"{}"}, "not a run file"),
        ({"/tmp/evil.txt": b"x", "model.keras": b"", "kerasbind.json": b"{}"}, "not a run file"),
        ({"sub/model.keras": b"", "kerasbind.json": b"{}"}, "not a run file"),
        ({"kerasbind.json": b"{}"}, "no model.keras"),
        ({"model.keras": bytes(MAX_MEMBER_BYTES + 1), "kerasbind.json": b"{}"}, "declares"),
        ({}, "no model.keras"),
    ],
    ids=["parent", "absolute", "folder", "incomplete", "huge", "empty"],
)
def test_hostile_archives_are_refused(members: dict[str, bytes], problem: str) -> None:
    with pytest.raises(KerasbindError, match=problem):
        read_archive(_zip(members), "hostile.zip")


def test_hostile_archive_in_a_library_writes_nothing(built, tmp_path, monkeypatch) -> None:
    """An index may vouch for a hostile archive's checksum; it is still refused, and nothing
    lands outside the cache."""
    import hashlib

    monkeypatch.setenv("KERASBIND_CACHE", str(tmp_path / "cache"))
    data = _zip({"../../escaped.txt": b"x", "model.keras": b"", "kerasbind.json": b"{}"})
    library = tmp_path / "library"
    library.mkdir()
    (library / "evil.zip").write_bytes(data)
    entry = {"name": "evil", "aliases": [], "file": "evil.zip", "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest(), "url": None}  # fmt: skip
    (library / "index.json").write_text(json.dumps({"presets": [entry]}))
    with pytest.raises(KerasbindError, match="not a run file"):
        kb.load_preset("evil", library)
    assert not list(tmp_path.rglob("escaped.txt"))

    (library / "index.json").write_text(json.dumps({"presets": [{**entry, "file": "../x.zip"}]}))
    with pytest.raises(KerasbindError, match="invalid file"):
        kb.list_presets(library)


def test_names_a_person_can_guess() -> None:
    datasets = [
        "clip_seq/23_PARCLIP_PUM2_hg19",
        "clip_seq/8_PARCLIP_ELAVL1_hg19",
        "clip_seq/11_CLIPSEQ_ELAVL1_hg19",
        "clip_seq/16_ICLIP_hnRNPC_Hela_iCLIP_all_clusters",
        "clip_seq/17_ICLIP_HNRNPC_hg19",
        "chip_seq/USF1_H1-hESC_USF-1_HudsonAlpha",
    ]
    found = aliases(datasets)
    assert preset_name(datasets[0]) == "clip/23_PARCLIP_PUM2_hg19"
    assert found[datasets[0]][:2] == ["clip/23_PARCLIP_PUM2", "PUM2"]
    assert "ELAVL1" not in found[datasets[1]]  # two sets bind it: no alias, a list on a miss
    assert found[datasets[3]] == ["clip/16_ICLIP_hnRNPC", datasets[3]]  # hnRNPC = HNRNPC
    assert found[datasets[5]][:2] == ["chip/USF1_H1-hESC", "USF1"]
    assert subject(datasets[3]) == Subject("hnRNPC", "iCLIP", "HeLa")


def test_a_protein_with_several_presets_lists_them(tmp_path: Path) -> None:
    entries = [
        {"name": f"clip/{n}_PARCLIP_ELAVL1_hg19", "aliases": [], "file": f"{n}.zip",
         "sha256": "0" * 64, "size": 1, "url": None, "card": {"protein": "ELAVL1"}}
        for n in (8, 11)
    ]  # fmt: skip
    (tmp_path / "index.json").write_text(json.dumps({"presets": entries}))
    with pytest.raises(KerasbindError, match="elavl1 has 2 presets: clip/8_PARCLIP"):
        kb.find_preset("elavl1", tmp_path)


def test_best_cell_is_chosen_by_cv_auc_never_by_test_auc() -> None:
    results = pd.DataFrame(
        {
            "dataset": ["a", "a", "b", "b"],
            "architecture": ["deepbind", "danq", "deepbind", "danq"],
            "cv_auc": [0.90, 0.80, 0.70, 0.70],
            "test_auc_roc": [0.70, 0.99, 0.60, 0.99],
        }
    )
    ranked = ranked_cells(results)
    assert list(zip(ranked.dataset, ranked.architecture, strict=True)) == [
        ("a", "deepbind"),
        ("a", "danq"),
        ("b", "danq"),  # a tie goes to the first by name, not to the better test AUC
        ("b", "deepbind"),
    ]


def test_an_empty_library_says_so(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text(json.dumps({"presets": []}))
    assert kb.list_presets(tmp_path) == []
    with pytest.raises(KerasbindError, match="holds none yet"):
        kb.load_preset("PUM2", tmp_path)


def _with_a_better_auto_cell(built, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the built benchmark with an ``auto`` cell beside its deepbind cell, the same
    run but a better CV AUC: the copy, the deepbind cell and the auto cell."""
    bench = tmp_path / "bench"
    shutil.copytree(built["bench"], bench)
    cell = bench / "runs" / DATASET / "deepbind"
    auto = shutil.copytree(cell, cell.parent / "auto")
    record = json.loads((auto / "benchmark.json").read_text())
    (auto / "benchmark.json").write_text(
        json.dumps({**record, "architecture": "auto", "cv_auc": record["cv_auc"] + 0.01})
    )
    return bench, cell, auto


def test_auto_cells_compete_and_the_index_says_what_it_covers(built, tmp_path: Path) -> None:
    """A copy of the benchmark where an ``auto`` cell (its search chose deepbind) has the better
    CV AUC, another dataset's cell failed and a third's is still running: the preset is the
    auto cell's, named by its run's architecture, and the index lists every cell's state and
    the planned dataset without a preset. Nothing is written into the benchmark."""
    bench, _, _ = _with_a_better_auto_cell(built, tmp_path)
    failed = bench / "runs" / "chip_seq" / "FAILED_cell" / "deepbind"
    running = bench / "runs" / "chip_seq" / "RUNNING_cell" / "deepbind"
    for folder, dataset in ((failed, "chip_seq/FAILED_cell"), (running, "chip_seq/RUNNING_cell")):
        folder.mkdir(parents=True)
        (folder / "cell.json").write_text(json.dumps({"dataset": dataset}))
    (failed / "benchmark.json").write_text(
        json.dumps({"dataset": "chip_seq/FAILED_cell", "architecture": "deepbind",
                    "status": "failed", "error": "RuntimeError: out of memory"})
    )  # fmt: skip
    plan = tmp_path / "plan.tsv"
    test = built["test"]
    plan.write_text(f"{DATASET}\t{test}\t{test}\nchip_seq/RUNNING_cell\t{test}\t{test}\n")
    before = sorted(path.relative_to(bench) for path in bench.rglob("*"))

    (preset,) = kb.build_presets(bench, tmp_path / "library", plan=[plan], progress=False)
    assert sorted(path.relative_to(bench) for path in bench.rglob("*")) == before
    assert preset.card["architecture"] == "deepbind"
    assert preset.card["benchmark"]["cell"] == f"runs/{DATASET}/auto"
    assert "chosen by the search of an `auto` cell" in preset.card_file.read_text()
    covered = read_index(tmp_path / "library")["coverage"]
    assert covered["cells"]["finished"] == [f"{DATASET}/auto", f"{DATASET}/deepbind"]
    assert covered["cells"]["failed"] == ["chip_seq/FAILED_cell/deepbind"]
    assert covered["cells"]["unfinished"] == ["chip_seq/RUNNING_cell/deepbind"]
    assert covered["datasets"] == [DATASET]
    assert covered["plan"] == {"specs": ["plan.tsv"], "datasets": 2,
                               "missing": ["chip_seq/RUNNING_cell"]}  # fmt: skip


def test_a_cards_command_names_no_folder_of_the_building_machine(
    tmp_path: Path, monkeypatch
) -> None:
    """Absolute paths become relative to their git checkout's root, or else to the folder the
    build runs in; other words are kept, and a command that does not parse is kept whole."""
    from kerasbind.presets.build import portable_command

    clone = tmp_path / "worktree"
    (clone / "benchmarks").mkdir(parents=True)
    (clone / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git is a file
    (tmp_path / "shared" / "data").mkdir(parents=True)
    monkeypatch.chdir(clone)
    manifest = clone / "benchmarks" / "plan.tsv"
    published = f"{clone}/benchmarks/../../shared/data/published.tsv"
    command = f"kerasbind benchmark --datasets {manifest} --published={published} --seed 0"
    assert portable_command(command) == (
        "kerasbind benchmark --datasets benchmarks/plan.tsv "
        "--published=../shared/data/published.tsv --seed 0"
    )
    assert portable_command("kerasbind tune --out 'a b") == "kerasbind tune --out 'a b"
    assert portable_command(None) is None


def test_a_cell_whose_model_is_elsewhere_keeps_its_preset_or_yields_to_the_next(
    built, tmp_path: Path
) -> None:
    """A benchmark commits its cells' records, not their models. Rebuilt where a cell's model
    is missing, the library keeps the preset it made from that cell (same bytes) and measures
    its card's test AUCs again (an older build's stale figures are replaced); a better cell by
    CV AUC whose model is missing and that no preset holds yields to the next one."""
    bench, cell, auto = _with_a_better_auto_cell(built, tmp_path)
    for folder in (cell, auto):
        (folder / "model.keras").unlink()
    library = shutil.copytree(built["library"], tmp_path / "library")
    (before,) = kb.list_presets(library)
    index = read_index(library)  # as an older build wrote it: one strand's figures
    stale = {"test": 0.5, "benchmark_test": 0.5, "float16_change": 0.0}
    index["presets"][0]["card"]["auc"].update(stale)
    (library / "index.json").write_text(json.dumps(index))

    (preset,) = kb.build_presets(bench, library, overwrite=True, progress=False)
    assert preset.card["benchmark"]["cell"] == f"runs/{DATASET}/deepbind"
    assert preset.sha256 == before.sha256
    measured = json.loads((cell / "metrics.json").read_text())["test"]["auc_roc"]
    auc = preset.card["auc"]
    assert auc["benchmark_test"] == pytest.approx(measured, abs=1e-9)
    assert auc["test"] == pytest.approx(before.card["auc"]["test"], abs=1e-4)
    assert auc["float16_change"] == pytest.approx(auc["test"] - measured, abs=1e-9)
    assert auc["cv"] == before.card["auc"]["cv"]
    assert f"| test set, this preset | {auc['test']:.4f} |" in preset.card_file.read_text()
    logo = preset.card["top_motif"]["logo"]
    original = built["library"] / "cards" / logo
    assert (library / "cards" / logo).read_bytes() == original.read_bytes()
    (skipped,) = read_index(library)["coverage"]["cells"]["skipped"]
    assert skipped["cell"] == f"{DATASET}/auto" and "is not on this machine" in skipped["why"]
    probabilities = kb.load_preset(NAME, library).predict(["ACGT" * 15])
    assert probabilities.shape == (1,)

    assert kb.build_presets(bench, tmp_path / "fresh", progress=False) == []  # nothing to keep
    skipped = read_index(tmp_path / "fresh")["coverage"]["cells"]["skipped"]
    assert [entry["cell"] for entry in skipped] == [f"{DATASET}/auto", f"{DATASET}/deepbind"]


def test_a_cell_whose_data_path_went_through_a_removed_folder_is_read(
    built, tmp_path: Path
) -> None:
    """A cell records the data path its benchmark was given; a folder on the way that is gone
    since (a removed git worktree: ``worktree/../train.tsv``) does not stop the build."""
    bench = tmp_path / "bench"
    shutil.copytree(built["bench"], bench)
    identity = bench / "runs" / DATASET / "deepbind" / "cell.json"
    cell = json.loads(identity.read_text())
    gone = built["folder"] / "removed_worktree" / ".."
    cell["files"] = [f"{gone}/{Path(path).name}" for path in cell["files"]]
    identity.write_text(json.dumps(cell))
    (preset,) = kb.build_presets(bench, tmp_path / "library", progress=False)
    assert preset.card["auc"]["test"] > 0.5
