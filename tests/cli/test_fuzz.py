"""Fuzzing the command-line door: malformed files, bad flag values and bad paths, against
every subcommand. Whatever hypothesis draws must end in exit 2, exactly one line on
stderr, no traceback, and every input file byte-for-byte unchanged.

``relunet.cli.main`` runs in-process (fast); a few cases also run in a subprocess to
check that nothing reaches the real stderr but that one line.
"""

import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relunet.cli import main

FUZZ = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _refused(argv, capsys, digest, *folders):
    """Run ``argv``; assert the exit-2 contract and that ``folders`` are unchanged."""
    capsys.readouterr()
    before = [digest(f) for f in folders]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, (argv, code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err.splitlines()) == 1, err
    assert [digest(f) for f in folders] == before
    return err


# --- malformed array files -------------------------------------------------------------
def _npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def _header(shape, descr="<f8", version=(1, 0)) -> bytes:
    buf = io.BytesIO()
    write = (np.lib.format.write_array_header_1_0 if version == (1, 0)
             else np.lib.format.write_array_header_2_0)
    write(buf, {"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue()


_shapes = st.lists(st.integers(0, 40), min_size=0, max_size=4).map(tuple)

bad_arrays = st.one_of(
    st.binary(max_size=300),
    st.tuples(st.integers(1, 9), st.integers(1, 9)).map(lambda t: _npy(np.ones(t))).flatmap(
        lambda whole: st.integers(0, len(whole) - 1).map(lambda cut: whole[:cut])),
    st.tuples(_shapes, st.integers(0, 500)).filter(
        lambda t: 8 * int(np.prod(t[0])) != t[1]).map(lambda t: _header(t[0]) + b"\0" * t[1]),
    st.tuples(st.integers(7, 12), st.integers(0, 12)).map(
        lambda t: _header((10 ** t[0], 10 ** t[1]), version=(2, 0)) + b"\0" * 64),
    st.sampled_from(["<c16", "|b1", "<U3", "|O", "<M8[s]", "|V8"]).map(
        lambda d: _header((2, 120), d) + b"\0" * 2 * 120 * np.dtype(d).itemsize),
    st.sampled_from([np.nan, np.inf, -np.inf]).map(lambda v: _npy(np.full((6, 120), v))),
    st.sampled_from([(), (0,), (6, 0), (0, 120), (6, 120, 1), (2, 3, 4)]).map(
        lambda s: _npy(np.ones(s))),
    st.sampled_from([np.array([{"a": 1}], dtype=object), np.ones((6, 120)) + 1j,
                     np.zeros((6, 120), dtype=bool), np.array([["a"] * 120] * 6),
                     np.zeros(120, dtype=[("a", "<f8"), ("b", "<i4")])]).map(_npy),
    st.binary(max_size=64).map(lambda b: b"\x93NUMPY\x03\x00" + b),
)


def _zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


bad_npz = st.one_of(
    bad_arrays,  # not a zip at all
    st.dictionaries(st.text(st.characters(codec="ascii"), min_size=1, max_size=8),
                    st.binary(max_size=100), max_size=4).map(_zip),
    st.tuples(st.sampled_from(["U", "V", "activation"]), bad_arrays).map(
        lambda t: _zip({"U.npy": _npy(np.ones((4, 3))), "V.npy": _npy(np.ones((3, 6))),
                        f"{t[0]}.npy": t[1]})),
    st.sampled_from([
        {"U": np.ones((4, 3))},
        {"U": np.ones((4, 3)), "V": np.ones((2, 6))},
        {"U": np.ones((4, 3)), "V": np.ones((3, 5))},
        {"U": np.ones((4, 3)), "V": np.ones((3, 6)), "activation": np.array(7)},
        {"U": np.ones((4, 3)), "V": np.ones((3, 6)), "activation": np.array("t" * 1001)},
        {"U": np.ones((4, 3)), "V": np.ones((3, 6)), "activation": np.array(["relu", "relu"])},
        {"U": np.ones((4, 3)), "V": np.ones((3, 6)), "activation": np.array("sin(t)")},
        {"U": np.ones((4, 3)), "V": np.ones((3, 6)), "activation": np.array("import os")},
        {"U": np.ones((4, 3)), "V": np.ones((3, 6)), "activation": np.array("")},
        {"U": np.full((4, 3), np.nan), "V": np.ones((3, 6))},
    ]).map(lambda arrays: _zip({f"{k}.npy": _npy(v) for k, v in arrays.items()})),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("scratch")


def _write(folder, name, data: bytes):
    path = folder / "bad" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


ARRAY_SLOTS = [  # (argv with BAD for the malformed file, its name)
    (lambda f, bad, out: ["recover", f"--x={bad}", f"--y={f / 'Y.npy'}", f"--out={out}"],
     "bad.npy"),
    (lambda f, bad, out: ["recover", f"--x={f / 'X.npy'}", f"--y={bad}", f"--out={out}"],
     "bad.npy"),
    (lambda f, bad, out: ["certify", f"--x={bad}", f"--y={f / 'Y.npy'}",
                          f"--net={f / 'net.npz'}"], "bad.npy"),
    (lambda f, bad, out: ["certify", f"--x={f / 'X.npy'}", f"--y={bad}",
                          f"--net={f / 'net.npz'}"], "bad.npy"),
    (lambda f, bad, out: ["hardness", "decide", f"--x={bad}", f"--y={f / 'Y.npy'}"],
     "bad.npy"),
    (lambda f, bad, out: ["recover", f"--x={bad}", f"--y={f / 'Y.npy'}", f"--out={out}"],
     "bad.csv"),
]


@pytest.mark.parametrize("slot", range(len(ARRAY_SLOTS)))
@FUZZ
@given(data=bad_arrays)
def test_malformed_array_files(files, scratch, capsys, digest, slot, data):
    argv, name = ARRAY_SLOTS[slot]
    bad = _write(scratch, name, data)
    _refused(argv(files, bad, scratch / "out" / "n.npz") + ["--quiet"], capsys, digest,
             files, bad.parent)


NPZ_SLOTS = [
    lambda f, bad: ["certify", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}", f"--net={bad}"],
    lambda f, bad: ["certify", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}",
                    f"--net={f / 'net.npz'}", f"--truth={bad}"],
    lambda f, bad: ["recover", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}", f"--truth={bad}",
                    f"--out={bad.parent / 'n.npz'}"],
    lambda f, bad: ["hardness", "decide", f"--x={bad}"],
]


@pytest.mark.parametrize("slot", range(len(NPZ_SLOTS)))
@FUZZ
@given(data=bad_npz)
def test_malformed_npz_files(files, scratch, capsys, digest, slot, data):
    bad = _write(scratch, "bad.npz", data)
    _refused(NPZ_SLOTS[slot](files, bad) + ["--quiet"], capsys, digest, files, bad.parent)


# --- malformed JSON --------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)

bad_json = st.one_of(
    json_values.filter(lambda v: not (isinstance(v, dict) and {"n_elements", "clauses"} <= set(v)))
    .map(lambda v: json.dumps(v).encode()),
    st.integers(2_000, 200_000).map(lambda n: ("[" * n + "]" * n).encode()),
    st.integers(2_000, 200_000).map(lambda n: ('{"a":' * n + "1" + "}" * n).encode()),
    st.integers(4_400, 10_000).map(lambda n: ("9" * n).encode()),
    st.binary(max_size=200),
    st.tuples(st.integers(10**5, 10**30), st.integers(0, 3)).map(
        lambda t: json.dumps({"n_elements": t[0], "clauses": [[0, 1]] * t[1]}).encode()),
    st.sampled_from([{"n_elements": "3", "clauses": [[0, 1]]},
                     {"n_elements": 3, "clauses": [[0, 5]]},
                     {"n_elements": 3, "clauses": "01"},
                     {"n_elements": 3, "clauses": [[True, 1]]},
                     {"n_elements": 3.0, "clauses": [[0, 1]]},
                     {"n_elements": -1, "clauses": []}]).map(lambda v: json.dumps(v).encode()),
)


@pytest.mark.parametrize("command", ["build", "recheck"])
@FUZZ
@given(data=bad_json)
def test_malformed_json_files(files, scratch, capsys, digest, command, data):
    bad = _write(scratch, "bad.json", data)
    out = scratch / "out.npz"
    argv = (["hardness", "build", f"--instance={bad}", f"--out={out}"] if command == "build"
            else ["certify", f"--x={files / 'X.npy'}", f"--y={files / 'Y.npy'}",
                  f"--recheck={bad}", f"--out={scratch / 'fresh.json'}"])
    _refused(argv, capsys, digest, files, bad.parent)
    assert not out.exists() and not (scratch / "fresh.json").exists()


# --- bad flag values -------------------------------------------------------------------
def _bad_int(low, high):
    text = st.text(max_size=12).filter(lambda s: not _int_in(s, low, high))
    return st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1),
                     text).map(str)


