"""pyconc_check: helpers for pyconc exercise graders (standard library only, Python 3.8+).

pyconc runs a grader as ``PYTHON -X utf8 -u check.py LEARNER_FILE`` in a fresh temporary
directory, with this module on ``PYTHONPATH`` and ``PYCONC_TIME_LIMIT`` set. A grader prints
one JSON line per check with :func:`report`; everything else it prints is the program's output.

What is here, by job (it is one module so that pyconc can ship it as a single file):

- reporting: :func:`report`, :func:`exit_now`;
- the learner's file: :func:`learner_path`, :func:`load_learner`, :func:`run_learner`;
- hangs: :func:`arm_thread_dump`, :func:`call_with_timeout`, :func:`describe_threads`;
- races: :func:`shake_races`, :func:`yield_now`, :class:`SlowLock`, :class:`InFlight`;
- leaks: :class:`ThreadWatch`, :func:`watch_executors`, :func:`open_executors`,
  :func:`child_processes`;
- asyncio: :func:`run_async` (loop lag, slow callbacks, tasks pending at exit, exceptions never
  retrieved), :func:`cancel_outcome` (a swallowed ``CancelledError``).
"""

import asyncio
import contextlib
import faulthandler
import importlib.util
import json
import linecache
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import traceback

__all__ = [
    "report", "exit_now", "learner_path", "time_limit", "load_learner", "learner_importable",
    "require", "run_learner", "LearnerRun", "arm_thread_dump", "call_with_timeout", "Outcome",
    "describe_threads", "shake_races", "yield_now", "SlowLock", "InFlight", "ThreadWatch",
    "watch_executors", "executors_made", "open_executors", "child_processes", "run_async",
    "AsyncOutcome", "cancel_outcome", "crunch",
]

_PRINT_LOCK = threading.Lock()


# ---------------------------------------------------------------- reporting

def _plain(value):
    """A figure as the protocol allows (a number or a string): anything else as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        # JSON has no NaN or infinity (strict parsers reject them): those become strings
        return round(value, 4) if value == value and abs(value) != float("inf") else str(value)
    return repr(value)


def report(name, passed, message="", **figures):
    """Print one check line (``name``, ``passed``, ``message``, ``figures``) and flush.

    Returns ``passed`` so a grader can write ``ok = report(...) and ok``.
    """
    line = json.dumps(allow_nan=False, obj={
        "name": str(name),
        "passed": bool(passed),
        "message": str(message),
        "figures": {str(k): _plain(v) for k, v in figures.items()},
    })
    with _PRINT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    return bool(passed)


def exit_now(code=0):
    """Flush and leave at once, even if learner threads are stuck holding locks."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


# ---------------------------------------------------------------- the learner's file

def learner_path():
    """The learner's file: ``sys.argv[1]`` as an absolute path."""
    if len(sys.argv) < 2:
        raise SystemExit("usage: check.py LEARNER_FILE")
    return os.path.abspath(sys.argv[1])


def time_limit(default=20.0):
    """The grading run's wall-clock limit in seconds (``PYCONC_TIME_LIMIT``)."""
    try:
        value = float(os.environ.get("PYCONC_TIME_LIMIT", default))
    except ValueError:
        value = default
    return value if value > 0 else default


def load_learner(name="learner", required=True):
    """Import the learner's file as module ``name``; its ``__main__`` block is not run.

    The file's folder goes on ``sys.path`` so it can import its neighbours. If the import
    fails and ``required`` is true, a failed check "your file loads" is reported with the
    traceback and the grader exits; otherwise the exception propagates.
    """
    path = learner_path()
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - any failure of the learner's import
        if not required or isinstance(exc, KeyboardInterrupt):
            raise
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        sys.stderr.write(text)
        report("your file loads", False,
               "importing your file raised %s: %s (the traceback is in the output)"
               % (type(exc).__name__, exc))
        exit_now(0)
    return module


class _LearnerFinder:
    """A meta path finder that imports module ``name`` from the learner's file."""

    def __init__(self, name, path):
        self.name = name
        self.path = path

    def find_spec(self, fullname, path=None, target=None):
        """The learner's file for ``name``; None for every other module."""
        if fullname != self.name:
            return None
        return importlib.util.spec_from_file_location(fullname, self.path)


