//! The named-thread crew: the one place an engine starts its threads, lets one of them go,
//! stops them all and joins each exactly once (also from `Drop`, so a demo dropped
//! without `stop()` leaves nothing running).
//!
//! Every member gets a [`Hand`]: the demo's [`RunControl`] plus its own quit flag, which
//! the pause gate and the sleeps also watch. Letting a member go ([`Crew::retire_newest`])
//! sets that flag and wakes it, even while the demo is paused, and never joins on the
//! calling (UI) thread: the member's handle is kept and joined by [`Crew::stop`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::control::RunControl;

/// What a crew member's thread holds: the demo's run control and its own quit flag.
#[derive(Debug, Clone)]
pub struct Hand {
    control: Arc<RunControl>,
    quit: Arc<AtomicBool>,
}

impl Hand {
    /// Blocks while paused; false once the demo stops or this member is let go.
    pub fn checkpoint(&self) -> bool {
        self.control.checkpoint_unless(&self.quit)
    }

    /// Sleeps `duration` unless the demo stops or this member is let go (then false).
    pub fn sleep(&self, duration: Duration) -> bool {
        self.control.sleep_unless(duration, &self.quit)
    }

    /// True once the demo stops or this member is let go.
    pub fn is_done(&self) -> bool {
        self.control.is_stopping() || self.quit.load(Ordering::SeqCst)
    }

    /// The demo's run control (pause state, stop flag) shared by the whole crew.
    pub fn control(&self) -> &RunControl {
        &self.control
    }
}

/// One started thread.
struct Member {
    quit: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

/// The threads one demo started, joined once.
pub struct Crew {
    control: Arc<RunControl>,
    members: Vec<Member>,
    retired: Vec<JoinHandle<()>>,
}

impl Crew {
    /// An empty crew under `control` (the demo keeps a clone to pause and resume).
    pub fn new(control: Arc<RunControl>) -> Self {
        Crew {
            control,
            members: Vec::new(),
            retired: Vec::new(),
        }
    }

    /// The run control every member shares.
    pub fn control(&self) -> &Arc<RunControl> {
        &self.control
    }

    /// Starts a thread called `name` running `body` with its [`Hand`].
    pub fn spawn<F>(&mut self, name: impl Into<String>, body: F) -> std::io::Result<()>
    where
        F: FnOnce(Hand) + Send + 'static,
    {
        let quit = Arc::new(AtomicBool::new(false));
        let hand = Hand {
            control: Arc::clone(&self.control),
            quit: Arc::clone(&quit),
        };
        let handle = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || body(hand))?;
        self.members.push(Member { quit, handle });
        Ok(())
    }

    /// How many members are on duty (started and not let go).
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when no member is on duty.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Lets the newest member go: sets its quit flag and wakes it (paused or asleep).
    /// Returns at once; its thread is joined by [`Crew::stop`]. False if none is on duty.
    pub fn retire_newest(&mut self) -> bool {
        let Some(member) = self.members.pop() else {
            return false;
        };
        member.quit.store(true, Ordering::SeqCst);
        self.control.wake();
        self.retired.push(member.handle);
        self.retired.retain(|h| !h.is_finished());
        true
    }

    /// How many of the crew's threads have not finished yet (on duty or let go).
    pub fn threads_alive(&self) -> usize {
        self.members
            .iter()
            .map(|m| &m.handle)
            .chain(&self.retired)
            .filter(|h| !h.is_finished())
            .count()
    }

    /// Waits for every thread to end on its own (a Python `join()`), without asking any
    /// to stop.
    pub fn wait(&mut self) {
        for member in self.members.drain(..) {
            let _ = member.handle.join();
        }
        for handle in self.retired.drain(..) {
            let _ = handle.join();
        }
    }

    /// Stops the demo's run control, wakes every member and joins every thread this crew
    /// started. Calling it again does nothing.
    pub fn stop(&mut self) {
        self.control.stop();
        for member in &self.members {
            member.quit.store(true, Ordering::SeqCst);
        }
        self.control.wake();
        for member in self.members.drain(..) {
            let _ = member.handle.join();
        }
        for handle in self.retired.drain(..) {
            let _ = handle.join();
        }
    }
}

impl Drop for Crew {
    /// A crew dropped with threads left stops the demo and joins them; one already
    /// stopped or waited for leaves the run control alone.
    fn drop(&mut self) {
        if !self.members.is_empty() || !self.retired.is_empty() {
            self.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::test_support::wait_for;

    fn gate_keeper(hand: Hand) {
        while hand.checkpoint() {
            hand.sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_paused_member_is_let_go_at_once_and_stop_joins_all() {
        let control = Arc::new(RunControl::new());
        let mut crew = Crew::new(Arc::clone(&control));
        for n in 0..3 {
            crew.spawn(format!("crew-test-{n}"), gate_keeper).unwrap();
        }
        control.set_paused(true);
        assert!(crew.retire_newest());
        assert_eq!(crew.len(), 2);
        assert!(wait_for(|| crew.threads_alive() == 2));
        crew.stop();
        assert_eq!(crew.threads_alive(), 0);
        assert!(crew.is_empty());
        crew.stop();
    }

    #[test]
    fn dropping_a_crew_joins_its_threads() {
        let control = Arc::new(RunControl::new());
        let done = Arc::new(AtomicBool::new(false));
        {
            let mut crew = Crew::new(Arc::clone(&control));
            let done = Arc::clone(&done);
            crew.spawn("crew-test-drop", move |hand| {
                gate_keeper(hand);
                done.store(true, Ordering::SeqCst);
            })
            .unwrap();
        }
        assert!(done.load(Ordering::SeqCst));
        assert!(control.is_stopping());
    }

    #[test]
    fn wait_joins_threads_that_end_on_their_own_and_leaves_the_control_running() {
        let control = Arc::new(RunControl::new());
        let mut crew = Crew::new(Arc::clone(&control));
        for n in 0..2 {
            crew.spawn(format!("crew-test-wait-{n}"), |_| {}).unwrap();
        }
        crew.wait();
        assert_eq!(crew.threads_alive(), 0);
        drop(crew);
        assert!(!control.is_stopping());
    }
}
