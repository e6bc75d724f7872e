#![no_main]
//! Fuzz the `Cargo.lock` parser through `lockgate::lockfile::parse_text`.

use libfuzzer_sys::fuzz_target;
use lockgate::lockfile::Kind;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::run(Kind::CargoLock, "Cargo.lock", data));
