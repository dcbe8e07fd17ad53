"""Grader for cpu-pool: runs the learner's script with the spawn start method and a spy.

The spy (a prelude run in the child before the script) wraps ProcessPoolExecutor.map and
.submit to count the round trips to the workers; it writes its counts to a JSON file.
"""

import json
import os
import tempfile

import pyconc_check as pc

SPY = r'''
import atexit, json, math, os
import concurrent.futures.process as _p
_counts = {"map_items": 0, "map_chunks": 0, "submits": 0, "chunksizes": []}
def _save():
    with open(os.environ["PYCONC_SPY_FILE"], "w") as f:
        json.dump(_counts, f)
_map = _p.ProcessPoolExecutor.map
def map(self, fn, *iterables, timeout=None, chunksize=1):
    iterables = [list(it) for it in iterables]
    n = min(len(it) for it in iterables) if iterables else 0
    _counts["map_items"] += n
    _counts["map_chunks"] += math.ceil(n / max(1, chunksize))
    _counts["chunksizes"].append(chunksize)
    _save()
    _inside_map.append(1)
    try:
        return _map(self, fn, *iterables, timeout=timeout, chunksize=chunksize)
    finally:
        _inside_map.pop()
_inside_map = []
_submit = _p.ProcessPoolExecutor.submit
def submit(self, *a, **k):
    if not _inside_map:  # map's own submits are its chunks, counted above
        _counts["submits"] += 1
    return _submit(self, *a, **k)
_p.ProcessPoolExecutor.map = map
_p.ProcessPoolExecutor.submit = submit
atexit.register(_save)
'''

MAX_ROUND_TRIPS = 400  # 20,000 items: chunksize 50 or more


def expected_total():
    return sum(sum(i * i % 7 for i in range(n % 50 + 50)) for n in range(20_000))


def main():
    fd, spy_file = tempfile.mkstemp(prefix="pyconc-spy-", suffix=".json")
    os.close(fd)
    try:
        run = pc.run_learner(timeout=pc.time_limit() - 5, start_method="spawn", prelude=SPY,
                             env={"PYCONC_SPY_FILE": spy_file})
        with open(spy_file) as f:
            text = f.read()
        counts = json.loads(text) if text else {}
    finally:
        os.remove(spy_file)
    if run.stdout.strip():
        print(run.stdout.rstrip())
    want = "total %d" % expected_total()
    ok = run.returncode == 0 and want in run.stdout and not run.timed_out
    if ok:
        pc.report("runs with the spawn start method", True)
    else:
        err = run.stderr
        if "bootstrapping phase" in err or "freeze_support" in err or "BrokenProcessPool" in err:
            why = ("each worker imported your file and ran its top-level code again, "
                   "starting a pool inside the worker. Guard the main code with "
                   "if __name__ == \"__main__\":")
        elif run.timed_out:
            why = "it did not finish in time (the thread dump is in the output)"
        else:
            why = "exit status %s; want a line %r" % (run.returncode, want)
        if err.strip():
            print(err.rstrip()[-3000:])
        pc.report("runs with the spawn start method", False, why, exit_code=run.returncode)
    used = counts.get("map_chunks", 0) + counts.get("submits", 0)
    if not counts or (counts.get("map_items", 0) == 0 and counts.get("submits", 0) == 0):
        pc.report("work runs in the process pool", False,
                  "no call to ProcessPoolExecutor.map or .submit was seen")
        return
    ok = used <= MAX_ROUND_TRIPS
    pc.report("few round trips to the workers", ok,
              "" if ok else "%d round trips for %d items (chunksize %s): each one pickles, "
              "sends and waits. Send the items in batches" % (
                  used, counts.get("map_items", 0) or counts.get("submits", 0),
                  ", ".join(str(c) for c in counts.get("chunksizes", [])) or "-"),
              round_trips=used, allowed=MAX_ROUND_TRIPS)
    left = run.leak_list()
    pc.report("pool shut down", not left and run.returncode == 0,
              "" if not left and run.returncode == 0 else
              ("left running at exit: " + ", ".join(left)) if left else
              "the script did not finish cleanly", leaks=len(left))


if __name__ == "__main__":
    main()
