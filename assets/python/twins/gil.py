"""pyconc twin of the `gil` demo: the same threads doing the same work on real CPython.

Usage: python gil.py [--threads N] [--workload cpu,io,...] [--mode gil|processes|free-threaded]
                     [--switch-interval-ms MS] [--io-ms MS] [--seconds S] [--reference-s S]

Each cpu worker counts work units (a fixed small loop); each io worker sleeps io_ms per
operation (time.sleep releases the GIL like blocking I/O) and records how late it got the
GIL back after the sleep ended (the I/O latency). First one cpu worker runs alone for
--reference-s to measure the rate of one core; the speedup is the cpu workers' total rate
over that (reference_core_share says how much of a core that one worker got: well below 1
on a busy machine, where more threads also get more of the scheduler's time). The last line printed is one JSON object of figures. Standard library only.
"""

import argparse
import json
import multiprocessing
import sys
import threading
import time

UNIT_LOOP = 200  # iterations of arithmetic in one work unit


def work_unit():
    x = 0
    for i in range(UNIT_LOOP):
        x += i * i
    return x


def cpu_worker(deadline, out, index):
    units = 0
    while time.perf_counter() < deadline:
        work_unit()
        units += 1
    out[index] = units


def io_worker(deadline, io_s, out, latencies):
    ops = 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        time.sleep(io_s)
        late = time.perf_counter() - start - io_s
        latencies.append(max(late, 0.0) * 1000.0)
        ops += 1
    out.append(ops)


def proc_cpu(deadline, queue):
    units = 0
    while time.perf_counter() < deadline:
        work_unit()
        units += 1
    queue.put(("cpu", units, []))


def proc_io(deadline, io_s, queue):
    lat = []
    ops = 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        time.sleep(io_s)
        lat.append(max(time.perf_counter() - start - io_s, 0.0) * 1000.0)
        ops += 1
    queue.put(("io", ops, lat))


def percentile(values, q):
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return round(s[k], 3)


def reference_rate(seconds):
    """Work units per second of one cpu worker alone, and the share of a core it got."""
    out = [0]
    start = time.perf_counter()
    cpu0 = time.thread_time()
    cpu_worker(start + seconds, out, 0)
    wall = time.perf_counter() - start
    return out[0] / wall, (time.thread_time() - cpu0) / wall


def facts():
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    try:
        import sysconfig

        ft = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    except Exception:
        ft = False
    return {
        "implementation": sys.implementation.name,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "gil_enabled": is_gil_enabled() if is_gil_enabled else (not ft),
        "free_threaded": ft,
    }


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workload", default="cpu")
    p.add_argument("--mode", default="gil")
    p.add_argument("--switch-interval-ms", type=float, default=5.0)
    p.add_argument("--io-ms", type=float, default=10.0)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--reference-s", type=float, default=0.5)
    a = p.parse_args(argv)
    kinds = [k.strip() for k in a.workload.split(",") if k.strip()] or ["cpu"]
    kinds = (kinds + [kinds[-1]] * a.threads)[: a.threads]
    info = facts()
    result = {
        "twin": "gil",
        "mode": a.mode,
        "threads": a.threads,
        "workload": ",".join(kinds),
        "switch_interval_ms": a.switch_interval_ms,
        "io_ms": a.io_ms,
        "python": info,
    }
    if a.mode == "gil-legacy":
        result["unsupported"] = "the legacy (Python 2) GIL is not in any Python 3"
        print(json.dumps(result))
        return 0
    if a.mode == "free-threaded" and info["gil_enabled"]:
        result["note"] = "this interpreter has the GIL on: ran with threads under the GIL"
    sys.setswitchinterval(a.switch_interval_ms / 1000.0)
    ref, core_share = reference_rate(a.reference_s)
    io_s = a.io_ms / 1000.0
    start = time.perf_counter()
    deadline = start + a.seconds
    cpu_units = []
    io_ops = []
    latencies = []
    if a.mode == "processes":
        queue = multiprocessing.Queue()
        procs = []
        for k in kinds:
            target, args = (proc_cpu, (deadline, queue)) if k == "cpu" else (proc_io, (deadline, io_s, queue))
            procs.append(multiprocessing.Process(target=target, args=args))
        for pr in procs:
            pr.start()
        for _ in procs:
            kind, n, lat = queue.get()
            (cpu_units if kind == "cpu" else io_ops).append(n)
            latencies.extend(lat)
        for pr in procs:
            pr.join()
    else:
        slots = [0] * len(kinds)
        threads = []
        for i, k in enumerate(kinds):
            if k == "cpu":
                t = threading.Thread(target=cpu_worker, args=(deadline, slots, i), name="cpu-%d" % (i + 1))
            else:
                t = threading.Thread(target=io_worker, args=(deadline, io_s, io_ops, latencies), name="io-%d" % (i + 1))
            threads.append(t)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cpu_units = [slots[i] for i, k in enumerate(kinds) if k == "cpu"]
    elapsed = time.perf_counter() - start
    total_ops = sum(io_ops)
    result.update(
        {
            "elapsed_s": round(elapsed, 3),
            "reference_units_per_s": round(ref, 1),
            "reference_core_share": round(core_share, 3),
            "units_per_s": round(sum(cpu_units) / elapsed, 1),
            "speedup": round(sum(cpu_units) / elapsed / ref, 3) if cpu_units and ref > 0 else None,
            "io_ops": total_ops,
            "io_ops_per_s": round(total_ops / elapsed, 3),
            "io_latency_ms": {
                "p50": percentile(latencies, 0.5),
                "p99": percentile(latencies, 0.99),
                "max": round(max(latencies), 3) if latencies else None,
            },
        }
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
