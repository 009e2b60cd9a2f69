"""Genome scanning: planted motifs come back in hits.bed at their place and strand; tracks read
back with pyBigWig; streaming in small chunks changes nothing; bad inputs are one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from kerasbind.cli import main

SITES = [(3000, "+"), (9000, "-"), (15000, "+"), (21000, "-")]
LENGTH = 24000


def reverse_complement(text: str) -> str:
    return text[::-1].translate(str.maketrans("ACGT", "TGCA"))


@pytest.fixture(scope="module")
def run(ctcf_run):
    import kerasbind as kb

    return kb.load_run(ctcf_run["run_dir"])


@pytest.fixture(scope="module")
def genome(ctcf_run, tmp_path_factory):
    """A synthetic chromosome with the CTCF consensus planted at `SITES` (``-``: its reverse
    complement), and a second small chromosome; FASTA and index."""
    from pyfaidx import Faidx

    site = ctcf_run["site"]
    rng = np.random.default_rng(3)
    letters = list("".join(rng.choice(list("ACGT"), LENGTH)))
    for position, strand in SITES:
        planted = site if strand == "+" else reverse_complement(site)
        letters[position : position + len(site)] = planted
    sequence = "".join(letters)
    folder = tmp_path_factory.mktemp("genome")
    path = folder / "synthetic.fa"
    lines = [sequence[i : i + 60] for i in range(0, LENGTH, 60)]
    path.write_text(">chrS\n" + "\n".join(lines) + "\n>chrM\n" + sequence[:500] + "\n")
    Faidx(str(path))
    return {"path": path, "site": site, "sequence": sequence}


@pytest.fixture(scope="module")
def scanned(run, genome, tmp_path_factory):
    out = tmp_path_factory.mktemp("scan") / "out"
    summary = run.scan(out, genome=genome["path"], threshold=0.9, progress=False)
    return summary, out


def read_bed(path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text().splitlines()]


def test_planted_motifs_come_back_at_their_place_and_strand(scanned, genome):
    summary, out = scanned
    assert summary.mode == "convolutional" and summary.strands == "both"
    assert summary.windows == (LENGTH - 100) + (500 - 100)
    hits = [row for row in read_bed(out / "hits.bed") if row[0] == "chrS"]
    width = len(genome["site"])
    for position, strand in SITES:
        # the hit's thick part (the stretch all its windows share) overlaps the site
        inside = [
            row
            for row in hits
            if int(row[6]) < position + width and position < int(row[7]) and row[5] == strand
        ]
        assert len(inside) == 1, f"no {strand} hit at the site at {position}"
        # the merged hit is centred on the site: every window holding the site scores alike
        start, end = int(inside[0][1]), int(inside[0][2])
        assert abs((start + end) / 2 - (position + width / 2)) <= 5
    best = sorted(hits, key=lambda row: -float(row[3]))[: len(SITES)]
    assert sorted(int(row[1]) // 1000 for row in best) == [2, 8, 14, 20]


def test_tracks_read_back_with_pybigwig(scanned):
    import pyBigWig

    _, out = scanned
    rows = read_bed(out / "scores.bedGraph")
    assert rows[0][:3] == ["chrS", "50", "51"]  # window 0-101 drawn at its centre base
    values = np.array([float(row[3]) for row in rows if row[0] == "chrS"])
    track = pyBigWig.open(str(out / "scores.bw"))
    assert track.chroms() == {"chrS": LENGTH, "chrM": 500}
    stored = np.array(track.values("chrS", 50, LENGTH - 50))
    np.testing.assert_allclose(stored, values, rtol=1e-5)
    assert np.isnan(track.values("chrS", 0, 50)).all()


def test_small_chunks_and_regions_give_the_same_scores(run, genome, scanned, tmp_path):
    _, out = scanned
    whole = (out / "scores.bedGraph").read_text().splitlines()
    bed = tmp_path / "regions.bed"
    bed.write_text("chrS\t2000\t10000\tfirst\nchrS\t14000\t16050\tsecond\n")
    summary = run.scan(
        tmp_path / "regions",
        genome=genome["path"],
        regions=bed,
        chunk=1000,
        stride=3,
        formats=["bedgraph"],
        progress=False,
    )
    assert summary.regions == 2
    assert summary.windows == len(range(0, 7900, 3)) + len(range(0, 1950, 3))
    lines = (tmp_path / "regions" / "scores.bedGraph").read_text().splitlines()
    by_start = {int(line.split("\t")[1]): line.split("\t")[3] for line in whole[:LENGTH]}
    first = lines[0].split("\t")
    assert first[:3] == ["chrS", "2049", "2052"]  # window 2000-2101, stride 3: its centre bins
    for line in lines[:-1]:
        _, start, _, value = line.split("\t")
        assert float(value) == pytest.approx(float(by_start[int(start) + 1]), rel=1e-5)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("unindexed", "has no index"),
        ("past_end", "runs past the end of chrS"),
        ("unsorted", "not sorted"),
        ("missing_chrom", "not in synthetic.fa"),
        ("unreadable", "cannot read the genome FASTA"),
    ],
)
def test_bad_inputs_are_one_line_errors(ctcf_run, genome, tmp_path, capsys, setup, message):
    fasta = genome["path"]
    bed = tmp_path / "regions.bed"
    bed.write_text("chrS\t100\t500\n")
    if setup == "unindexed":
        fasta = tmp_path / "copy.fa"
        fasta.write_text(genome["path"].read_text())
    elif setup == "past_end":
        bed.write_text(f"chrS\t100\t{LENGTH + 1}\n")
    elif setup == "unsorted":
        bed.write_text("chrS\t5000\t6000\nchrS\t100\t500\n")
    elif setup == "missing_chrom":
        bed.write_text("chr9\t100\t500\n")
    elif setup == "unreadable":
        fasta = tmp_path / "broken.fa"
        fasta.write_text(">chrS\nACGT\n")
        (tmp_path / "broken.fa.fai").write_text("chrS\tnot-a-number\n")
    arguments = ["scan", str(ctcf_run["run_dir"]), "--genome", str(fasta), "--out"]
    arguments += [str(tmp_path / "out"), "--regions", str(bed)]
    assert main(arguments) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and "\n" not in error and "Traceback" not in error


def scoring_that(monkeypatch, *, stops=None, records=None):
    """Replace the scan's chunk scorer: raise KeyboardInterrupt at the first chunk whose region
    ``stops`` picks, or append ``records(region)`` of every chunk to the list it returns."""
    from kerasbind.scanning import scan

    score_piece = getattr(scan._score_piece, "original", scan._score_piece)
    seen: list = []

    def scorer(scanner, piece, *args):
        if stops is not None and stops(piece.region):
            raise KeyboardInterrupt
        if records is not None:
            seen.append(records(piece.region))
        return score_piece(scanner, piece, *args)

    scorer.original = score_piece  # a later replacement wraps the real scorer, not this one
    monkeypatch.setattr(scan, "_score_piece", scorer)
    return seen


def assert_same_tracks(out, expected) -> None:
    """The bedGraph and hits files byte for byte, the BigWig value for value."""
    import pyBigWig

    for name in ("scores.bedGraph", "hits.bed"):
        assert (out / name).read_bytes() == (expected / name).read_bytes()
    got, want = pyBigWig.open(str(out / "scores.bw")), pyBigWig.open(str(expected / "scores.bw"))
    assert got.chroms() == want.chroms()
    for chrom, size in want.chroms().items():
        np.testing.assert_array_equal(got.values(chrom, 0, size), want.values(chrom, 0, size))


def test_interrupted_scan_continues_where_it_stopped(run, genome, scanned, tmp_path, monkeypatch):
    """A scan stopped after its first chromosome keeps it; a rerun with the same arguments
    scores only the rest and gives the uninterrupted scan's files; other arguments are refused."""
    import json

    from kerasbind.errors import KerasbindError
    from kerasbind.scanning import parts

    monkeypatch.setattr(parts, "PART_BASES", 1)  # a part per chromosome
    out = tmp_path / "out"
    scoring_that(monkeypatch, stops=lambda region: region.chrom == "chrM")
    with pytest.raises(KeyboardInterrupt):
        run.scan(out, genome=genome["path"], threshold=0.9, progress=False)
    assert not out.exists() or not any(out.iterdir())  # nothing there until it is complete
    progress = json.loads((tmp_path / "out.partial" / "progress.json").read_text())
    assert [(part["start"], part["end"]) for part in progress["parts"]] == [(0, 1)]

    scored = scoring_that(monkeypatch, records=lambda region: region.chrom)
    with pytest.raises(KerasbindError, match="interrupted scan with other options"):
        run.scan(out, genome=genome["path"], threshold=0.5, progress=False)
    summary = run.scan(out, genome=genome["path"], threshold=0.9, progress=False)
    assert set(scored) == {"chrM"}  # chrS was kept, not scored again
    assert summary.resumed_regions == 1
    assert not (tmp_path / "out.partial").exists()

    expected_summary, expected = scanned
    assert (summary.windows, summary.hits) == (expected_summary.windows, expected_summary.hits)
    assert_same_tracks(out, expected)


