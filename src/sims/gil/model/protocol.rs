//! CPython's GIL protocol as the model's event handlers (Python/ceval_gil.c): `take_gil`'s
//! timed wait and drop request, `drop_gil`'s signal and forced switch, the eval breaker
//! seen between two bytecodes, Python 2's release and re-request every 100 ticks, and
//! the I/O calls that release the GIL.

use super::{AfterSwitch, GilModel, LEGACY_WAITER_WINS_PERCENT, Phase, WAKE_NS};
use crate::sims::gil::timeline::ThreadState;
use crate::sims::gil::{Mode, Workload};

impl GilModel {
    pub(super) fn run_end(&mut self, i: usize) -> String {
        let th = &self.threads[i];
        let breaker = th.breaker_left.is_some_and(|b| b <= th.seg_left + 1e-9);
        if breaker {
            self.threads[i].breaker_left = None;
            let waited = self.release(i, self.mode == Mode::Gil);
            if waited {
                self.enter(i, Phase::SwitchWait(AfterSwitch::Request));
            } else {
                self.request(i);
            }
            return format!(
                "{}: thread {} sees the drop request between two bytecodes and drops the GIL{}",
                self.ms(),
                i + 1,
                if waited {
                    "; it waits until another thread has it (forced switching)"
                } else {
                    ""
                }
            );
        }
        self.threads[i].seg_left = self.fresh_segment(i);
        match self.threads[i].workload {
            Workload::Io => {
                self.recorder.add_units(i, 1.0);
                let waited = self.gil_for(i).is_some() && self.release(i, self.mode == Mode::Gil);
                if waited {
                    self.enter(i, Phase::SwitchWait(AfterSwitch::StartIo));
                } else {
                    self.start_io(i);
                }
                format!(
                    "{}: thread {} has handled a request and blocks in I/O, releasing the GIL",
                    self.ms(),
                    i + 1
                )
            }
            Workload::Cpu => self.legacy_tick(i),
        }
    }

    /// Python 2: after 100 ticks, release and immediately re-request.
    fn legacy_tick(&mut self, i: usize) -> String {
        let g = self.gil_for(i).unwrap_or(0);
        let waiter = self.next_waiter(g);
        self.recorder.release(waiter.is_some());
        let Some(waiter) = waiter else {
            return format!(
                "{}: thread {} releases the GIL after 100 ticks and takes it straight back (nobody waits)",
                self.ms(),
                i + 1
            );
        };
        self.signal(g);
        if self.rng.u32(0..100) < LEGACY_WAITER_WINS_PERCENT {
            self.gils[g].holder = None;
            self.enter(
                i,
                Phase::Waiting {
                    deadline: None,
                    saved_switch: self.gils[g].switch_number,
                    wake_at: None,
                },
            );
            self.threads[i].wait_since = self.now;
            format!(
                "{}: thread {} releases after 100 ticks; this time thread {} wakes first and will win",
                self.ms(),
                i + 1,
                waiter + 1
            )
        } else {
            self.recorder.self_reacquire();
            format!(
                "{}: thread {} releases after 100 ticks and re-acquires before thread {} wakes up",
                self.ms(),
                i + 1,
                waiter + 1
            )
        }
    }

    pub(super) fn wake(&mut self, i: usize) -> String {
        let Some(g) = self.gil_for(i) else {
            self.enter(i, Phase::Running);
            return format!("{}: thread {} runs", self.ms(), i + 1);
        };
        if self.gils[g].holder.is_none() {
            self.take(i, g);
            format!("{}: thread {} wakes and takes the GIL", self.ms(), i + 1)
        } else {
            self.rewait(i, g);
            format!(
                "{}: thread {} wakes but the GIL is taken again; it goes back to waiting",
                self.ms(),
                i + 1
            )
        }
    }

    pub(super) fn timeout(&mut self, i: usize) -> String {
        let Some(g) = self.gil_for(i) else {
            self.enter(i, Phase::Running);
            return format!("{}: thread {} runs", self.ms(), i + 1);
        };
        let Phase::Waiting { saved_switch, .. } = self.threads[i].phase else {
            return format!("{}: thread {} is not waiting", self.ms(), i + 1);
        };
        let gil = &self.gils[g];
        match gil.holder {
            None => {
                self.take(i, g);
                format!(
                    "{}: thread {}'s wait ends with the GIL free; it takes it",
                    self.ms(),
                    i + 1
                )
            }
            Some(holder) if gil.switch_number == saved_switch => {
                let first = !gil.drop_request;
                if first {
                    self.gils[g].drop_request = true;
                    self.recorder.drop_request();
                    self.threads[holder].breaker_left = Some(1.0);
                }
                self.rewait(i, g);
                format!(
                    "{}: thread {} waited a whole interval with no switch: {} (eval breaker of thread {})",
                    self.ms(),
                    i + 1,
                    if first {
                        "it sets the drop request"
                    } else {
                        "the drop request is already set"
                    },
                    holder + 1
                )
            }
            Some(_) => {
                self.rewait(i, g);
                format!(
                    "{}: thread {}'s wait times out, but the GIL changed hands meanwhile: it waits another interval",
                    self.ms(),
                    i + 1
                )
            }
        }
    }