def learner_importable(name="learner"):
    """Make ``import learner`` find the learner's file, in this process and pool workers.

    Call it at the top level of check.py (outside its ``__main__`` guard): process-pool
    workers started with spawn or forkserver re-run that top level (with the same
    ``sys.argv``), so they can unpickle functions defined in the learner's file.
    """
    if len(sys.argv) < 2 or any(isinstance(f, _LearnerFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _LearnerFinder(name, learner_path()))


def require(module, *names):
    """Report a failed check and exit unless ``module`` defines every one of ``names``."""
    missing = [n for n in names if not hasattr(module, n)]
    if missing:
        report("your file defines what the grader calls", False,
               "missing: %s (the starter's docstring lists the names the grader calls)"
               % ", ".join(missing))
        exit_now(0)


# The bootstrap run in the child by run_learner. argv: report path, dump delay, start method,
# prelude, learner path, learner args. It arms faulthandler, watches executors, runs the file
# as __main__ and writes what is left running (threads, child processes, executors) as JSON.
_BOOTSTRAP = r'''
import faulthandler, json, os, runpy, signal, sys, threading, time, traceback
_report, _dump, _method, _prelude, _path = sys.argv[1:6]
sys.argv = [_path] + sys.argv[6:]
if os.name == "posix":
    def _watchdog(parent=os.getppid()):
        # This child runs in its own session: if the grader dies (pyconc killed its group),
        # take this whole group down too, within 0.2 s.
        while True:
            time.sleep(0.2)
            if os.getppid() != parent:
                try:
                    os.killpg(0, signal.SIGKILL)
                finally:
                    os._exit(1)
    threading.Thread(target=_watchdog, name="pyconc-watchdog", daemon=True).start()
if float(_dump) > 0:
    faulthandler.dump_traceback_later(float(_dump), exit=True)
if _method:
    import multiprocessing
    multiprocessing.set_start_method(_method, force=True)
import concurrent.futures.thread as _cft, concurrent.futures.process as _cfp
_executors = []
def _watch(cls):
    original = cls.__init__
    def __init__(self, *a, **k):
        _executors.append(self)
        original(self, *a, **k)
    cls.__init__ = __init__
_watch(_cft.ThreadPoolExecutor)
_watch(_cfp.ProcessPoolExecutor)
sys.path[0] = os.path.dirname(_path)
if _prelude:
    exec(compile(_prelude, "<grader prelude>", "exec"), {"__name__": "__pyconc_prelude__"})
_code = 0
_error = ""
try:
    runpy.run_path(_path, run_name="__main__")
except SystemExit as e:
    _code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    if e.code is not None and not isinstance(e.code, int):
        sys.stderr.write(str(e.code) + "\n")
except BaseException as e:
    traceback.print_exc()
    _code = 1
    _error = type(e).__name__
_deadline = time.monotonic() + 0.2
def _alive():
    return [t for t in threading.enumerate()
            if t is not threading.main_thread() and t.is_alive()
            and t.name != "pyconc-watchdog"
            and not t.name.startswith("QueueFeederThread")
            and type(t).__module__ != "concurrent.futures.process"]
while _alive() and time.monotonic() < _deadline:
    time.sleep(0.01)
_threads = [t.name + (" (daemon)" if t.daemon else "") for t in _alive()]
_children = []
if "multiprocessing" in sys.modules:
    import multiprocessing
    _children = [p.name for p in multiprocessing.active_children()]
_open = [type(e).__name__ for e in _executors
         if not (getattr(e, "_shutdown", False) or getattr(e, "_shutdown_thread", False))]
with open(_report, "w") as f:
    json.dump({"threads": _threads, "children": _children, "executors": _open,
               "exit_code": _code, "error": _error}, f)
sys.stdout.flush()
sys.exit(_code)
'''


class LearnerRun(tuple):
    """``(returncode, stdout, stderr, elapsed_s)`` of :func:`run_learner`, with more attributes.

    ``timed_out`` (bool), ``leaks`` (dict: ``threads``, ``children``, ``executors`` still
    running when the script's main code returned; empty when it did not return),
    ``signal_sent_at`` (seconds after start, or None) and ``exit_after_signal_s``.
    """

    def __new__(cls, returncode, stdout, stderr, elapsed, **extra):
        self = tuple.__new__(cls, (returncode, stdout, stderr, elapsed))
        self.returncode, self.stdout, self.stderr, self.elapsed_s = (
            returncode, stdout, stderr, elapsed)
        self.timed_out = extra.get("timed_out", False)
        self.leaks = extra.get("leaks", {})
        self.signal_sent_at = extra.get("signal_sent_at")
        self.exit_after_signal_s = (
            None if self.signal_sent_at is None else elapsed - self.signal_sent_at)
        return self

    def leak_list(self):
        """Words for everything left running: ``["thread 'worker-1'", ...]``."""
        out = ["thread '%s'" % t for t in self.leaks.get("threads", [])]
        out += ["child process '%s'" % c for c in self.leaks.get("children", [])]
        out += ["%s never shut down" % e for e in self.leaks.get("executors", [])]
        return out


def _kill_group(proc):
    """Kill the child's whole process group (POSIX) or the child (elsewhere)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (OSError, ProcessLookupError):
        pass


def run_learner(args=(), timeout=None, env=None, start_method=None, prelude="",
                signal_on=None, max_bytes=1 << 20):
    """Run the learner's file as a script in a child (same interpreter, ``-X utf8 -u``).

    - ``timeout``: seconds (default: the time limit minus 3 s). ``faulthandler`` in the child
      dumps every thread's stack to its stderr at ``timeout`` and exits; 2 s later the child's
      process group is killed. ``timed_out`` is then true.
    - ``start_method``: force ``multiprocessing``'s start method ("spawn" shows a missing
      ``__main__`` guard on every platform).
    - ``prelude``: Python source run in the child before the learner's file (e.g. a spy).
    - ``signal_on``: ``(text, signum)``: send ``signum`` once a stdout line contains ``text``.
    - ``env``: extra environment variables.

    The child runs in its own session (POSIX), so its leftovers can be killed as a group; a
    watchdog thread in it (``pyconc-watchdog``, not counted as a leak) kills that group
    within 0.2 s if the grader dies first (pyconc cancelled the run).

    Returns a :class:`LearnerRun`, which unpacks as ``(returncode, stdout, stderr, elapsed_s)``.
    """
    import tempfile
    if timeout is None:
        timeout = max(1.0, time_limit() - 3.0)
    path = learner_path()
    fd, report_path = tempfile.mkstemp(prefix="pyconc-leaks-", suffix=".json")
    os.close(fd)
    child_env = dict(os.environ)
    child_env.update(env or {})
    cmd = [sys.executable, "-X", "utf8", "-u", "-c", _BOOTSTRAP, report_path, str(timeout),
           start_method or "", prelude, path] + [str(a) for a in args]
    kwargs = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True
    else:
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=child_env, **kwargs)
    chunks = {"out": [], "err": []}
    sent = []

    def pump(stream, key, watch):
        size = 0
        for raw in iter(stream.readline, b""):
            if size < max_bytes:
                chunks[key].append(raw)
                size += len(raw)
            if watch and not sent and signal_on[0] in raw.decode("utf-8", "replace"):
                sent.append(time.monotonic() - start)
                try:
                    proc.send_signal(signal_on[1])
                except OSError:
                    pass
        stream.close()

    readers = [
        threading.Thread(target=pump, args=(proc.stdout, "out", bool(signal_on)), daemon=True),
        threading.Thread(target=pump, args=(proc.stderr, "err", False), daemon=True),
    ]
    for r in readers:
        r.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout + 2.0)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        proc.wait()
    elapsed = time.monotonic() - start
    if proc.returncode is not None and proc.returncode != 0 and elapsed >= timeout - 0.05:
        timed_out = True  # faulthandler's exit after the dump
    _kill_group(proc)  # anything the script left behind in its group
    for r in readers:
        r.join(2.0)
    leaks = {}
    try:
        with open(report_path) as f:
            text = f.read()
        if text:
            leaks = json.loads(text)
    except (OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError):
            os.remove(report_path)
    out = b"".join(chunks["out"]).decode("utf-8", "replace")
    err = b"".join(chunks["err"]).decode("utf-8", "replace")
    return LearnerRun(proc.returncode, out, err, elapsed, timed_out=timed_out, leaks=leaks,
                      signal_sent_at=sent[0] if sent else None)


# ---------------------------------------------------------------- hangs

def arm_thread_dump(margin=1.5):
    """Dump every thread's stack to stderr ``margin`` s before the time limit (no exit).

    Call it first in a grader that imports the learner's code, so a deadlock inside a learner
    function still shows where each thread waits when pyconc kills the run.
    """
    faulthandler.dump_traceback_later(max(0.5, time_limit() - margin), exit=False)


def _frame_summary(frame, prefer):
    """(file name, line, source) of the deepest frame in ``prefer``'s file, else the innermost."""
    chosen = frame
    f = frame
    while f is not None:
        if prefer and os.path.abspath(f.f_code.co_filename) == prefer:
            chosen = f
            break
        f = f.f_back
    line = linecache.getline(chosen.f_code.co_filename, chosen.f_lineno).strip()
    return os.path.basename(chosen.f_code.co_filename), chosen.f_lineno, line


