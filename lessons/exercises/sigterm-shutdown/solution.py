"""Shut down on SIGTERM: an Event, then join(timeout).

Run as a script, this file starts 3 worker threads that each do jobs of 0.05 s in a loop,
then prints "ready". When the process gets SIGTERM (what `kill PID` and service managers
send), it must:
- tell the workers to stop: each finishes the job it is on and prints "worker N stopped";
- wait for them, with a timeout (never forever);
- print "shutdown complete" and exit with status 0, within 1 second of the signal.
No thread may still be running at exit.
"""

import signal
import threading
import time

stop = threading.Event()


def on_signal(signum, frame):
    """Runs in the main thread: only set the event, nothing else."""
    stop.set()


def worker(n):
    """Do jobs until told to stop."""
    jobs = 0
    while not stop.is_set():
        time.sleep(0.05)  # one job
        jobs += 1
    print("worker %d stopped after %d jobs" % (n, jobs))


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = [threading.Thread(target=worker, args=(n,), name="worker-%d" % n)
               for n in range(3)]
    for t in threads:
        t.start()
    print("ready")
    while not stop.wait(0.1):  # a timeout keeps the main thread responsive to signals
        pass
    for t in threads:
        t.join(timeout=1.0)  # never wait forever
        if t.is_alive():
            print(t.name, "did not stop in time")
    print("shutdown complete")


if __name__ == "__main__":
    main()
