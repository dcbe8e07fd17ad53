# pyconc's interpreter probe: prints one JSON object about the Python running it.
# Runs on Python 2.7 and every Python 3 (no f-strings, no walrus, print with one argument).
import json
import platform
import sys

info = {
    "version": list(sys.version_info[:3]),
    "implementation": platform.python_implementation(),
    "executable": sys.executable,
    "free_threaded": False,
    "gil_enabled": None,
    "start_method": None,
    "cpu_count": None,
}
try:
    import sysconfig
    info["free_threaded"] = sysconfig.get_config_var("Py_GIL_DISABLED") == 1
except Exception:
    pass
is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
if is_gil_enabled is not None:
    info["gil_enabled"] = bool(is_gil_enabled())
try:
    import multiprocessing
    get_start_method = getattr(multiprocessing, "get_start_method", None)
    if get_start_method is not None:
        info["start_method"] = get_start_method(allow_none=False)
    info["cpu_count"] = multiprocessing.cpu_count()
except Exception:
    pass
try:
    import os
    process_cpu_count = getattr(os, "process_cpu_count", None)
    if process_cpu_count is not None:
        info["cpu_count"] = process_cpu_count()
except Exception:
    pass
print("PYCONC-PROBE " + json.dumps(info))