def describe_threads(threads=None, prefer=None):
    """One line per thread: where it is now, e.g. ``'t1' at start.py line 12: with b.lock:``.

    ``threads``: the threads to describe (default: all but the caller). ``prefer``: a file
    whose frames name the place (default: the learner's file).
    """
    if prefer is None and len(sys.argv) > 1:
        prefer = learner_path()
    frames = sys._current_frames()
    me = threading.get_ident()
    if threads is None:
        threads = [t for t in threading.enumerate() if t.ident != me]
    lines = []
    for t in threads:
        frame = frames.get(t.ident)
        if frame is None:
            continue
        name, lineno, source = _frame_summary(frame, prefer)
        lines.append("'%s' at %s line %d: %s" % (t.name, name, lineno, source))
    return lines


class Outcome:
    """What :func:`call_with_timeout` saw: ``done``, ``value``, ``error``, ``elapsed_s``."""

    def __init__(self):
        self.done = False
        self.value = None
        self.error = None
        self.elapsed_s = 0.0
        self.thread = None

    def error_text(self):
        """``"ValueError: bad"`` or ``""``."""
        if self.error is None:
            return ""
        return "%s: %s" % (type(self.error).__name__, self.error)


def call_with_timeout(fn, *args, timeout=5.0, name="grader-call", **kwargs):
    """Call ``fn(*args, **kwargs)`` in a daemon thread; wait at most ``timeout`` seconds.

    Threads the learner starts from there are daemon threads too (unless they say otherwise),
    so a deadlock cannot keep the grader alive: report it, then :func:`exit_now`.
    """
    out = Outcome()
    start = time.monotonic()

    def body():
        try:
            out.value = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported to the grader
            out.error = exc
        finally:
            out.elapsed_s = time.monotonic() - start
            out.done = True

    t = threading.Thread(target=body, name=name, daemon=True)
    out.thread = t
    t.start()
    t.join(timeout)
    if not out.done:
        out.elapsed_s = time.monotonic() - start
    return out


