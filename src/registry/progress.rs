//! The progress bar on a terminal: hidden until the registry questions have taken
//! 300 ms, never drawn in CI logs or pipes.

use std::time::{Duration, Instant};

pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: Instant,
    shown: std::cell::Cell<bool>,
}

impl Progress {
    pub(super) fn new(enabled: bool, len: usize) -> Progress {
        use std::io::IsTerminal as _;
        let bar = (enabled && len > 1 && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(len as u64),
                indicatif::ProgressDrawTarget::hidden(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} asking the registries {pos}/{len} [{bar:30}] {elapsed}",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b
        });
        Progress {
            bar,
            start: Instant::now(),
            shown: std::cell::Cell::new(false),
        }
    }

    /// Count one answer; the bar appears only once the run has taken 300 ms.
    pub(super) fn tick(&self) {
        if let Some(b) = &self.bar {
            if !self.shown.get() && self.start.elapsed() > Duration::from_millis(300) {
                b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                self.shown.set(true);
            }
            b.inc(1);
        }
    }

    pub(super) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
