"""Regression tests for the command-line door: inputs never lost, outputs guarded and
atomic, the exit-code contract (0 / 1 / 2 / 130), bounded files, progress, --recheck."""

import errno
import io
import json
import os
import zipfile

import numpy as np
import pytest

from recover import TwoLayerNetwork
from recover._errors import InvalidInputError
from recover._files import atomic_write, guard_outputs
from recover._bounded_json import load_bounded
from recover._io import load_array
from verify import compare_networks
from relunet.cli import main
from relunet.commands.report import Progress


def _data(files):
    return [f"--x={files / 'X.npy'}", f"--y={files / 'Y.npy'}"]


# --- inputs are never lost ---------------------------------------------------------
@pytest.mark.parametrize("argv", [
    lambda f, t: ["certify", *_data(f), f"--net={f / 'net.npz'}", f"--out={f / 'X.npy'}",
                  "--force"],
    lambda f, t: ["certify", *_data(f), f"--net={f / 'net.npz'}", f"--out={f / 'net.npz'}",
                  "--force"],
    lambda f, t: ["recover", *_data(f), f"--truth={f / 'truth.npz'}",
                  f"--out={f / 'truth.npz'}", "--force", "--quiet"],
    lambda f, t: ["recover", *_data(f), f"--out={t / 'n.npz'}",
                  f"--diagnostics={f / 'Y.npy'}", "--force", "--quiet"],
    lambda f, t: ["recover", *_data(f), f"--out={t / 'n.npz'}", f"--diagnostics={t / 'n.npz'}",
                  "--quiet"],
    lambda f, t: ["hardness", "decide", f"--x={f / 'reduced.npz'}",
                  f"--certificate={f / 'reduced.npz'}", "--force"],
    lambda f, t: ["hardness", "build", f"--instance={f / 'inst.json'}",
                  f"--out={f / 'inst.json'}", "--force"],
    lambda f, t: ["certify", *_data(f), f"--recheck={f / 'cert.json'}",
                  f"--out={f / 'cert.json'}", "--force"],
])
def test_output_equal_to_an_input_is_refused(files, tmp_path, argv, digest, error_line):
    before = digest(files)
    assert main(argv(files, tmp_path)) == 2
    assert "same file" in error_line()
    assert digest(files) == before
    assert not (tmp_path / "n.npz").exists()


def test_output_through_a_symlink_or_hard_link_is_refused(files, tmp_path, digest, error_line):
    os.symlink(files / "X.npy", tmp_path / "link.json")
    os.link(files / "Y.npy", tmp_path / "hard.json")
    before = digest(files)
    for out in ("link.json", "hard.json"):
        assert main(["certify", *_data(files), f"--net={files / 'net.npz'}",
                     f"--out={tmp_path / out}", "--force"]) == 2
        assert "same file" in error_line()
    assert digest(files) == before


@pytest.mark.parametrize("argv", [
    lambda f, old: ["recover", *_data(f), f"--out={old}.npz", "--quiet"],
    lambda f, old: ["recover", *_data(f), f"--out={old.parent / 'n.npz'}",
                    f"--diagnostics={old}.npz", "--quiet"],
    lambda f, old: ["certify", *_data(f), f"--net={f / 'net.npz'}", f"--out={old}.npz"],
    lambda f, old: ["hardness", "build", f"--instance={f / 'inst.json'}", f"--out={old}.npz"],
    lambda f, old: ["hardness", "decide", f"--x={f / 'reduced.npz'}",
                    f"--certificate={old}.npz", "--quiet"],
])
def test_existing_output_needs_force(files, tmp_path, argv, error_line):
    old = tmp_path / "old.npz"
    old.write_bytes(b"precious")
    args = argv(files, tmp_path / "old")
    assert main(args) == 2
    assert "--force" in error_line()
    assert old.read_bytes() == b"precious"
    assert main(args + ["--force"]) in (0, 1)
    assert old.read_bytes() != b"precious"


def test_recover_out_must_end_in_npz_and_names_the_file_written(files, tmp_path, capsys,
                                                                error_line):
    assert main(["recover", *_data(files), f"--out={tmp_path / 'net.npy'}", "--quiet"]) == 2
    assert "must end in .npz" in error_line()
    assert list(tmp_path.iterdir()) == []
    assert main(["recover", *_data(files), f"--out={tmp_path / 'net.npz'}", "--quiet"]) == 0
    assert f"wrote {tmp_path / 'net.npz'}" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def test_library_save_writes_exactly_the_path_given(tmp_path):
    net = TwoLayerNetwork(np.eye(2), np.array([[1.0, 0.0], [0.0, 1.0]]), "relu2")
    net.save(tmp_path / "net.bin", U_se=np.ones((2, 2)))
    assert [p.name for p in tmp_path.iterdir()] == ["net.bin"]
    back = TwoLayerNetwork.load(tmp_path / "net.bin")
    assert back.activation.name == "relu2" and np.array_equal(back.U, net.U)
    with np.load(tmp_path / "net.bin") as saved:
        assert saved["U_se"].shape == (2, 2)


