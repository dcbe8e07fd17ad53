"""pyconc x-ray bootstrap: runs a script as __main__ and reports its threads to pyconc.

Run as ``python -X utf8 -u xray_bootstrap.py SCRIPT [ARGS...]``. Standard library only,
works on CPython 3.6 and later. Before the script starts it reports the interpreter's facts;
then every ``threading.Thread`` reports when it starts and when it ends. Nothing else runs
in the target: no tracing, no profiling hook, no extra thread (unless asked for CPU reports).

Protocol (version 1): JSON objects, one per line, UTF-8, written with single ``os.write``
calls (each line shorter than PIPE_BUF, so lines from different threads never interleave)
to the file descriptor named by ``PYCONC_XRAY_FD`` (an inherited pipe, Unix) or appended to
the file named by ``PYCONC_XRAY_FILE`` (elsewhere). Both variables are removed from
``os.environ`` before the script runs, and the descriptor is not inherited by the script's
own children. Every line has ``"event"`` and ``"t"`` (``time.monotonic()`` seconds):

``{"event": "hello", "protocol": 1, "pid", "implementation", "version", "version_info",
  "gil_enabled" (bool, or null where sys._is_gil_enabled does not exist),
  "free_threaded" (bool: Py_GIL_DISABLED build), "switch_interval_s", "executable",
  "thread_cpu_clock" (bool: time.pthread_getcpuclockid exists)}``
    first line, before the script runs.
``{"event": "thread_start", "native_id", "ident", "name", "main" (bool), "daemon"}``
    the main thread (at start) and each Thread as its run() begins, in that thread.
``{"event": "thread_end", "native_id", "name", "cpu_s"}``
    a Thread's run() returned or raised; cpu_s is time.thread_time() in that thread.
``{"event": "cpu", "threads": [{"native_id", "cpu_s"}, ...]}``
    every PYCONC_XRAY_CPU_MS milliseconds when that variable is set (a reporter thread named
    "pyconc-xray-cpu" reads each thread's CPU clock; used where /proc cannot be read).
``{"event": "script_end", "native_id", "cpu_s", "error" (null or the exception's type name)}``
    the script's top level finished (non-daemon threads may still run after it).
A write that fails (pyconc went away) is ignored; the script runs on.
"""

import json
import os
import sys
import threading
import time

PROTOCOL = 1
CPU_THREAD_NAME = "pyconc-xray-cpu"


def _open_channel():
    fd_text = os.environ.pop("PYCONC_XRAY_FD", None)
    path = os.environ.pop("PYCONC_XRAY_FILE", None)
    if fd_text is not None:
        try:
            fd = int(fd_text)
            os.set_inheritable(fd, False)
            return fd
        except (ValueError, OSError):
            return None
    if path is not None:
        try:
            return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError:
            return None
    return None


_FD = _open_channel()


def _send(obj):
    if _FD is None:
        return
    obj["t"] = time.monotonic()
    try:
        os.write(_FD, (json.dumps(obj, separators=(",", ":")) + "\n").encode("utf-8"))
    except (OSError, ValueError):
        pass


def _native_id():
    get = getattr(threading, "get_native_id", None)
    return get() if get is not None else None


def _thread_cpu():
    get = getattr(time, "thread_time", None)
    return round(get(), 6) if get is not None else None


def _hello():
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    try:
        import sysconfig

        free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    except Exception:
        free_threaded = False
    _send(
        {
            "event": "hello",
            "protocol": PROTOCOL,
            "pid": os.getpid(),
            "implementation": sys.implementation.name,
            "version": "%d.%d.%d" % sys.version_info[:3],
            "version_info": list(sys.version_info[:3]),
            "gil_enabled": is_gil_enabled() if is_gil_enabled is not None else None,
            "free_threaded": free_threaded,
            "switch_interval_s": sys.getswitchinterval(),
            "executable": sys.executable,
            "thread_cpu_clock": hasattr(time, "pthread_getcpuclockid"),
        }
    )


def _patch_threads():
    original = threading.Thread._bootstrap_inner

    def _bootstrap_inner(self):
        if self.name == CPU_THREAD_NAME:
            return original(self)
        _send(
            {
                "event": "thread_start",
                "native_id": _native_id(),
                "ident": threading.get_ident(),
                "name": self.name,
                "main": False,
                "daemon": self.daemon,
            }
        )
        try:
            return original(self)
        finally:
            _send(
                {
                    "event": "thread_end",
                    "native_id": _native_id(),
                    "name": self.name,
                    "cpu_s": _thread_cpu(),
                }
            )

    threading.Thread._bootstrap_inner = _bootstrap_inner


def _cpu_reporter(every_s):
    clock_id = getattr(time, "pthread_getcpuclockid", None)
    if clock_id is None:
        return
    while True:
        time.sleep(every_s)
        rows = []
        for th in threading.enumerate():
            if th.name == CPU_THREAD_NAME or th.ident is None:
                continue
            try:
                cpu = time.clock_gettime(clock_id(th.ident))
            except (OSError, OverflowError, ValueError):
                continue
            rows.append({"native_id": getattr(th, "native_id", None), "cpu_s": round(cpu, 6)})
        _send({"event": "cpu", "threads": rows})


def _start_cpu_reporter():
    every_ms = os.environ.pop("PYCONC_XRAY_CPU_MS", None)
    if not every_ms:
        return
    try:
        every_s = max(float(every_ms), 10.0) / 1000.0
    except ValueError:
        return
    threading.Thread(target=_cpu_reporter, args=(every_s,), name=CPU_THREAD_NAME, daemon=True).start()


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: xray_bootstrap.py SCRIPT [ARGS...]\n")
        return 2
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    _hello()
    main_thread = threading.main_thread()
    _send(
        {
            "event": "thread_start",
            "native_id": _native_id(),
            "ident": main_thread.ident,
            "name": main_thread.name,
            "main": True,
            "daemon": False,
        }
    )
    _patch_threads()
    _start_cpu_reporter()
    import runpy

    error = None
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        error = None if exc.code in (None, 0) else "SystemExit"
        raise
    except BaseException as exc:
        error = type(exc).__name__
        raise
    finally:
        _send({"event": "script_end", "native_id": _native_id(), "cpu_s": _thread_cpu(), "error": error})
    return 0


if __name__ == "__main__":
    sys.exit(main())
