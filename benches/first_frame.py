#!/usr/bin/env python3
"""Times pyconc from process start to its first drawn lesson, in a pseudo-terminal.

pyconc quits right after its first frame when PYCONC_EXIT_AFTER_FIRST_FRAME is set, so the
time from fork to exit is start-up plus one frame (and the exit). Prints the median.
Usage: benches/first_frame.py PATH/TO/pyconc [RUNS]
"""
import fcntl, os, pty, statistics, struct, sys, tempfile, termios, time

binary = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
home = tempfile.mkdtemp()
times = []
for _ in range(runs):
    env = dict(os.environ, PYCONC_EXIT_AFTER_FIRST_FRAME="1", PYCONC_HOME=home)
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    while True:
        try:
            if not os.read(fd, 65536):
                break
        except OSError:
            break
    os.waitpid(pid, 0)
    times.append((time.perf_counter() - started) * 1000)
print(f"start to first drawn lesson (120x40 pty): median {statistics.median(times):.1f} ms, "
      f"min {min(times):.1f} ms over {runs} runs")