# ---------------------------------------------------------------- races

@contextlib.contextmanager
def shake_races(interval=1e-6):
    """Switch threads as often as CPython can (``sys.setswitchinterval``) inside the block."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def yield_now():
    """Let another thread run now: a real (tiny) sleep releases the GIL long enough for a
    waiting thread to take it, which ``sleep(0)`` does not promise on every version."""
    time.sleep(1e-5)


class SlowLock:
    """A lock that holds on a moment after each acquire, so lock-order bugs deadlock at once.

    Wraps a real lock (``threading.Lock`` by default); supports ``with``, ``acquire``,
    ``release`` and ``locked``. ``hold``: seconds to pause after acquiring.
    """

    def __init__(self, lock=None, hold=0.002):
        self._lock = lock if lock is not None else threading.Lock()
        self.hold = hold

    def acquire(self, blocking=True, timeout=-1):
        """Acquire the wrapped lock, then pause ``hold`` seconds."""
        got = self._lock.acquire(blocking, timeout)
        if got and self.hold:
            time.sleep(self.hold)
        return got

    def release(self):
        """Release the wrapped lock."""
        self._lock.release()

    def locked(self):
        """Whether the wrapped lock is held."""
        return self._lock.locked()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()
        return False


class InFlight:
    """Counts how many callers are inside at once (threads or tasks); keeps the maximum.

    ``with tracker:`` around the work; ``tracker.max`` and ``tracker.total`` after.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.now = 0
        self.max = 0
        self.total = 0

    def __enter__(self):
        with self._lock:
            self.now += 1
            self.total += 1
            self.max = max(self.max, self.now)
        return self

    def __exit__(self, *exc):
        with self._lock:
            self.now -= 1
        return False


