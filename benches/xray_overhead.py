"""What x-ray costs: each twin run directly and under `pyconc xray --json`, alternating,
ROUNDS times; prints the best round of the twin's own figure (least disturbed by other load), the slowdown, the sampling rate
achieved and pyconc's own CPU share while sampling. Not a timed test: run it by hand.

Usage: python3 benches/xray_overhead.py PYCONC_BINARY [PYTHON] [ROUNDS]"""
import json
import statistics
import subprocess
import sys

PYCONC = sys.argv[1]
PY = sys.argv[2] if len(sys.argv) > 2 else "python3"
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
TW = "assets/python/twins/"
CASES = [
    ("gil 2 cpu threads: work units/s", TW + "gil.py", ["--threads", "2", "--seconds", "2"], "/units_per_s", True),
    ("gil 4 threads cpu,io: io ops/s", TW + "gil.py", ["--threads", "4", "--workload", "cpu,io", "--seconds", "2"], "/io_ops_per_s", True),
    ("asyncio blocking: scenario s", TW + "asyncio_lag.py", ["--scenario", "blocking"], "/scenario_s", False),
    ("chunksize 1: us per task", TW + "chunksize.py", ["--chunksize", "1", "--tasks", "2000"], "/chunksizes/0/per_task_us", False),
]


def pointer(obj, path):
    for part in path.strip("/").split("/"):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def direct(script, args):
    out = subprocess.run([PY, script] + args, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def xray(script, args):
    out = subprocess.run([PYCONC, "xray", "--python", PY, script] + args + ["--json"], capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    return json.loads(report["stdout_tail"][-1]), report["sampling"]


for label, script, args, path, higher_better in CASES:
    plain, under, rates, cpu = [], [], [], []
    for _ in range(ROUNDS):
        plain.append(pointer(direct(script, args), path))
        figures, sampling = xray(script, args)
        under.append(pointer(figures, path))
        rates.append(sampling["rate_hz"])
        cpu.append(sampling.get("pyconc_cpu_share", float("nan")))
    # The best round of each is the one least disturbed by other programs on the machine.
    p, u = (max(plain), max(under)) if higher_better else (min(plain), min(under))
    slow = (p / u - 1) if higher_better else (u / p - 1)
    print("%-34s best: direct %10.3f  x-ray %10.3f  slower %+6.1f%%  rate %6.0f Hz  pyconc CPU %5.1f%% of a core"
          % (label, p, u, 100 * slow, statistics.median(rates), 100 * statistics.median(cpu)))