def test_a_chromosome_cut_short_continues_inside_it(
    run, genome, scanned, tmp_path, monkeypatch, capsys
):
    """A long chromosome is scanned in sections of window starts, each kept as it finishes:
    stopped in the middle of chrS, a rerun scores only what is left of it, and hits that span
    the sections (the sites sit on their boundaries) come out as in the uninterrupted scan."""
    from kerasbind.scanning import genome as genome_module
    from kerasbind.scanning import parts

    monkeypatch.setattr(parts, "PART_BASES", 1)  # a part per section
    monkeypatch.setattr(genome_module, "SECTION_STARTS", 1000)  # sites at 3000, 9000, …
    out = tmp_path / "out"
    scoring_that(monkeypatch, stops=lambda r: r.chrom == "chrS" and r.start == 10000)
    with pytest.raises(KeyboardInterrupt):
        run.scan(out, genome=genome["path"], threshold=0.9, progress=False)
    scored = scoring_that(monkeypatch, records=lambda r: r.start if r.chrom == "chrS" else -1)
    arguments = ["scan", str(run.path), "--genome", str(genome["path"]), "--out", str(out)]
    assert main([*arguments, "--threshold", "0.9", "--quiet"]) == 0
    assert min(start for start in scored if start >= 0) == 10000  # sections 0-9 were kept
    said = capsys.readouterr().out
    assert "continued an interrupted scan (10,000 windows and 0 whole regions kept)" in said

    expected_summary, expected = scanned
    assert f"{expected_summary.windows:,} windows" in said
    assert f"{expected_summary.hits} hits" in said
    assert_same_tracks(out, expected)