# ---------------------------------------------------------------- leaks

class ThreadWatch:
    """Threads started after this object was made that are still alive.

    ``watch = ThreadWatch(); ...; watch.leaked(grace=0.3)`` gives the names of new threads
    still running after waiting up to ``grace`` seconds for them to end.
    """

    def __init__(self):
        self.before = set(threading.enumerate())

    def alive(self):
        """New threads alive now (not the caller's)."""
        me = threading.current_thread()
        return [t for t in threading.enumerate()
                if t not in self.before and t is not me and t.is_alive()]

    def leaked(self, grace=0.3):
        """Names of new threads still alive after ``grace`` seconds."""
        deadline = time.monotonic() + grace
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        return [t.name for t in self.alive()]


_EXECUTORS = []


def watch_executors():
    """Record every ThreadPoolExecutor / ProcessPoolExecutor made from now on.

    Call it before :func:`load_learner`; :func:`open_executors` lists those not shut down
    and ``executors_made()`` how many were made.
    """
    import concurrent.futures.process as cfp
    import concurrent.futures.thread as cft
    for cls in (cft.ThreadPoolExecutor, cfp.ProcessPoolExecutor):
        if getattr(cls.__init__, "_pyconc_watched", False):
            continue
        original = cls.__init__

        def __init__(self, *a, _original=original, **k):
            _EXECUTORS.append(self)
            _original(self, *a, **k)

        __init__._pyconc_watched = True
        cls.__init__ = __init__


def executors_made():
    """How many executors were made since :func:`watch_executors`."""
    return len(_EXECUTORS)


def open_executors():
    """Executors made since :func:`watch_executors` and not shut down (their class names)."""
    return [type(e).__name__ for e in _EXECUTORS
            if not (getattr(e, "_shutdown", False) or getattr(e, "_shutdown_thread", False))]


def _multiprocessing_helpers():
    """Pids of multiprocessing's own long-lived helpers (forkserver, resource tracker)."""
    pids = set()
    mods = sys.modules
    fs = getattr(mods.get("multiprocessing.forkserver"), "_forkserver", None)
    rt = getattr(mods.get("multiprocessing.resource_tracker"), "_resource_tracker", None)
    for pid in (getattr(fs, "_forkserver_pid", None), getattr(rt, "_pid", None)):
        if pid:
            pids.add(str(pid))
    return pids


def child_processes():
    """Child processes of this process still running: multiprocessing's, and on Linux any.

    multiprocessing's own helpers (the forkserver, the resource tracker) are not counted.
    """
    names = []
    if "multiprocessing" in sys.modules:
        import multiprocessing
        names = ["%s (pid %s)" % (p.name, p.pid) for p in multiprocessing.active_children()]
    known = {n.rsplit("pid ", 1)[-1].rstrip(")") for n in names} | _multiprocessing_helpers()
    task_dir = "/proc/self/task"
    if os.path.isdir(task_dir):
        for tid in os.listdir(task_dir):
            try:
                with open(os.path.join(task_dir, tid, "children")) as f:
                    pids = f.read().split()
            except OSError:
                continue
            for pid in pids:
                if pid not in known:
                    known.add(pid)
                    names.append("process (pid %s)" % pid)
    return names


# ---------------------------------------------------------------- asyncio

class AsyncOutcome(Outcome):
    """What :func:`run_async` saw, beyond :class:`Outcome`'s fields.

    ``max_lag_s`` (the longest the loop was late for a 10 ms heartbeat), ``slow`` (debug
    mode's slow-callback reports), ``pending`` (tasks not finished when the coroutine
    returned: name and coroutine), ``never_retrieved`` (task exceptions nobody looked at),
    ``timed_out`` (the coroutine ran past ``timeout`` and was cancelled).
    """

    def __init__(self):
        super().__init__()
        self.max_lag_s = 0.0
        self.slow = []
        self.pending = []
        self.never_retrieved = []
        self.timed_out = False


