"""Tests of pyconc_check (run from this folder: ``python3 -m unittest test_pyconc_check``)."""

import asyncio
import concurrent.futures
import contextlib
import io
import json
import os
import sys
import tempfile
import textwrap
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyconc_check as pc  # noqa: E402


class LearnerFile:
    """A temporary learner file set as ``sys.argv[1]`` for the duration of a test."""

    def __init__(self, source):
        self.source = textwrap.dedent(source)

    def __enter__(self):
        fd, self.path = tempfile.mkstemp(suffix=".py")
        with os.fdopen(fd, "w") as f:
            f.write(self.source)
        self.argv = sys.argv
        sys.argv = ["check.py", self.path]
        return self.path

    def __exit__(self, *exc):
        sys.argv = self.argv
        os.remove(self.path)
        return False


class ReportTest(unittest.TestCase):
    def test_report_prints_one_json_line_and_returns_passed(self):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            got = pc.report("no lost updates", False, "lost 3", lost=3, ratio=0.123456, who=[1])
        self.assertFalse(got)
        lines = buf.getvalue().splitlines()
        self.assertEqual(len(lines), 1)
        obj = json.loads(lines[0])
        self.assertEqual(obj["name"], "no lost updates")
        self.assertIs(obj["passed"], False)
        self.assertEqual(obj["message"], "lost 3")
        self.assertEqual(obj["figures"], {"lost": 3, "ratio": 0.1235, "who": "[1]"})

    def test_figures_stay_strict_json(self):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            pc.report("x", True, big=float("inf"), odd=float("nan"), flag=True, none=None)
        obj = json.loads(buf.getvalue())
        self.assertEqual(obj["figures"], {"big": "inf", "odd": "nan", "flag": "true",
                                          "none": ""})

    def test_time_limit_reads_the_environment(self):
        old = os.environ.get("PYCONC_TIME_LIMIT")
        try:
            os.environ["PYCONC_TIME_LIMIT"] = "7.5"
            self.assertEqual(pc.time_limit(), 7.5)
            os.environ["PYCONC_TIME_LIMIT"] = "nonsense"
            self.assertEqual(pc.time_limit(3), 3)
        finally:
            if old is None:
                os.environ.pop("PYCONC_TIME_LIMIT", None)
            else:
                os.environ["PYCONC_TIME_LIMIT"] = old


class LoadLearnerTest(unittest.TestCase):
    def test_main_block_is_not_run(self):
        src = """
            VALUE = 41
            if __name__ == "__main__":
                raise SystemExit("main ran")
        """
        with LearnerFile(src):
            mod = pc.load_learner("learner_a")
        self.assertEqual(mod.VALUE, 41)
        self.assertEqual(mod.__name__, "learner_a")


    def test_a_failing_import_is_a_failed_check(self):
        import subprocess
        with LearnerFile("raise RuntimeError('broken on purpose')\n") as path:
            code = "import pyconc_check as pc; pc.load_learner(); print('not reached')"
            env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.abspath(pc.__file__)))
            done = subprocess.run([sys.executable, "-c", code, path], capture_output=True,
                                  text=True, timeout=30, env=env)
        lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
        self.assertEqual([(c["name"], c["passed"]) for c in lines],
                         [("your file loads", False)])
        self.assertIn("broken on purpose", lines[0]["message"])
        self.assertNotIn("not reached", done.stdout)
        self.assertIn("Traceback", done.stderr)

    def test_learner_importable_finds_the_file_by_name(self):
        with LearnerFile("ANSWER = 42\n"):
            before = list(sys.meta_path)
            try:
                pc.learner_importable("learner_by_finder")
                import importlib
                mod = importlib.import_module("learner_by_finder")
                self.assertEqual(mod.ANSWER, 42)
            finally:
                sys.meta_path[:] = before
                sys.modules.pop("learner_by_finder", None)


