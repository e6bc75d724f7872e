#![no_main]
//! Fuzz the allowlist loader (`lockgate::allowlist::parse`), and check that the
//! editor (which every `allowlist` command uses) renders a file that loads again.

use libfuzzer_sys::fuzz_target;
use lockgate::allowlist::{self, edit::Editor};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = lockgate::lockfile::decode_text(data) else {
        return;
    };
    let path = Path::new("allowlist.toml");
    if allowlist::parse(path, text).is_ok() {
        let mut ed = Editor::from_text(path, text).expect("a valid allowlist opens for editing");
        let out = ed.render();
        if let Err(e) = allowlist::parse(path, &out) {
            panic!(
                "the editor wrote an allowlist it cannot read: {e}\n--- in\n{text}\n--- out\n{out}"
            );
        }
    }
});
