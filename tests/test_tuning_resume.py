"""An interrupted trial goes on from its last checkpoint: the resumed search trains the same
curve and makes the same choice as one never interrupted, and a saved state that does not fit
the trial (or comes from elsewhere) is refused before anything is read from it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kerasbind.models import ARCHITECTURES
from kerasbind.options import CVSettings, TuneOptions
from kerasbind.simulate import simulate_binding
from kerasbind.tuning import search as search_module
from kerasbind.tuning.grouped import read_arrays
from kerasbind.tuning.resume import FINAL_MODELS_FILE, RESUME_FILE, Resume

SETTINGS = CVSettings(folds=2, max_steps=90, eval_every=30, seed=1)
OPTIONS = TuneOptions(cv=SETTINGS, trials=1, final_models=1, select_by="ensemble", max_time=0)


@pytest.fixture(scope="module")
def simulated():
    return simulate_binding(300, 100, ["MA0139.2"], length=60, seed=0)


@pytest.fixture(scope="module")
def whole(simulated, tmp_path_factory) -> tuple[dict, pd.DataFrame]:
    """The search never interrupted: its summary and trials.csv."""
    out = tmp_path_factory.mktemp("whole")
    return _tune(simulated, out), pd.read_csv(out / "trials.csv")


def _tune(simulated, out: Path) -> dict:
    train, test = simulated
    return search_module.tune(ARCHITECTURES["deepbind"], train, test, out, options=OPTIONS)


def _interrupt_at(
    step: int, monkeypatch, other_values: bool = False, file: str = RESUME_FILE
) -> None:
    """Training is cut (Ctrl-C) right after its state at ``step`` is saved to ``file`` (the
    first trial's, or the final models'); with ``other_values``, saved as if the trial's
    hyper-parameters had been others."""
    save = Resume.save

    def save_then_interrupt(self: Resume, at: int, curves: dict) -> None:
        if other_values:
            self.key = {**self.key, "values": {**self.key["values"], "learning_rate": 0.5}}
        save(self, at, curves)
        if at == step and self.path.name == file:
            raise KeyboardInterrupt

    monkeypatch.setattr(Resume, "save", save_then_interrupt)


def _cut(simulated, out: Path, monkeypatch, other_values: bool = False) -> Path:
    """Search in ``out`` until its first trial is cut at step 30; the state it saved."""
    with monkeypatch.context() as patch:
        _interrupt_at(30, patch, other_values)
        with pytest.raises(KeyboardInterrupt):
            _tune(simulated, out)
    return out / "tuner" / "trial_0" / RESUME_FILE


def test_an_interrupted_trial_goes_on_from_its_last_checkpoint(
    simulated, whole, tmp_path: Path, monkeypatch, capsys
) -> None:
    with monkeypatch.context() as patch:
        _interrupt_at(60, patch)
        with pytest.raises(KeyboardInterrupt):
            _tune(simulated, tmp_path)
    assert (tmp_path / "tuner" / "trial_0" / RESUME_FILE).is_file()
    capsys.readouterr()
    resumed = _tune(simulated, tmp_path)
    assert "trial 1: goes on from step 60" in capsys.readouterr().err
    assert not list(tmp_path.rglob(RESUME_FILE))  # removed once the trial ended
    summary, expected = whole
    found = pd.read_csv(tmp_path / "trials.csv")
    aucs = [c for c in expected.columns if c.startswith("fold") and "_step" in c]
    assert {"fold1_auc_step30", "fold2_auc_step90"} <= set(aucs)
    np.testing.assert_allclose(found[aucs], expected[aucs], atol=1e-5)  # the same curve
    assert found.learning_steps.tolist() == expected.learning_steps.tolist()
    assert resumed["test"]["auc_roc"] == pytest.approx(summary["test"]["auc_roc"], abs=1e-4)
    assert summary["test"]["auc_roc"] > 0.8


def test_interrupted_final_models_go_on_from_their_last_checkpoint(
    simulated, whole, tmp_path: Path, monkeypatch, capsys
) -> None:
    with monkeypatch.context() as patch:
        _interrupt_at(60, patch, file=FINAL_MODELS_FILE)
        with pytest.raises(KeyboardInterrupt):
            _tune(simulated, tmp_path)
    assert (tmp_path / "tuner" / FINAL_MODELS_FILE).is_file()
    assert not (tmp_path / "model.keras").exists()
    capsys.readouterr()
    resumed = _tune(simulated, tmp_path)
    assert "final models: go on from step 60" in capsys.readouterr().err
    assert not (tmp_path / "tuner" / FINAL_MODELS_FILE).exists()  # the run holds the model
    summary = whole[0]
    assert resumed["final"]["scores"] == pytest.approx(summary["final"]["scores"], abs=1e-5)
    assert resumed["test"]["auc_roc"] == pytest.approx(summary["test"]["auc_roc"], abs=1e-4)


def test_a_state_saved_for_another_trial_is_not_restored(
    simulated, whole, tmp_path: Path, monkeypatch, capsys
) -> None:
    saved = _cut(simulated, tmp_path / "run", monkeypatch)
    _cut(simulated, tmp_path / "other", monkeypatch, other_values=True).replace(saved)
    capsys.readouterr()
    _tune(simulated, tmp_path / "run")
    err = capsys.readouterr().err
    assert "goes on from step" not in err
    assert f"{saved}: not used (it was saved for other training); training starts again" in err
    found = pd.read_csv(tmp_path / "run" / "trials.csv")
    np.testing.assert_allclose(found.cv_auc, whole[1].cv_auc, atol=1e-5)  # from step 0


def _npz_declaring(shape: tuple[int, ...]) -> io.BytesIO:
    """An ``np.savez`` file of one array ``v0`` whose header declares ``shape`` of float32
    and which holds no data."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": shape}
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("v0.npy", np.lib.format.magic(1, 0) + header.getvalue())
    buffer.seek(0)
    return buffer


def test_saved_arrays_are_checked_before_they_are_read(tmp_path: Path) -> None:
    expected = {"v0": ((4, 3), np.dtype(np.float32))}
    path = tmp_path / "state.npz"
    np.savez(path, v0=np.ones((4, 3), np.float32))
    assert read_arrays(path, expected)["v0"].sum() == 12
    np.savez(path, v0=np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match=r"v0 is \(3, 4\) of float32, expected \(4, 3\)"):
        read_arrays(path, expected)
    np.savez(path, v0=np.ones((4, 3), np.float64))
    with pytest.raises(ValueError, match="of float64, expected"):
        read_arrays(path, expected)
    np.savez(path, v0=np.ones((4, 3), np.float32), extra=np.zeros(1))
    with pytest.raises(ValueError, match="holds 2 arrays where 1 were expected"):
        read_arrays(path, expected)
    path.write_bytes(b"not an npz file")
    with pytest.raises(ValueError, match=r"not an np\.savez file"):
        read_arrays(path, expected)
    path.write_bytes(_npz_declaring((10**12,)).getvalue())  # 4 TB declared, nothing held
    with pytest.raises(ValueError, match="expected"):
        read_arrays(path, {"v0": ((None,), np.dtype(np.float32))})
    with pytest.raises(ValueError, match="expected"):
        read_arrays(path, {"v0": ((10**12,), np.dtype(np.float64))})