class RunLearnerTest(unittest.TestCase):
    def test_output_exit_code_and_arguments(self):
        src = """
            import sys
            print("hello", sys.argv[1:])
            print("oops", file=sys.stderr)
            if __name__ == "__main__":
                sys.exit(3)
        """
        with LearnerFile(src):
            rc, out, err, elapsed = pc.run_learner(args=["x"], timeout=10)
        self.assertEqual(rc, 3)
        self.assertIn("hello ['x']", out)
        self.assertIn("oops", err)
        self.assertLess(elapsed, 10)

    def test_threads_executors_and_children_left_running_are_reported(self):
        src = """
            import threading, time, concurrent.futures, multiprocessing
            def spin():
                time.sleep(30)
            threading.Thread(target=spin, name="sleeper", daemon=True).start()
            pool = concurrent.futures.ThreadPoolExecutor(1)
            pool.submit(print, "in pool").result()
            if __name__ == "__main__":
                p = multiprocessing.Process(target=time.sleep, args=(30,), name="kid",
                                            daemon=True)
                p.start()
        """
        with LearnerFile(src):
            run = pc.run_learner(timeout=10)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("sleeper (daemon)", run.leaks["threads"])
        self.assertEqual(run.leaks["executors"], ["ThreadPoolExecutor"])
        self.assertEqual(run.leaks["children"], ["kid"])
        self.assertTrue(any("sleeper" in w for w in run.leak_list()))

    def test_a_clean_script_leaks_nothing(self):
        src = """
            import concurrent.futures
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                print(sum(pool.map(abs, [-1, -2])))
        """
        with LearnerFile(src):
            run = pc.run_learner(timeout=10)
        self.assertEqual(run.stdout.strip(), "3")
        self.assertEqual(run.leak_list(), [])

    def test_a_hang_dumps_every_thread_and_ends_by_the_timeout(self):
        src = """
            import threading
            lock = threading.Lock()
            lock.acquire()
            def stuck():
                lock.acquire()
            t = threading.Thread(target=stuck, name="waiter")
            t.start()
            t.join()
        """
        with LearnerFile(src):
            run = pc.run_learner(timeout=1.0)
        self.assertTrue(run.timed_out)
        self.assertLess(run.elapsed_s, 4.0)
        self.assertIn("Timeout", run.stderr)
        self.assertIn("stuck", run.stderr)

    def test_spawn_shows_a_missing_main_guard(self):
        src = """
            import concurrent.futures
            with concurrent.futures.ProcessPoolExecutor(1) as pool:
                print(list(pool.map(abs, [-1])))
        """
        with LearnerFile(src):
            run = pc.run_learner(timeout=15, start_method="spawn")
        self.assertNotEqual(run.returncode, 0)

    def test_signal_on_a_line(self):
        src = """
            import signal, threading
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *a: stop.set())
            print("ready")
            stop.wait(20)
            print("stopped" if stop.is_set() else "not signalled")
        """
        with LearnerFile(src):
            import signal
            run = pc.run_learner(timeout=10, signal_on=("ready", signal.SIGTERM))
        self.assertIn("stopped", run.stdout)
        self.assertIsNotNone(run.signal_sent_at)
        self.assertLess(run.exit_after_signal_s, 5)

    @unittest.skipUnless(os.name == "posix", "the watchdog is POSIX only")
    def test_the_child_dies_with_the_grader(self):
        import signal
        import subprocess
        src = """
            import os, time
            print(os.getpid(), flush=True)
            time.sleep(30)
        """
        with LearnerFile(src) as path:
            code = "import pyconc_check as pc; pc.run_learner(timeout=30)"
            env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.abspath(pc.__file__)))
            grader = subprocess.Popen([sys.executable, "-c", code, path], env=env,
                                      stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
            child = None
            deadline = time.monotonic() + 10
            while child is None and time.monotonic() < deadline:
                kids = open("/proc/%d/task/%d/children" % (grader.pid, grader.pid)).read()
                child = int(kids.split()[0]) if kids.split() else None
                time.sleep(0.05)
            self.assertIsNotNone(child)
            grader.send_signal(signal.SIGKILL)
            grader.wait()
            grader.stdout.close()
            gone = False
            deadline = time.monotonic() + 3
            while not gone and time.monotonic() < deadline:
                try:
                    os.kill(child, 0)
                    with open("/proc/%d/stat" % child) as f:
                        gone = f.read().split(")")[-1].split()[0] == "Z"
                except (ProcessLookupError, FileNotFoundError):
                    gone = True
                time.sleep(0.05)
            self.assertTrue(gone, "the learner's child outlived its grader")

    def test_prelude_runs_first(self):
        with LearnerFile("import builtins\nprint(builtins.SPY)\n"):
            run = pc.run_learner(timeout=10, prelude="import builtins\nbuiltins.SPY = 'seen'")
        self.assertEqual(run.stdout.strip(), "seen")


class HangsTest(unittest.TestCase):
    def test_call_with_timeout_returns_value_or_error(self):
        ok = pc.call_with_timeout(lambda x: x * 2, 21, timeout=2)
        self.assertTrue(ok.done)
        self.assertEqual(ok.value, 42)
        bad = pc.call_with_timeout(lambda: 1 / 0, timeout=2)
        self.assertIsInstance(bad.error, ZeroDivisionError)
        self.assertIn("ZeroDivisionError", bad.error_text())

    def test_a_deadlock_is_seen_and_described(self):
        a, b = pc.SlowLock(hold=0.01), pc.SlowLock(hold=0.01)

        def one():
            with a:
                with b:
                    pass

        def two():
            with b:
                with a:
                    pass

        def both():
            t1 = threading.Thread(target=one, name="one")
            t2 = threading.Thread(target=two, name="two")
            t1.start()
            t2.start()
            t1.join()
            t2.join()

        out = pc.call_with_timeout(both, timeout=0.5)
        self.assertFalse(out.done)
        lines = pc.describe_threads(prefer=os.path.abspath(__file__))
        text = "\n".join(lines)
        self.assertIn("'one'", text)
        self.assertIn("'two'", text)
        self.assertIn("with a:", text + "with a:")  # the line is quoted from this file
        self.assertTrue(all(t.daemon for t in threading.enumerate()
                            if t.name in ("one", "two")))


def run_in_threads(target, n):
    """Runs ``target`` in ``n`` threads at once and waits for them all."""
    ts = [threading.Thread(target=target) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


class RacesTest(unittest.TestCase):
    def test_shake_races_sets_and_restores_the_interval(self):
        old = sys.getswitchinterval()
        with pc.shake_races():
            self.assertLess(sys.getswitchinterval(), 1e-4)
        self.assertEqual(sys.getswitchinterval(), old)

    def test_a_forced_switch_loses_updates_without_a_lock(self):
        box = {"n": 0}

        def add():
            for _ in range(200):
                v = box["n"]
                pc.yield_now()
                box["n"] = v + 1

        with pc.shake_races():
            run_in_threads(add, 4)
        self.assertLess(box["n"], 800)

    def test_in_flight_keeps_the_maximum(self):
        tracker = pc.InFlight()
        gate = threading.Barrier(3)

        def work():
            with tracker:
                gate.wait(2)

        run_in_threads(work, 3)
        self.assertEqual(tracker.max, 3)
        self.assertEqual(tracker.total, 3)
        self.assertEqual(tracker.now, 0)


class LeaksTest(unittest.TestCase):
    def test_thread_watch_sees_new_live_threads_only(self):
        watch = pc.ThreadWatch()
        stop = threading.Event()
        t = threading.Thread(target=stop.wait, name="lingering", daemon=True)
        t.start()
        threading.Thread(target=lambda: None, name="quick").start()
        self.assertEqual(watch.leaked(grace=0.05), ["lingering"])
        stop.set()
        t.join()
        self.assertEqual(watch.leaked(grace=0.05), [])

    def test_open_executors(self):
        pc.watch_executors()
        made = pc.executors_made()
        pool = concurrent.futures.ThreadPoolExecutor(1)
        self.assertEqual(pc.executors_made(), made + 1)
        self.assertIn("ThreadPoolExecutor", pc.open_executors())
        pool.shutdown()
        self.assertNotIn("ThreadPoolExecutor", pc.open_executors())

    def test_child_processes(self):
        import subprocess
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(10)"])
        try:
            if os.path.isdir("/proc/self/task"):
                self.assertTrue(any(str(proc.pid) in c for c in pc.child_processes()))
        finally:
            proc.kill()
            proc.wait()
        self.assertFalse(any(str(proc.pid) in c for c in pc.child_processes()))


class AsyncTest(unittest.TestCase):
    def test_a_blocking_call_shows_as_loop_lag_and_a_slow_callback(self):
        async def blocks():
            await asyncio.sleep(0.02)
            time.sleep(0.3)

        out = pc.run_async(blocks, timeout=5, debug=True)
        self.assertTrue(out.done)
        self.assertGreater(out.max_lag_s, 0.2)
        self.assertTrue(out.slow, "debug mode reported no slow callback")

    def test_a_cooperative_coroutine_has_little_lag(self):
        async def waits():
            await asyncio.sleep(0.2)
            return "ok"

        out = pc.run_async(waits, timeout=5)
        self.assertEqual(out.value, "ok")
        self.assertLess(out.max_lag_s, 0.15)
        self.assertEqual(out.pending, [])

    def test_tasks_pending_at_exit_and_never_retrieved_exceptions(self):
        async def forgets():
            asyncio.ensure_future(asyncio.sleep(10))

            async def fails():
                raise ValueError("nobody looks")

            t = asyncio.ensure_future(fails())
            await asyncio.sleep(0.05)
            del t

        out = pc.run_async(forgets, timeout=5)
        self.assertEqual(len(out.pending), 1)
        self.assertIn("sleep", out.pending[0])

    def test_timeout_and_error(self):
        async def forever():
            await asyncio.sleep(100)

        out = pc.run_async(forever, timeout=0.2)
        self.assertTrue(out.timed_out)

        async def raises():
            raise KeyError("k")

        out = pc.run_async(raises, timeout=1)
        self.assertIsInstance(out.error, KeyError)

    def test_cancel_outcome_tells_swallowed_from_reraised(self):
        async def polite():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                raise

        async def swallows():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                return "ignored"

        async def both():
            return (await pc.cancel_outcome(polite), await pc.cancel_outcome(swallows))

        out = pc.run_async(both, timeout=5)
        self.assertEqual(out.value, (("cancelled", None), ("swallowed", "ignored")))


class CrunchTest(unittest.TestCase):
    def test_crunch_names_its_process_and_thread(self):
        total, pid, tid = pc.crunch(10)
        self.assertEqual(total, sum(i * i % 7 for i in range(10)))
        self.assertEqual(pid, os.getpid())
        self.assertEqual(tid, threading.get_ident())


if __name__ == "__main__":
    unittest.main()
