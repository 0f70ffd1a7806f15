//! The benchmark baseline: count the newlines of memory-mapped files with memchr, on one
//! thread. This is the floor for any line-oriented scan of the same bytes.
//!
//! `cargo run --release --example count_newlines -- FILE...`

use std::fs::File;
use std::process::ExitCode;

fn main() -> ExitCode {
    let paths: Vec<_> = std::env::args_os().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: count_newlines FILE...");
        return ExitCode::from(2);
    }
    let mut newlines = 0;
    for path in paths {
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(error) => {
                eprintln!("count_newlines: {}: {error}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        };
        // SAFETY: read-only map of a file the benchmark owns; nobody truncates it meanwhile.
        let map = match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) => map,
            Err(error) => {
                eprintln!("count_newlines: {}: {error}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        };
        newlines += memchr::memchr_iter(b'\n', &map).count();
    }
    println!("{newlines}");
    ExitCode::SUCCESS
}
