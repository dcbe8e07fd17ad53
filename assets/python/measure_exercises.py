"""Measure how reliably each exercise's checks tell its starter from its solution.

Runs every exercise's ``check.py`` against ``start.py`` and ``solution.py`` N times, the way
pyconc does (``PYTHON -X utf8 -u check.py FILE`` in a fresh temporary cwd, ``PYTHONPATH`` =
this folder, ``PYCONC_TIME_LIMIT`` = the exercise's ``time_limit_s``, ``PYCONC_EXERCISE``,
``PYTHONDONTWRITEBYTECODE=1``, stdin closed, the process group killed at the limit), and prints
a table: exercise, starter failed k/N, solution passed k/N, solution median seconds (and the
starter's median seconds).

    python3 assets/python/measure_exercises.py [-n N] [--python PY] [--only ID ...]
        [--exercises DIR] [--verbose]

Exit status 1 if any solution failed a run or any starter passed one. Exercises whose
``min_python`` is newer than the interpreter are listed as skipped.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def read_toml_fields(path):
    """time_limit_s and min_python from an exercise.toml (tomllib where it exists)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        import tomllib
        return tomllib.loads(data.decode("utf-8"))
    except ImportError:
        text = data.decode("utf-8")
        out = {}
        m = re.search(r"^time_limit_s\s*=\s*([0-9.]+)", text, re.M)
        if m:
            out["time_limit_s"] = float(m.group(1))
        m = re.search(r'^min_python\s*=\s*"([0-9.]+)"', text, re.M)
        if m:
            out["min_python"] = m.group(1)
        return out


def python_version(python):
    """(major, minor) of an interpreter."""
    out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                         capture_output=True, text=True, timeout=20).stdout.split()
    return int(out[0]), int(out[1])


def grade(python, exercise_dir, learner, limit):
    """One grading run: (verdict passed, seconds, check lines, raw output)."""
    cwd = tempfile.mkdtemp(prefix="pyconc-measure-")
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": HERE,
        "PYCONC_TIME_LIMIT": str(limit),
        "PYCONC_EXERCISE": os.path.basename(exercise_dir),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    cmd = [python, "-X", "utf8", "-u", os.path.join(exercise_dir, "check.py"), learner]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    elapsed = time.monotonic() - start
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # nothing of the run may outlive it
    except OSError:
        pass
    shutil.rmtree(cwd, ignore_errors=True)
    text = out.decode("utf-8", "replace")
    checks = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and "passed" in obj and "name" in obj:
                checks.append(obj)
    passed = bool(checks) and all(c["passed"] for c in checks) and not timed_out
    if timed_out:
        text += "\n[timed out after %ss]" % limit
    return passed, elapsed, checks, text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="runs of each file (default 20)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--exercises", default=os.path.join(ROOT, "lessons", "exercises"))
    parser.add_argument("--only", nargs="*", default=None, help="exercise ids")
    parser.add_argument("--verbose", action="store_true", help="print unexpected outputs")
    args = parser.parse_args()

    version = python_version(args.python)
    ids = sorted(d for d in os.listdir(args.exercises)
                 if os.path.isfile(os.path.join(args.exercises, d, "exercise.toml")))
    if args.only:
        ids = [i for i in ids if i in args.only]
    print("interpreter: %s (%d.%d), N=%d" % (args.python, version[0], version[1], args.n))
    header = "%-24s %-15s %-16s %-18s %s" % ("exercise", "starter failed", "solution passed",
                                            "solution median s", "starter median s")
    print(header)
    print("-" * len(header))
    bad = False
    for ex in ids:
        d = os.path.join(args.exercises, ex)
        meta = read_toml_fields(os.path.join(d, "exercise.toml"))
        need = tuple(int(x) for x in str(meta.get("min_python", "3.8")).split(".")[:2])
        if version < need:
            print("%-24s skipped (needs Python %d.%d)" % (ex, need[0], need[1]))
            continue
        limit = float(meta.get("time_limit_s", 20))
        starter_failed = 0
        solution_passed = 0
        times = []
        starter_times = []
        for _ in range(args.n):
            ok, secs, checks, text = grade(args.python, d, os.path.join(d, "start.py"), limit)
            starter_times.append(secs)
            if not ok:
                starter_failed += 1
            elif args.verbose:
                print("  starter PASSED %s:\n%s" % (ex, text))
            ok, secs, checks, text = grade(args.python, d, os.path.join(d, "solution.py"),
                                           limit)
            times.append(secs)
            if ok:
                solution_passed += 1
            elif args.verbose:
                print("  solution FAILED %s:\n%s" % (ex, text))
        bad = bad or starter_failed < args.n or solution_passed < args.n
        print("%-24s %-15s %-16s %-18.2f %.2f" % (
            ex, "%d/%d" % (starter_failed, args.n), "%d/%d" % (solution_passed, args.n),
            statistics.median(times), statistics.median(starter_times)))
        sys.stdout.flush()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
