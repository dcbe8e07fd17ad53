#!/usr/bin/env bash
# Figures that need a real terminal, measured with tmux on the release build:
#   start-up to the first drawn lesson, CPU used while idle on a lesson, resident memory.
# Usage: benches/tty_figures.sh   (needs tmux and python3; Linux: reads /proc)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/pyconc"
home=$(mktemp -d)
session="pyconc-figures-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$home"' EXIT

# 1. Start-up to first frame, timed in a pseudo-terminal (benches/first_frame.py).
python3 benches/first_frame.py "$bin" 30

tmux new-session -d -s "$session" -x 120 -y 40
# 2. Idle CPU and RSS: open the tutorial, let it settle, then watch it for 5 s.
tmux send-keys -t "$session" "clear; PYCONC_HOME=$home $bin" Enter
sleep 2
pid=$(pgrep -n -f "^$bin$")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
sleep 5
after=$(ticks)
hz=$(getconf CLK_TCK)
echo "CPU while idle on a lesson: $((after - before)) ticks of 1/$hz s over 5 s"
grep VmRSS "/proc/$pid/status" | awk '{printf "resident memory on a lesson: %.1f MB\n", $2/1024}'
tmux send-keys -t "$session" q
