//! Drawing: reads the application state and draws it; never changes state, never starts
//! threads. One `render_*` module per part of the screen.

pub mod contents;
pub mod demo;
pub mod exercise;
pub mod help;
pub mod layout;
pub mod lesson;
pub mod status;
pub mod text;
pub mod widgets;
pub mod xray;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::app::App;
use crate::theme::Theme;

/// Draws the whole screen for `app`.
pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    render(app, area, frame.buffer_mut());
}

/// Draws the whole screen for `app` into `buf` (tests call this with a TestBackend's buffer).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if layout::too_small(area) {
        render_too_small(area, buf, &app.theme);
        return;
    }
    match (&app.demo, &app.exercise) {
        (Some(host), _) => demo::host::render(app, host, area, buf),
        (None, Some(screen)) => exercise::render(app, screen, area, buf),
        (None, None) => {
            let screen = app.lesson_screen();
            if let Some(contents) = screen.contents {
                contents::render(app, contents, buf);
            }
            lesson::render(app, &screen, buf);
            status::render(app, screen.status, buf);
        }
    }
    if app.help {
        help::render(app, area, buf);
    }
}

/// The screen shown when the terminal is smaller than pyconc can draw in.
pub fn render_too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
    let lines = vec![
        Line::styled(
            format!(
                "terminal too small (need {}x{})",
                layout::MIN_WIDTH,
                layout::MIN_HEIGHT
            ),
            theme.bad,
        ),
        Line::styled(
            format!("now {}x{}: make the window bigger", area.width, area.height),
            theme.muted,
        ),
        Line::styled("q quits", theme.muted),
    ];
    let top = area.height.saturating_sub(3) / 2;
    let rect = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    Paragraph::new(lines)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(rect, buf);
}
