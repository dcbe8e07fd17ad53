//! Demo, exercise and quiz cards: a framed box (plain below a minimum width) with the card's title,
//! caption or question, options with their marks, and the explanation once answered.

use super::*;

/// Narrower than this, cards are drawn without a frame.
const CARD_MIN_WIDTH: usize = 12;
/// Quiz option labels.
const OPTION_LABELS: &str = "abcdefghijklmnopqrstuvwxyz";

impl Renderer<'_, '_> {
    /// Whether the card about to be drawn is the focused item, and its border style.
    fn next_card_focus(&self) -> (bool, Style) {
        let focused = self.opts.focused == Some(self.out.items.len());
        let border = if focused {
            self.theme.card_focused
        } else {
            self.theme.card
        };
        (focused, border)
    }

    pub(super) fn demo_card(&mut self, index: usize, demo: &DemoRef) {
        let theme = self.theme;
        let (focused, border) = self.next_card_focus();
        let mut title: Vec<Run> = vec![
            (
                border.add_modifier(Modifier::BOLD),
                "▶ live demo: ".to_string(),
            ),
            (
                theme.accent.add_modifier(Modifier::BOLD),
                demo.engine.clone(),
            ),
        ];
        if !demo.args.is_empty() {
            let args: Vec<String> = demo.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
            title.push((theme.muted, format!("  {}", args.join(" "))));
        }
        let mut content = vec![CardPart::Wrapped(title)];
        if !demo.caption.is_empty() {
            let caption = markdown::inline_spans(&demo.caption);
            content.push(CardPart::Wrapped(self.inline_runs(&caption, self.base)));
        }
        let hint_style = if focused { theme.key } else { theme.muted };
        content.push(CardPart::Wrapped(vec![(
            hint_style,
            "press Enter to run".to_string(),
        )]));
        self.card(Item::Demo(index), border, content);
    }

    /// A card like a demo card: the exercise's id and how to open it.
    pub(super) fn exercise_card(&mut self, index: usize, id: &str) {
        let theme = self.theme;
        let (focused, border) = self.next_card_focus();
        let title = vec![
            (
                border.add_modifier(Modifier::BOLD),
                "✎ exercise: ".to_string(),
            ),
            (theme.accent.add_modifier(Modifier::BOLD), id.to_string()),
        ];
        let hint = if focused { theme.key } else { theme.muted };
        let content = vec![
            CardPart::Wrapped(title),
            CardPart::Wrapped(vec![(
                hint,
                "press Enter to write it; pyconc grades each save".to_string(),
            )]),
        ];
        self.card(Item::Exercise(index), border, content);
    }

    pub(super) fn quiz_card(&mut self, index: usize, quiz: &Quiz) {
        let theme = self.theme;
        let (focused, border) = self.next_card_focus();
        let answer = (self.opts.answers)(index).filter(|k| *k < quiz.options.len());
        let mut content = Vec::new();
        let mut question = vec![(border.add_modifier(Modifier::BOLD), "? ".to_string())];
        let spans = markdown::inline_spans(&quiz.question);
        question.extend(self.inline_runs(&spans, theme.strong));
        content.push(CardPart::Hanging(question, 2));
        content.push(CardPart::Blank);
        for (k, option) in quiz.options.iter().enumerate() {
            let label = OPTION_LABELS.chars().nth(k).unwrap_or('?');
            let label_style = if focused && answer.is_none() {
                theme.key
            } else {
                theme.marker
            };
            let mut runs: Vec<Run> = vec![(label_style, format!("{label}) "))];
            let mut text_style = self.base;
            if let Some(chosen) = answer {
                let (mark, style) = if option.correct {
                    ("✓ ", theme.good)
                } else if k == chosen {
                    ("✗ ", theme.bad)
                } else {
                    ("  ", theme.muted)
                };
                runs.push((style, mark.to_string()));
                if option.correct {
                    text_style = text_style.patch(theme.good);
                } else if k == chosen {
                    text_style = text_style.patch(theme.bad);
                } else {
                    text_style = text_style.patch(theme.muted);
                }
            }
            let hang = run_width(&runs);
            let spans = markdown::inline_spans(&option.text);
            runs.extend(self.inline_runs(&spans, text_style));
            if answer == Some(k) {
                runs.push((theme.muted, "  ← your answer".to_string()));
            }
            content.push(CardPart::Hanging(runs, hang));
        }
        content.push(CardPart::Blank);
        match answer {
            None => {
                if focused {
                    let last = OPTION_LABELS
                        .chars()
                        .nth(quiz.options.len().saturating_sub(1))
                        .unwrap_or('?');
                    content.push(CardPart::Wrapped(vec![(
                        theme.key,
                        format!("press a-{last} to answer"),
                    )]));
                } else {
                    content.pop();
                }
            }
            Some(chosen) => {
                let verdict = if quiz.is_correct(chosen) {
                    (theme.good, "✓ right.".to_string())
                } else {
                    let right: Vec<String> = quiz
                        .options
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| o.correct)
                        .map(|(k, _)| format!("{})", OPTION_LABELS.chars().nth(k).unwrap_or('?')))
                        .collect();
                    (
                        theme.bad,
                        format!("✗ not quite: the answer is {}.", right.join(" and ")),
                    )
                };
                content.push(CardPart::Wrapped(vec![verdict]));
                let mut why = vec![(theme.strong, "Why: ".to_string())];
                let spans = markdown::inline_spans(&quiz.why);
                why.extend(self.inline_runs(&spans, self.base));
                content.push(CardPart::Wrapped(why));
            }
        }
        self.card(Item::Quiz(index), border, content);
    }

    /// Draws a framed card and records it as an interactive item.
    pub(super) fn card(&mut self, item: Item, border: Style, content: Vec<CardPart>) {
        let first_line = self.out.lines.len();
        let width = self.width();
        let framed = width >= CARD_MIN_WIDTH;
        let inner = if framed { width - 4 } else { width };
        if framed {
            self.push(vec![(border, format!("╭{}╮", "─".repeat(width - 2)))]);
        }
        for part in content {
            let lines = match part {
                CardPart::Blank => vec![Vec::new()],
                CardPart::Wrapped(runs) => wrap(&runs, inner),
                CardPart::Hanging(runs, hang) => hanging_wrap(&runs, inner, hang),
            };
            for line in lines {
                if framed {
                    let pad = inner.saturating_sub(run_width(&line));
                    let mut out = vec![(border, "│ ".to_string())];
                    out.extend(line);
                    out.push((Style::new(), " ".repeat(pad)));
                    out.push((border, " │".to_string()));
                    self.push(out);
                } else {
                    self.push(line);
                }
            }
        }
        if framed {
            self.push(vec![(border, format!("╰{}╯", "─".repeat(width - 2)))]);
        }
        let last_line = self.out.lines.len().saturating_sub(1).max(first_line);
        self.out.items.push(ItemSpan {
            item,
            first_line,
            last_line,
        });
    }
}

/// One part of a card's content.
pub(super) enum CardPart {
    Blank,
    Wrapped(Vec<Run>),
    /// Wrapped with continuation lines indented by this many columns.
    Hanging(Vec<Run>, usize),
}