def _int_in(text, low, high):
    try:
        return low <= int(text) <= high
    except ValueError:
        return False


def _float_ok(text):
    try:
        return np.isfinite(float(text))
    except ValueError:
        return False


_bad_float = st.one_of(st.sampled_from(["nan", "inf", "-inf", "1e999", "-1e400", "NaN"]),
                       st.text(max_size=12).filter(lambda s: not _float_ok(s)))

PLANT = ["plant", "--n=50", "--out=../flags"]
RECOVER = ["recover", "--x=X.npy", "--y=Y.npy", "--out=../flags.npz", "--quiet"]
FLAG_CASES = [  # (argv prefix, run in the data folder, flag, strategy of bad values)
    (PLANT, "--d", _bad_int(1, 10**9)),
    (PLANT, "--n", _bad_int(1, 10**9)),
    (PLANT, "--seed", _bad_int(0, 2**63 - 1)),
    (PLANT, "--noise", _bad_float | st.floats(max_value=-1e-9).map(str)),
    (PLANT, "--correlation", _bad_float | st.floats(min_value=1).map(str)),
    (PLANT, "--condition", _bad_float | st.floats(max_value=0.999).map(str)),
    (PLANT, "--activation", st.sampled_from(["sin(t)", "t +", "sqrt(t-2)", "", "1/0",
                                             "__import__('os')", "t" * 2000])),
    (["demo", "--quiet"], "--k", _bad_int(1, 10**9)),
    (["demo", "--quiet"], "--seed", _bad_int(0, 2**63 - 1)),
    (RECOVER, "--k", _bad_int(1, 10**9)),
    (RECOVER, "--seed", _bad_int(0, 2**63 - 1)),
    (RECOVER, "--mode", st.text(max_size=8).filter(lambda s: s not in ("auto", "exact",
                                                                        "noisy"))),
    (RECOVER, "--activation", st.sampled_from(["sin(t)", "t +", "", "__import__('os')"])),
    (["certify", "--x=X.npy", "--y=Y.npy", "--net=net.npz", "--quiet"], "--digits",
     _bad_int(16, 10_000)),
    (["hardness", "decide", "--x=reduced.npz", "--quiet"], "--k", _bad_int(1, 2)),
    (["hardness", "check", "--quiet"], "--max-elements", _bad_int(1, 10)),
    (["hardness", "check", "--quiet"], "--max-clauses", _bad_int(0, 10)),
    (["bench", "--render-only"], "--suite", st.text(max_size=8).filter(
        lambda s: s not in ("quick", "full"))),
]


