//! The terminal: entering and leaving raw mode and the alternate screen, and making sure it
//! is restored on every way out: normal quit, panic (restored before the message prints),
//! Ctrl-C, SIGTERM and SIGHUP (turned into a quit message by [`spawn_signal_listener`]).

use std::io::{self, Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal type the TUI draws on.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// True while raw mode and the alternate screen are on.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

/// Restores the terminal when dropped, so an early return or `?` cannot leave it broken.
pub struct TerminalGuard {
    /// The terminal to draw on.
    pub terminal: Tui,
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enters raw mode, the alternate screen and mouse capture, and installs the panic hook.
pub fn enter() -> io::Result<TerminalGuard> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut stdout = io::stdout();
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    ) {
        restore();
        return Err(e);
    }
    let terminal = match Terminal::new(CrosstermBackend::new(stdout)) {
        Ok(t) => t,
        Err(e) => {
            restore();
            return Err(e);
        }
    };
    Ok(TerminalGuard { terminal })
}

/// Leaves the alternate screen and raw mode. Safe to call more than once and from a
/// panic hook; does nothing when the terminal was never entered.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut stdout = io::stdout();
        let _ = execute!(
            stdout,
            DisableMouseCapture,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = disable_raw_mode();
        let _ = stdout.flush();
    }
}

/// Hands the terminal to another program (an editor): leaves the alternate screen and raw
/// mode. [`resume`] takes it back.
pub fn suspend() {
    restore();
}

/// Takes the terminal back after [`suspend`]: raw mode, the alternate screen and mouse
/// capture again, and a full redraw on the next frame.
pub fn resume(terminal: &mut Tui) -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    )?;
    terminal.clear()
}

/// Chains a hook that restores the terminal before the default panic report prints.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Starts a thread that turns SIGTERM, SIGHUP and SIGINT into a call of `on_signal`
/// (the app sends itself a quit message). Windows has no such signals: Ctrl-C arrives
/// as a key in raw mode there, which the app handles as quit.
#[cfg(unix)]
pub fn spawn_signal_listener(on_signal: impl Fn(i32) + Send + 'static) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        })?;
    Ok(())
}

/// See the unix version: nothing to listen for here.
#[cfg(not(unix))]
pub fn spawn_signal_listener(_on_signal: impl Fn(i32) + Send + 'static) -> io::Result<()> {
    Ok(())
}