def test_plant_keeps_existing_files_unless_forced(tmp_path, error_line):
    small = ["plant", "--d", "4", "--k", "2", "--m", "3", "--n", "50", "--out", str(tmp_path)]
    (tmp_path / "notes.txt").write_text("mine")
    assert main(small) == 0
    X = (tmp_path / "X.npy").read_bytes()
    assert main(small[:-2] + ["--seed", "1", "--out", str(tmp_path)]) == 2
    assert "X.npy" in error_line() and (tmp_path / "X.npy").read_bytes() == X
    assert main(small + ["--seed", "1", "--force"]) == 0
    assert (tmp_path / "X.npy").read_bytes() != X
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_plant_out_an_existing_file_exits_2(files, tmp_path, digest, error_line):
    before = digest(files)
    assert main(["plant", "--n", "50", "--out", str(files / "X.npy")]) == 2
    assert "is a file" in error_line()
    assert digest(files) == before


# --- atomic writes -----------------------------------------------------------------
def test_atomic_write_failure_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target, "w") as fh:
        fh.write("half")
        raise RuntimeError("writer failed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_atomic_write_keeps_permissions_of_the_replaced_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_write(target, "w") as fh:
        fh.write("new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640


def test_disk_full_exits_2_and_keeps_the_old_file(files, tmp_path, monkeypatch, error_line):
    out = tmp_path / "net.npz"
    out.write_bytes(b"old network")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert main(["recover", *_data(files), f"--out={out}", "--force", "--quiet"]) == 2
    assert "No space left on device" in error_line()
    assert out.read_bytes() == b"old network"
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def test_interrupt_exits_130_and_writes_nothing(files, tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("relunet.commands.recover.recover_network", interrupted)
    assert main(["recover", *_data(files), f"--out={tmp_path / 'n.npz'}", "--quiet"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"
    assert list(tmp_path.iterdir()) == []


# --- the exit-code contract ----------------------------------------------------------
@pytest.mark.parametrize("argv, words", [
    (lambda f, t: ["recover", f"--x={f}", f"--y={f / 'Y.npy'}", f"--out={t / 'n.npz'}"],
     "is a folder"),
    (lambda f, t: ["recover", *_data(f), f"--out={t / 'no' / 'n.npz'}"], "does not exist"),
    (lambda f, t: ["recover", *_data(f), f"--out={f / 'X.npy' / 'n.npz'}"], "does not exist"),
    (lambda f, t: ["recover", *_data(f), f"--out={t}"], "is a folder"),
    (lambda f, t: ["certify", *_data(f), f"--net={f / 'X.npy'}"], "expected an .npz network"),
    (lambda f, t: ["certify", *_data(f), f"--net={f / 'net.npz'}", "--digits", "0"],
     "--digits"),
    (lambda f, t: ["plant", "--seed", "-1", f"--out={t}"], "--seed"),
    (lambda f, t: ["recover", *_data(f), "--seed", "-1", f"--out={t / 'n.npz'}"], "--seed"),
    (lambda f, t: ["plant", "--n", "0", f"--out={t}"], "--n"),
    (lambda f, t: ["plant", "--n", "100000000", f"--out={t}"], "GiB"),
    (lambda f, t: ["plant", "--noise", "nan", f"--out={t}"], "finite"),
    (lambda f, t: ["demo", "--k", "-3"], "--k"),
    (lambda f, t: ["hardness", "check", "--max-elements", "99"], "--max-elements"),
    (lambda f, t: ["hardness", "decide", f"--x={f / 'reduced.npz'}", "--k", "3"], "--k"),
    (lambda f, t: ["bench", "--suite", "huge"], "--suite"),
    (lambda f, t: ["recover", "--bogus"], "required"),
    (lambda f, t: ["recover", *_data(f), f"--out={t / 'n.npz'}", "--bogus"], "unrecognized"),
    (lambda f, t: ["hardness", "demo", f"--out-dir={f / 'X.npy'}"], "is a file"),
])
def test_bad_input_exits_2_with_one_line(files, tmp_path, argv, words, digest, error_line):
    before = digest(files)
    assert main(argv(files, tmp_path)) == 2
    assert words in error_line()
    assert digest(files) == before


@pytest.mark.parametrize("scale", [2.0**900, 2.0**-900])
def test_extreme_magnitudes_are_recovered_and_certified(files, tmp_path, scale, capsys):
    """Labels scaled by a power of two far from 1 (the old door refused them, and before
    that the arithmetic broke deep inside): the library rescales exactly and undoes it."""
    np.save(tmp_path / "Ys.npy", np.load(files / "Y.npy") * scale)
    data = [f"--x={files / 'X.npy'}", f"--y={tmp_path / 'Ys.npy'}"]
    assert main(["recover", *data, f"--out={tmp_path / 'n.npz'}", "--quiet"]) == 0
    assert main(["certify", *data, f"--net={tmp_path / 'n.npz'}", "--quiet"]) == 0
    assert "HOLDS" in capsys.readouterr().out
    net = TwoLayerNetwork.load(tmp_path / "n.npz")
    truth = TwoLayerNetwork.load(files / "net.npz")
    assert compare_networks(TwoLayerNetwork(truth.U * scale, truth.V, truth.activation),
                            net) < 1e-12


def test_unwritable_output_folder_exits_2(files, error_line):
    # as root chmod does not stop writes; /proc/self refuses new files for everyone
    code = main(["certify", *_data(files), f"--net={files / 'net.npz'}",
                 "--out=/proc/self/cert.json", "--quiet"])
    assert code == 2
    assert "cert.json" in error_line()


def test_memory_error_exits_2(files, tmp_path, monkeypatch, error_line):
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("relunet.commands.recover.recover_network", no_memory)
    assert main(["recover", *_data(files), f"--out={tmp_path / 'n.npz'}", "--quiet"]) == 2
    assert "memory" in error_line()


def test_internal_bug_is_visible_and_not_a_negative_answer(files, tmp_path, monkeypatch,
                                                           capsys):
    def bug(*args, **kwargs):
        raise TypeError("unsupported operand")

    monkeypatch.setattr("relunet.commands.recover.recover_network", bug)
    assert main(["recover", *_data(files), f"--out={tmp_path / 'n.npz'}", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "TypeError: unsupported operand" in err
    assert err.splitlines()[-1].startswith("relunet recover: internal error: TypeError")


def test_negative_results_exit_1(files, tmp_path, capsys):
    Y = np.load(files / "Y.npy")
    Y[0, 0] += 1
    np.save(tmp_path / "Y.npy", Y)
    assert main(["certify", f"--x={files / 'X.npy'}", f"--y={tmp_path / 'Y.npy'}",
                 f"--net={files / 'net.npz'}"]) == 1
    assert main(["hardness", "decide", f"--x={files / 'reduced.npz'}", "--quiet"]) == 1
    assert "DOES NOT HOLD" in capsys.readouterr().out


# --- bounded files ---------------------------------------------------------------------
def _npy_header(shape, descr="<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def test_lying_header_is_refused_before_allocation(files, tmp_path, error_line):
    bad = tmp_path / "big.npy"
    bad.write_bytes(_npy_header((10**6, 10**6)) + b"\0" * 100)
    with pytest.raises(InvalidInputError, match="header claims 1000000000000 elements"):
        load_array(bad)
    bad.write_bytes(_npy_header((10, 10)) + b"\0" * 100)
    with pytest.raises(InvalidInputError, match=r"800 bytes\) but the file holds 100 bytes"):
        load_array(bad)
    assert main(["recover", f"--x={bad}", f"--y={files / 'Y.npy'}",
                 f"--out={tmp_path / 'n.npz'}"]) == 2
    assert "header claims" in error_line()


@pytest.mark.parametrize("array, words", [
    (np.ones((2, 3)) + 1j, "complex"),
    (np.ones((2, 3), dtype=bool), "must hold real numbers: dtype bool"),
    (np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]), "not a plain numeric"),
])
def test_non_real_dtypes_are_refused(tmp_path, array, words):
    np.save(tmp_path / "a.npy", array)
    np.savez(tmp_path / "a.npz", a=array)
    for name in ("a.npy", "a.npz"):
        with pytest.raises(InvalidInputError, match=words):
            load_array(tmp_path / name)


def test_zip_bomb_is_refused_from_the_declared_size(tmp_path, monkeypatch):
    monkeypatch.setattr("recover._io.MAX_ARRAY_BYTES", 10**6)
    np.savez_compressed(tmp_path / "bomb.npz", a=np.zeros(10**6))  # 8 MB inflated
    assert (tmp_path / "bomb.npz").stat().st_size < 50_000
    with pytest.raises(InvalidInputError, match="inflate to"):
        load_array(tmp_path / "bomb.npz")


def test_npz_member_count_and_junk_members_are_refused(tmp_path):
    np.savez(tmp_path / "many.npz", **{f"a{i}": np.zeros(1) for i in range(65)})
    with pytest.raises(InvalidInputError, match="65 members"):
        load_array(tmp_path / "many.npz")
    with zipfile.ZipFile(tmp_path / "junk.npz", "w") as zf:
        zf.writestr("a.npy", b"not an array")
    with pytest.raises(InvalidInputError, match="not a valid .npy"):
        load_array(tmp_path / "junk.npz")


def test_text_and_json_caps(tmp_path, monkeypatch):
    monkeypatch.setattr("recover._io.MAX_TEXT_BYTES", 100)
    (tmp_path / "a.csv").write_text("1,2\n" * 100)
    with pytest.raises(InvalidInputError, match="over the cap"):
        load_array(tmp_path / "a.csv")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidInputError, match="nests arrays/objects 100000 deep"):
        load_bounded(tmp_path / "deep.json", "deep", 10**6)
    (tmp_path / "int.json").write_text("1" * 5000)
    with pytest.raises(InvalidInputError, match="number literal"):
        load_bounded(tmp_path / "int.json", "int", 10**6)


def test_special_files_and_folders_are_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="not a regular file"):
        load_array("/dev/zero")
    with pytest.raises(InvalidInputError, match="is a folder"):
        load_array(tmp_path)


def test_network_file_checks(tmp_path):
    np.save(tmp_path / "net.npy", np.ones((2, 2)))
    with pytest.raises(InvalidInputError, match="expected an .npz network file"):
        TwoLayerNetwork.load(tmp_path / "net.npy")
    np.savez(tmp_path / "long.npz", U=np.ones((1, 1)), V=np.ones((1, 1)),
             activation=np.array("t" * 1001))
    with pytest.raises(InvalidInputError, match="at most 1000 characters"):
        TwoLayerNetwork.load(tmp_path / "long.npz")
    np.savez(tmp_path / "cplx.npz", U=np.ones((1, 1)) * 1j, V=np.ones((1, 1)))
    with pytest.raises(InvalidInputError, match="complex"):
        TwoLayerNetwork.load(tmp_path / "cplx.npz")


def test_guard_refuses_two_outputs_on_one_file(tmp_path):
    with pytest.raises(InvalidInputError, match="same file as the output --out"):
        guard_outputs({"--out": tmp_path / "a", "--diagnostics": tmp_path / "a"}, {})


# --- certify --recheck ---------------------------------------------------------------
def test_recheck_holds_then_fails_on_other_data(files, tmp_path, capsys):
    out = tmp_path / "fresh.json"
    assert main(["certify", *_data(files), f"--recheck={files / 'cert.json'}",
                 f"--out={out}", "--quiet"]) == 0
    assert json.loads(out.read_text())["holds"] is True
    assert "stored data" in capsys.readouterr().out
    X = np.load(files / "X.npy")
    np.save(tmp_path / "X2.npy", X[:, ::-1])
    np.save(tmp_path / "Y2.npy", np.load(files / "Y.npy")[:, ::-1])
    assert main(["certify", f"--x={tmp_path / 'X2.npy'}", f"--y={tmp_path / 'Y2.npy'}",
                 f"--recheck={files / 'cert.json'}", "--quiet"]) == 1
    assert "the data digest differs" in capsys.readouterr().out


def test_recheck_refuses_mode_flags_and_bad_json(files, tmp_path, error_line):
    assert main(["certify", *_data(files), f"--recheck={files / 'cert.json'}",
                 "--digits", "20"]) == 2
    assert "--recheck uses" in error_line()
    (tmp_path / "c.json").write_text(json.dumps({"schema": 3}))
    assert main(["certify", *_data(files), f"--recheck={tmp_path / 'c.json'}"]) == 2
    assert "invalid certificate" in error_line()


# --- progress ------------------------------------------------------------------------
def test_progress_accepts_both_protocols_and_quiet_is_silent():
    stream = io.StringIO()
    progress = Progress(stream=stream)
    progress("cone: 1/3 facets")
    progress("cone: 3/3 facets")
    progress("solve", 2, 5)
    progress("solve", 5, 5)
    progress.close()
    text = stream.getvalue()
    assert "cone: 3/3 facets" in text and "solve" in text and "5/5" in text
    quiet = io.StringIO()
    silent = Progress(enabled=False, stream=quiet)
    silent("cone: 1/3 facets")
    silent("solve", 1, 2)
    silent.close()
    assert quiet.getvalue() == ""


def test_recover_progress_goes_to_stderr_and_quiet_silences_it(files, tmp_path, capsys):
    assert main(["recover", *_data(files), f"--out={tmp_path / 'a.npz'}"]) == 0
    assert "facets" in capsys.readouterr().err
    assert main(["recover", *_data(files), f"--out={tmp_path / 'b.npz'}", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