class _SlowCallbacks(logging.Handler):
    """Collects asyncio's "Executing ... took N seconds" debug-mode warnings."""

    def __init__(self, sink):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record):
        text = record.getMessage()
        if "took" in text and "seconds" in text:
            self.sink.append(text)


def _task_text(task):
    coro = task.get_coro()
    name = task.get_name() if hasattr(task, "get_name") else "task"
    return "%s (%s)" % (name, getattr(coro, "__qualname__", repr(coro)))


async def _heartbeat(out, interval):
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        try:
            await asyncio.sleep(interval)
        finally:  # also when cancelled: a block just before the end still counts
            late = loop.time() - before - interval
            if late > out.max_lag_s:
                out.max_lag_s = late


def run_async(coro_fn, *args, timeout=5.0, debug=False, slow_s=0.1, hard_timeout=None,
              **kwargs):
    """Run ``coro_fn(*args, **kwargs)`` in a fresh event loop, watched.

    The loop runs in a daemon thread (a blocking call can never hang the grader: after
    ``hard_timeout``, default ``timeout + 3`` s, ``done`` stays false). A heartbeat task
    measures loop lag; ``debug`` turns on asyncio's debug mode, whose slow-callback reports
    (longer than ``slow_s``) are collected. When the coroutine returns, the tasks still
    pending are recorded, then cancelled. Returns an :class:`AsyncOutcome`.
    """
    out = AsyncOutcome()
    logger = logging.getLogger("asyncio")
    handler = _SlowCallbacks(out.slow)

    async def main():
        loop = asyncio.get_running_loop()
        loop.slow_callback_duration = slow_s

        def on_error(loop, context):
            msg = context.get("message", "")
            exc = context.get("exception")
            if exc is not None:
                msg += ": %s: %s" % (type(exc).__name__, exc)
            out.never_retrieved.append(msg)

        loop.set_exception_handler(on_error)
        beat = asyncio.ensure_future(_heartbeat(out, 0.01))
        start = time.monotonic()
        try:
            out.value = await asyncio.wait_for(coro_fn(*args, **kwargs), timeout)
        except asyncio.TimeoutError:
            out.timed_out = True
        except BaseException as exc:  # noqa: BLE001 - reported to the grader
            out.error = exc
        out.elapsed_s = time.monotonic() - start
        me = asyncio.current_task()
        left = [t for t in asyncio.all_tasks() if t is not me and t is not beat and not t.done()]
        out.pending = [_task_text(t) for t in left]
        beat.cancel()
        for t in left:
            t.cancel()
        await asyncio.gather(beat, *left, return_exceptions=True)

    def body():
        logger.addHandler(handler)
        try:
            asyncio.run(main(), debug=debug)
        except BaseException as exc:  # noqa: BLE001
            if out.error is None:
                out.error = exc
        finally:
            logger.removeHandler(handler)
            out.done = True

    t = threading.Thread(target=body, name="pyconc-loop", daemon=True)
    out.thread = t
    start = time.monotonic()
    t.start()
    t.join(timeout + 3.0 if hard_timeout is None else hard_timeout)
    if not out.done:
        out.elapsed_s = time.monotonic() - start
    return out


async def cancel_outcome(coro_fn, *args, after=0.05, **kwargs):
    """Start ``coro_fn(*args)`` as a task, cancel it after ``after`` s; say what it did.

    Returns ``("cancelled", None)`` when the task ended cancelled (it re-raised
    ``CancelledError``), ``("swallowed", value)`` when it returned normally anyway,
    ``("raised", exc)`` when it raised something else, ``("finished", value)`` when it ended
    before the cancel.
    """
    task = asyncio.ensure_future(coro_fn(*args, **kwargs))
    await asyncio.sleep(after)
    if task.done():
        return ("finished", task.result() if not task.exception() else task.exception())
    task.cancel()
    try:
        value = await task
    except asyncio.CancelledError:
        if task.cancelled():
            return ("cancelled", None)
        raise
    except BaseException as exc:  # noqa: BLE001
        return ("raised", exc)
    return ("swallowed", value)


# ---------------------------------------------------------------- work for process pools

def crunch(n):
    """Pure-Python CPU work, importable by pool workers: ``(sum of i*i % 7, pid, thread id)``."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return (total, os.getpid(), threading.get_ident())