@pytest.mark.parametrize("case", range(len(FLAG_CASES)))
@FUZZ
@given(data=st.data())
def test_bad_flag_values(files, scratch, capsys, digest, monkeypatch, case, data):
    monkeypatch.chdir(files)
    prefix, flag, values = FLAG_CASES[case]
    _refused([*prefix, f"{flag}={data.draw(values)}"], capsys, digest, files)
    assert not (files.parent / "flags").exists() and not (files.parent / "flags.npz").exists()


# --- bad paths (a finite set: every combination runs) -----------------------------------
def _paths(f, t):
    """Paths that no command may read as an input file or write as an output."""
    return {
        "missing": t / "missing.npz",
        "nested missing": t / "no" / "such" / "folder" / "a.npz",
        "folder": f,
        "under a file": f / "X.npy" / "a.npz",
        "proc": "/proc/self/relunet.npz",
        "empty": "",
        "unicode": t / "ü ñ 😀" / "a.npz",
    }


OUTPUT_SLOTS = [
    lambda f, p: ["recover", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}", f"--out={p}",
                  "--quiet"],
    lambda f, p: ["recover", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}",
                  f"--out={f.parent / 'ok.npz'}", f"--diagnostics={p}", "--quiet"],
    lambda f, p: ["certify", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}",
                  f"--net={f / 'net.npz'}", f"--out={p}", "--quiet"],
    lambda f, p: ["certify", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}",
                  f"--recheck={f / 'cert.json'}", f"--out={p}", "--quiet"],
    lambda f, p: ["hardness", "build", f"--instance={f / 'inst.json'}", f"--out={p}"],
    lambda f, p: ["hardness", "decide", f"--x={f / 'reduced.npz'}", f"--certificate={p}",
                  "--quiet"],
]
INPUT_FLAGS = [
    lambda f, p: ["recover", f"--x={p}", f"--y={f / 'Y.npy'}", f"--out={f.parent / 'o.npz'}"],
    lambda f, p: ["certify", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}", f"--net={p}"],
    lambda f, p: ["certify", f"--x={f / 'X.npy'}", f"--y={f / 'Y.npy'}", f"--recheck={p}"],
    lambda f, p: ["hardness", "build", f"--instance={p}", f"--out={f.parent / 'o.npz'}"],
    lambda f, p: ["hardness", "decide", f"--x={p}"],
]


