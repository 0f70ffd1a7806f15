//! The benchmark baseline: count the newlines of a memory-mapped file with memchr, on one
//! thread. This is the floor for any line-oriented scan of the same bytes.
//!
//! `cargo run --release --example count_newlines -- FILE`

use std::fs::File;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: count_newlines FILE");
        return ExitCode::from(2);
    };
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("count_newlines: {}: {error}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    // SAFETY: read-only map of a file this benchmark owns; nobody truncates it meanwhile.
    let map = match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => map,
        Err(error) => {
            eprintln!("count_newlines: {}: {error}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    println!("{}", memchr::memchr_iter(b'\n', &map).count());
    ExitCode::SUCCESS
}
