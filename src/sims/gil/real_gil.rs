//! A real GIL for real threads: a mutex-protected `locked` flag, a condvar waiters sleep on,
//! a second condvar for forced switching and an atomic drop request (the eval breaker),
//! following CPython's Python/ceval_gil.c. The GIL mutex also stands in for CPython's
//! separate `switch_mutex`: one lock is enough when nothing else is done under it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// No thread has held this GIL yet.
pub const NO_HOLDER: usize = usize::MAX;
/// How long a wait without timeout (legacy waiters, forced-switch waits) sleeps between
/// looks at the stop, pause and re-dispatch conditions; they are also woken explicitly.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// What a thread in `take` or a forced-switch wait reports besides the lock itself.
pub trait WaitObserver {
    /// True when the thread must leave the wait (stop, pause, calibration, mode change).
    fn should_leave(&self) -> bool;
    /// The thread starts waiting for the GIL.
    fn waiting(&self);
    /// The thread set the drop request (it was not set).
    fn drop_requested(&self);
}

#[derive(Debug)]
struct GilInner {
    locked: bool,
    last_holder: usize,
    switch_number: u64,
    waiters: usize,
}

/// One GIL.
#[derive(Debug)]
pub struct RealGil {
    inner: Mutex<GilInner>,
    cond: Condvar,
    switch_cond: Condvar,
    drop_request: AtomicBool,
}

/// How a `take` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// The thread holds the GIL; `switched` if the previous holder was another thread,
    /// `waited` if it had to wait.
    Yes { switched: bool, waited: bool },
    /// The thread left without it ([`WaitObserver::should_leave`]).
    Left,
}

impl Default for RealGil {
    fn default() -> Self {
        RealGil {
            inner: Mutex::new(GilInner {
                locked: false,
                last_holder: NO_HOLDER,
                switch_number: 0,
                waiters: 0,
            }),
            cond: Condvar::new(),
            switch_cond: Condvar::new(),
            drop_request: AtomicBool::new(false),
        }
    }
}

impl RealGil {
    fn lock(&self) -> MutexGuard<'_, GilInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The eval breaker: true when a waiter asked the holder to drop the GIL.
    #[inline]
    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Relaxed)
    }

    /// take_gil. With `interval` (3.2+), a waiter that times out with no switch meanwhile
    /// sets the drop request; without (Python 2), it just waits to be signalled.
    pub fn take(&self, me: usize, interval: Option<Duration>, obs: &dyn WaitObserver) -> Taken {
        let mut inner = self.lock();
        let waited = inner.locked;
        if waited {
            obs.waiting();
            inner.waiters += 1;
            while inner.locked {
                if obs.should_leave() {
                    inner.waiters -= 1;
                    return Taken::Left;
                }
                let saved = inner.switch_number;
                match interval {
                    Some(interval) => {
                        let (next, result) = self
                            .cond
                            .wait_timeout(inner, interval)
                            .unwrap_or_else(|p| p.into_inner());
                        inner = next;
                        if result.timed_out()
                            && inner.locked
                            && inner.switch_number == saved
                            && !self.drop_request.swap(true, Ordering::SeqCst)
                        {
                            obs.drop_requested();
                        }
                    }
                    None => {
                        inner = self
                            .cond
                            .wait_timeout(inner, POLL_INTERVAL)
                            .unwrap_or_else(|p| p.into_inner())
                            .0;
                    }
                }
            }
            inner.waiters -= 1;
        }
        inner.locked = true;
        let switched = inner.last_holder != me && inner.last_holder != NO_HOLDER;
        if inner.last_holder != me {
            inner.last_holder = me;
            inner.switch_number += 1;
            self.switch_cond.notify_all();
        }
        self.drop_request.store(false, Ordering::SeqCst);
        Taken::Yes { switched, waited }
    }

    /// drop_gil: unlock and signal one waiter. With `forced` (3.2+ FORCE_SWITCHING), if a
    /// drop was requested and no one has taken the GIL yet, reset the request and wait until
    /// another thread has it, so the dropper cannot win it straight back. Returns how many
    /// threads were waiting when it was released.
    pub fn release(&self, me: usize, forced: bool, obs: &dyn WaitObserver) -> usize {
        let mut inner = self.lock();
        inner.locked = false;
        let waiters = inner.waiters;
        self.cond.notify_one();
        if forced && self.drop_requested() && inner.last_holder == me {
            self.drop_request.store(false, Ordering::SeqCst);
            obs.waiting();
            while inner.last_holder == me && !obs.should_leave() {
                inner = self
                    .switch_cond
                    .wait_timeout(inner, POLL_INTERVAL)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
        waiters
    }

    /// Wakes every thread waiting on this GIL so it looks at its leave conditions now.
    pub fn wake_all(&self) {
        let _inner = self.lock();
        self.cond.notify_all();
        self.switch_cond.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    #[derive(Default)]
    struct Counting {
        leave: AtomicBool,
        drops: AtomicUsize,
    }

    impl WaitObserver for Counting {
        fn should_leave(&self) -> bool {
            self.leave.load(Ordering::SeqCst)
        }
        fn waiting(&self) {}
        fn drop_requested(&self) {
            self.drops.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn an_uncontended_take_is_no_switch_and_a_waiter_sets_the_drop_request() {
        let gil = Arc::new(RealGil::default());
        let obs = Arc::new(Counting::default());
        assert_eq!(
            gil.take(0, Some(Duration::from_millis(1)), &*obs),
            Taken::Yes {
                switched: false,
                waited: false
            }
        );
        let waiter = {
            let (gil, obs) = (Arc::clone(&gil), Arc::clone(&obs));
            std::thread::spawn(move || gil.take(1, Some(Duration::from_millis(1)), &*obs))
        };
        // The holder keeps running until its eval breaker trips (generous bound).
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !gil.drop_requested() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(gil.drop_requested());
        gil.release(0, true, &*obs);
        assert_eq!(
            waiter.join().unwrap(),
            Taken::Yes {
                switched: true,
                waited: true
            }
        );
        assert_eq!(obs.drops.load(Ordering::SeqCst), 1);
        assert!(!gil.drop_requested());
    }

    #[test]
    fn a_waiter_leaves_when_told_to() {
        let gil = Arc::new(RealGil::default());
        let obs = Arc::new(Counting::default());
        gil.take(0, None, &*obs);
        let waiter = {
            let (gil, obs) = (Arc::clone(&gil), Arc::clone(&obs));
            std::thread::spawn(move || gil.take(1, None, &*obs))
        };
        obs.leave.store(true, Ordering::SeqCst);
        gil.wake_all();
        assert_eq!(waiter.join().unwrap(), Taken::Left);
    }
}
