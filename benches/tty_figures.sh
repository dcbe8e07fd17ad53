#!/usr/bin/env bash
# Figures that need a real terminal, measured with tmux on the release build:
#   start-up to the first drawn lesson, CPU used while idle on a lesson, resident memory.
# Usage: benches/tty_figures.sh   (needs tmux; Linux: reads /proc)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/pyconc"
home=$(mktemp -d)
session="pyconc-figures-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$home"' EXIT

# 1. Start-up to first frame: pyconc quits right after drawing its first frame.
tmux new-session -d -s "$session" -x 120 -y 40
runs=20
for i in $(seq $runs); do
  tmux send-keys -t "$session" "PYCONC_HOME=$home PYCONC_EXIT_AFTER_FIRST_FRAME=1 /usr/bin/env time -f '%e %M' -a -o $home/times $bin" Enter
  sleep 0.4
done
sleep 1
sort -n "$home/times" | awk -v n=$runs '{t[NR]=$1; m[NR]=$2} END {printf "start to first drawn lesson: median %.0f ms over %d runs (max RSS then %d KB)\n", t[int((n+1)/2)]*1000, n, m[int((n+1)/2)]}'

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
