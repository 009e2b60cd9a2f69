"""Every write to a run folder, and reading one back: the one module that touches its files.

A save writes all the run's files into a hidden folder first and then moves them into place by
renames, so it either completes or leaves the previous run as it was (a full disk is an error
naming the file and the free space). A new or replaced run folder is swapped in whole
(`kerasbind.files.replace_folder`); a tuned run is saved beside its search (``tuner/`` and the
rest stay), and an evaluation updates only the description, metrics and curves.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kerasbind.errors import KerasbindError
from kerasbind.files import (
    check_new_folder,
    free_space,
    remove_stale_temporaries,
    replace_folder,
    write_json,
)
from kerasbind.run.description import metrics_record, versions
from kerasbind.run.layout import (
    CONFIG_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PICKLED_WORD2VEC_FILE,
    ROC_FILE,
    RUN_FILES,
    VECTORS_FILE,
    check_run_folder,
)

if TYPE_CHECKING:
    from kerasbind.run.run import Run


def save(run: Run, path: Path | str, *, overwrite: bool = False, beside: bool = False) -> Path:
    """Write ``run`` to ``path`` and make it the run's folder. Saving to the run's own folder,
    or ``beside`` other files (a tuned run next to its search), replaces only the run's files;
    otherwise an existing, non-empty ``path`` is refused unless ``overwrite``, then replaced
    whole."""
    path = Path(path)
    if beside or (run.path is not None and _same(path, run.path)):
        path.mkdir(parents=True, exist_ok=True)
        _replace_files(run, path, with_model=True)
    else:
        check_new_folder(path, overwrite, "run")
        replace_folder(path, lambda folder: _write_files(run, folder, path, with_model=True))
    run.path = path
    return path


def save_run(
    path: Path | str,
    model: Any,
    config: dict[str, Any],
    word2vec: Any = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Save a Keras model and its description as a run folder (see `Run.from_model`)."""
    from kerasbind.run.run import Run

    return save(Run.from_model(model, config, word2vec), path, overwrite=overwrite)


def save_evaluation(run: Run) -> None:
    """Record a new evaluation in the run's folder: description, ``metrics.json``, curves."""
    assert run.path is not None
    _replace_files(run, run.path, with_model=False)


def _same(one: Path, other: Path) -> bool:
    return one.resolve() == other.resolve()


def _replace_files(run: Run, folder: Path, *, with_model: bool) -> None:
    """Write the run's files into a hidden folder inside ``folder``, then rename them into
    place (``kerasbind.json`` last); with the model, run files it no longer has go."""
    remove_stale_temporaries(folder, list(RUN_FILES))
    staging = Path(tempfile.mkdtemp(prefix=".kerasbind-saving-", dir=folder))
    try:
        _write_files(run, staging, folder, with_model=with_model)
        written = {entry.name for entry in staging.iterdir()}
        for name in RUN_FILES:
            if name in written:
                os.replace(staging / name, folder / name)
            elif with_model:
                (folder / name).unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_files(run: Run, folder: Path, target: Path, *, with_model: bool) -> None:
    """Every file of the run into ``folder`` (a failure names the file as it will be called in
    ``target``, and the free space there)."""
    from kerasbind import __version__
    from kerasbind.embedding import save_vectors
    from kerasbind.plots import plot_roc_pr

    config = run.config
    if with_model:
        config = {**config, "versions": versions(), "kerasbind_version": __version__}
        run.config = config
    steps: list[tuple[str, Any]] = []
    if with_model:
        steps.append((MODEL_FILE, lambda: run.model.save(folder / MODEL_FILE)))
        if run.word2vec is not None:
            steps.append((VECTORS_FILE, lambda: save_vectors(run.word2vec, folder / VECTORS_FILE)))
    record = metrics_record(config)
    if record:
        steps.append((METRICS_FILE, lambda: write_json(folder / METRICS_FILE, record)))
    if run.scores is not None:
        labels, probabilities = run.scores
        steps.append((ROC_FILE, lambda: plot_roc_pr(labels, probabilities, folder)))
    steps.append((CONFIG_FILE, lambda: write_json(folder / CONFIG_FILE, config)))
    for name, write in steps:
        try:
            write()
        except OSError as error:
            raise KerasbindError(
                f"{target / name}: cannot save the run ({error.strerror or error}; "
                f"{free_space(folder)}); the previous run there is left as it was"
            ) from error


def load(path: Any, *, trust: bool = False) -> Run:
    """Read a run folder; nothing in it runs code, and its description is checked before the
    model is built. An older folder with a pickled ``word2vec.model`` is refused unless
    ``trust`` (then its vectors are read; saving the run stores them without pickle)."""
    from kerasbind.run.model_file import load_model_file
    from kerasbind.run.run import Run
    from kerasbind.run.schema import read_description

    path = folder_argument(path)
    if not isinstance(trust, bool):
        raise KerasbindError(f"trust must be True or False, not {trust!r}")
    check_run_folder(path)
    description = read_description(path / CONFIG_FILE)
    word2vec = _saved_vectors(path, trust)
    model = load_model_file(path / MODEL_FILE, description)
    return Run(
        path,
        model,
        description.config,
        description.encoder,
        description.architecture,
        description.hparams,
        word2vec,
    )


def folder_argument(path: Any) -> Path:
    """``path`` as a `Path`, or a `KerasbindError` for anything that is not a path."""
    if isinstance(path, bool) or not isinstance(path, str | os.PathLike):
        raise KerasbindError(
            f"a run folder is a path (str or pathlib.Path), not {type(path).__name__} {path!r}"
        )
    return Path(path)


def _saved_vectors(path: Path, trust: bool) -> Any:
    """The run's word vectors (``None`` for one-hot models)."""
    from kerasbind.embedding import load_pickled_word2vec, load_vectors

    if (path / VECTORS_FILE).is_file():
        return load_vectors(path / VECTORS_FILE)
    pickled = path / PICKLED_WORD2VEC_FILE
    if not pickled.is_file():
        return None
    if not trust:
        raise KerasbindError(
            f"{pickled}: an older run folder whose word2vec is a gensim pickle, which can run "
            f"code when loaded; if you trust its origin convert it with 'kerasbind convert "
            f"{path} --trust' (Python: kb.load_run(path, trust=True).save(path))"
        )
    return load_pickled_word2vec(pickled)