def test_sections_cover_every_window_once() -> None:
    from kerasbind.scanning.genome import Region, sections

    region = Region("c", 100, 100 + 25_000_000, "c")
    for stride in (1, 7):
        cut = sections([region], 101, stride)
        assert len(cut) > 1 and cut[-1].last and not any(s.last for s in cut[:-1])
        assert sum(s.bases for s in cut) == region.length
        starts = np.concatenate(
            [np.arange(s.letters.start, s.letters.end - 100, stride) for s in cut]
        )
        np.testing.assert_array_equal(starts, np.arange(100, region.end - 100, stride))
    short = Region("c", 0, 50, "c")
    assert sections([short], 101, 1)[0].letters == short


def test_changed_scan_starts_afresh_with_overwrite(run, genome, tmp_path, monkeypatch):
    from kerasbind.scanning import parts, scan

    monkeypatch.setattr(parts, "PART_BASES", 1)
    score_piece = scan._score_piece
    out = tmp_path / "out"
    scoring_that(monkeypatch, stops=lambda region: region.chrom == "chrM")
    with pytest.raises(KeyboardInterrupt):
        run.scan(out, genome=genome["path"], stride=5, progress=False)
    monkeypatch.setattr(scan, "_score_piece", score_piece)
    args = ["scan", str(run.path), "--genome", str(genome["path"]), "--out", str(out)]
    assert main([*args, "--formats", "hits"]) == 2  # other options: refused, one line
    assert main([*args, "--formats", "hits", "--overwrite"]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["hits.bed"]
    assert not (tmp_path / "out.partial").exists()


def _reference_hits(starts, ends, values, strands, threshold):
    """Hits by the plain definition: per strand, windows above the threshold merged while each
    starts at or before the previous one's end."""
    hits = []
    for strand in ("+", "-"):
        current = None
        for s, e, v, d in zip(starts, ends, values, strands, strict=True):
            if v < threshold or d != strand:
                continue
            if current is not None and s <= current[1]:
                current = [current[0], e, s, min(current[3], e), max(current[4], v)]
                continue
            if current is not None:
                hits.append((current, strand))
            current = [s, e, s, e, v]
        if current is not None:
            hits.append((current, strand))
    return sorted(
        f"c\t{h[0]}\t{h[1]}\t{h[4]:.4f}\t{round(1000 * h[4])}\t{d}\t{h[2] if h[2] < h[3] else h[0]}"
        f"\t{h[3] if h[2] < h[3] else h[0]}"
        for h, d in hits
    )


@pytest.mark.parametrize("chunk", [7, 1000])
def test_hits_merge_the_same_in_any_chunks(chunk: int) -> None:
    """The vectorised hit merging equals the plain definition, across chunk boundaries."""
    import io

    from kerasbind.scanning.writers import HitWriter

    rng = np.random.default_rng(3)
    starts = np.arange(0, 3000, 5)
    ends = starts + 20
    values = rng.random(len(starts))
    strands = rng.choice(np.array(["+", "-"]), len(starts))
    handle = io.StringIO()
    writer = HitWriter(handle, threshold=0.7)
    for first in range(0, len(starts), chunk):
        part = slice(first, first + chunk)
        writer.add("c", starts[part], ends[part], values[part], strands[part] == "-")
    writer.flush()
    got = sorted(handle.getvalue().splitlines())
    expected = _reference_hits(starts, ends, values, strands, 0.7)
    assert got == expected and writer.count == len(expected) > 20