@pytest.mark.parametrize("slot", range(len(OUTPUT_SLOTS)))
@pytest.mark.parametrize("kind", ["missing", "nested missing", "folder", "under a file",
                                  "proc", "empty", "unicode", "X.npy", "Y.npy", "net.npz",
                                  "cert.json", "inst.json", "reduced.npz"])
def test_bad_output_paths(files, scratch, capsys, digest, slot, kind):
    path = _paths(files, scratch).get(kind, files / kind)
    if kind == "missing":  # a fine output: only its folder is wrong in the other kinds
        path = scratch / "missing" / "a.npz"
    _refused(OUTPUT_SLOTS[slot](files, path), capsys, digest, files)


@pytest.mark.parametrize("slot", range(len(INPUT_FLAGS)))
@pytest.mark.parametrize("kind", ["missing", "nested missing", "folder", "under a file",
                                  "proc", "empty", "unicode"])
def test_bad_input_paths(files, scratch, capsys, digest, slot, kind):
    _refused(INPUT_FLAGS[slot](files, _paths(files, scratch)[kind]), capsys, digest, files)
    assert not (files.parent / "o.npz").exists()


@pytest.mark.parametrize("argv", [
    lambda f: ["plant", "--n", "50", f"--out={f / 'X.npy'}"],
    lambda f: ["plant", "--n", "50", f"--out={f / 'X.npy' / 'sub'}"],
    lambda f: ["plant", "--n", "50", "--out=/proc/self/relunet"],
    lambda f: ["hardness", "demo", f"--out-dir={f / 'X.npy'}"],
    lambda f: ["hardness", "demo", f"--out-dir={f / 'X.npy' / 'sub'}"],
    lambda f: ["bench", "--render-only", f"--out={f}", f"--doc={f / 'cert.json'}"],
])
def test_bad_folders_of_folder_writing_commands(files, capsys, digest, argv):
    _refused(argv(files), capsys, digest, files)


# --- through a real process ------------------------------------------------------------
@pytest.mark.parametrize("make_argv", [
    lambda f, bad: ["recover", f"--x={bad}", f"--y={f / 'Y.npy'}", f"--out={f / 'X.npy'}"],
    lambda f, bad: ["plant", "--seed=-1", f"--out={f}"],
])
def test_no_traceback_reaches_the_real_stderr(files, tmp_path, digest, make_argv):
    bad = tmp_path / "bad.npy"
    bad.write_bytes(_header((10**6, 10**6)) + b"\0" * 100)
    before = digest(files)
    proc = subprocess.run([sys.executable, "-m", "relunet.cli", *make_argv(files, bad)],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert digest(files) == before
