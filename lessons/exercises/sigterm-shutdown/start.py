"""Shut down on SIGTERM: an Event, then join(timeout).

Run as a script, this file starts 3 worker threads that each do jobs of 0.05 s in a loop,
then prints "ready". When the process gets SIGTERM (what `kill PID` and service managers
send), it must:
- tell the workers to stop: each finishes the job it is on and prints "worker N stopped";
- wait for them, with a timeout (never forever);
- print "shutdown complete" and exit with status 0, within 1 second of the signal.
No thread may still be running at exit.
"""

import threading
import time


def worker(n):
    """Do jobs until told to stop."""
    jobs = 0
    while True:
        time.sleep(0.05)  # one job
        jobs += 1


def main():
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(3)]
    for t in threads:
        t.start()
    print("ready")
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