    pub(super) fn enter(&mut self, i: usize, phase: Phase) {
        self.threads[i].phase = phase;
        let state = match phase {
            Phase::Running => ThreadState::Running,
            Phase::Waiting { .. } | Phase::SwitchWait(_) => ThreadState::Waiting,
            Phase::Io { .. } => ThreadState::Io,
        };
        self.recorder.set_state(i, self.now, state);
    }

    /// take_gil: run at once if the GIL is free (or there is none), else wait.
    pub(super) fn request(&mut self, i: usize) {
        let Some(g) = self.gil_for(i) else {
            self.io_latency(i);
            self.enter(i, Phase::Running);
            return;
        };
        if self.gils[g].holder.is_none() {
            self.take(i, g);
        } else {
            self.threads[i].wait_since = self.now;
            self.rewait(i, g);
        }
    }

    fn rewait(&mut self, i: usize, g: usize) {
        let deadline = (self.mode == Mode::Gil).then_some(self.now + self.interval_ns);
        self.enter(
            i,
            Phase::Waiting {
                deadline,
                saved_switch: self.gils[g].switch_number,
                wake_at: None,
            },
        );
    }

    fn take(&mut self, i: usize, g: usize) {
        let gil = &mut self.gils[g];
        gil.holder = Some(i);
        if gil.last_holder != Some(i) {
            if gil.last_holder.is_some() && self.mode.shares_one_gil() {
                self.recorder.switch();
            }
            gil.last_holder = Some(i);
            gil.switch_number += 1;
        }
        gil.drop_request = false;
        self.threads[i].breaker_left = None;
        self.io_latency(i);
        self.enter(i, Phase::Running);
        // Forced switching: whoever dropped the GIL on request may go on now.
        for k in 0..self.threads.len() {
            if let Phase::SwitchWait(then) = self.threads[k].phase
                && self.gil_for(k) == Some(g)
                && k != i
            {
                match then {
                    AfterSwitch::Request => {
                        self.threads[k].wait_since = self.now;
                        self.rewait(k, g);
                    }
                    AfterSwitch::StartIo => self.start_io(k),
                }
            }
        }
    }

    fn io_latency(&mut self, i: usize) {
        if let Some(done) = self.threads[i].io_done_at.take() {
            self.recorder.io_latency(self.now - done);
        }
    }

    /// drop_gil: unlock and signal one waiter. Returns true if the thread must now wait
    /// for the switch (forced switching after a drop request).
    fn release(&mut self, i: usize, forced: bool) -> bool {
        let Some(g) = self.gil_for(i) else {
            return false;
        };
        self.gils[g].holder = None;
        self.signal(g);
        let gil = &mut self.gils[g];
        if forced && gil.drop_request && gil.last_holder == Some(i) {
            gil.drop_request = false;
            return self.next_waiter(g).is_some() || self.any_woken(g);
        }
        false
    }

    fn start_io(&mut self, i: usize) {
        let until = self.now + self.io_ns;
        self.enter(i, Phase::Io { until });
    }

    /// The longest waiting thread on `g` not yet signalled.
    fn next_waiter(&self, g: usize) -> Option<usize> {
        self.threads
            .iter()
            .enumerate()
            .filter(|(k, t)| {
                self.gil_for(*k) == Some(g)
                    && matches!(t.phase, Phase::Waiting { wake_at: None, .. })
            })
            .min_by_key(|(k, t)| (t.wait_since, *k))
            .map(|(k, _)| k)
    }

    fn any_woken(&self, g: usize) -> bool {
        self.threads.iter().enumerate().any(|(k, t)| {
            self.gil_for(k) == Some(g)
                && matches!(
                    t.phase,
                    Phase::Waiting {
                        wake_at: Some(_),
                        ..
                    }
                )
        })
    }

    fn signal(&mut self, g: usize) {
        if let Some(k) = self.next_waiter(g)
            && let Phase::Waiting { wake_at, .. } = &mut self.threads[k].phase
        {
            *wake_at = Some(self.now + WAKE_NS);
        }
    }
}
