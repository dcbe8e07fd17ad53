"""Grader for sigterm-shutdown: runs the script, sends SIGTERM once it prints "ready"."""

import re
import signal

import pyconc_check as pc


def main():
    if not hasattr(signal, "SIGTERM") or not hasattr(signal, "SIGKILL"):
        pc.report("SIGTERM can be sent", False, "this exercise needs a POSIX system "
                  "(Linux, macOS, WSL): there is no SIGTERM to send here")
        return
    run = pc.run_learner(timeout=8, signal_on=("ready", signal.SIGTERM))
    if run.stdout.strip():
        print(run.stdout.rstrip())
    if run.stderr.strip():
        print(run.stderr.rstrip()[-3000:])
    if run.signal_sent_at is None:
        pc.report("prints ready", False, "the script never printed \"ready\" (exit status "
                  "%s), so SIGTERM was not sent" % run.returncode)
        return
    pc.report("prints ready", True)
    killed = run.returncode == -signal.SIGTERM
    ok = run.returncode == 0
    pc.report("exits cleanly on SIGTERM", ok,
              "" if ok else "SIGTERM killed the process on the spot (no handler): the "
              "workers were cut off mid-job" if killed else
              "it timed out after the signal (the thread dump is in the output)"
              if run.timed_out else "exit status %s, want 0" % run.returncode,
              exit_code=run.returncode)
    after = run.exit_after_signal_s
    ok = ok and after is not None and after < 1.5
    pc.report("stops within 1 s", ok,
              "" if ok else "exited %.2f s after the signal" % after if run.returncode == 0
              else "it did not exit cleanly", seconds_after_signal=after)
    stopped = sorted(set(re.findall(r"worker (\d+) stopped", run.stdout)))
    ok = stopped == ["0", "1", "2"]
    pc.report("every worker finishes its job", ok,
              "" if ok else "lines \"worker N stopped\" seen for: %s (want 0, 1 and 2)"
              % (", ".join(stopped) or "none"), stopped=len(stopped))
    done = "shutdown complete" in run.stdout
    left = run.leak_list()
    ok = done and not left and run.returncode == 0
    pc.report("shutdown complete, nothing left running", ok,
              "" if ok else ("still running at exit: " + ", ".join(left)) if left else
              "no \"shutdown complete\" line" if not done else "it did not exit cleanly",
              leaks=len(left))


if __name__ == "__main__":
    main()
