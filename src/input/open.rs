//! Opening one input: memory map for plain files, a decoder for gzip and zstd, a note for
//! binary files.

use std::fs::{File, Metadata};
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use memmap2::Mmap;

use super::InputError;

/// How many leading bytes decide whether an input is binary.
pub const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// What the leading bytes of an input say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text to scan as it is.
    Plain,
    /// A gzip stream (possibly several members).
    Gzip,
    /// A zstd stream.
    Zstd,
    /// Binary data (a NUL byte early on): skipped with a note, as ripgrep does.
    Binary,
}

/// Decides the kind of an input from its first bytes.
pub fn sniff(head: &[u8]) -> Kind {
    if head.starts_with(&[0x1f, 0x8b]) {
        Kind::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Kind::Zstd
    } else if memchr::memchr(0, &head[..head.len().min(BINARY_SNIFF_BYTES)]).is_some() {
        Kind::Binary
    } else {
        Kind::Plain
    }
}

/// An opened input, ready to scan.
pub enum Opened {
    /// A plain file, memory-mapped.
    Mapped(Mmap),
    /// Plain bytes read into memory (small files, and files that cannot be mapped).
    Bytes(Vec<u8>),
    /// A stream to read in blocks: stdin, a pipe, or a decompressed file.
    Stream(Box<dyn Read + Send>),
    /// Skipped: the reason, for the report.
    Skipped(&'static str),
}

/// Files smaller than this are read rather than mapped: a map costs more than a read for them.
const MAP_THRESHOLD_BYTES: u64 = 64 * 1024;

/// Opens a file by path. `use_mmap` false reads plain files in blocks instead of mapping them.
pub fn open_path(path: &Path, display_path: &str, use_mmap: bool) -> Result<Opened, InputError> {
    let error = |source: io::Error| InputError::io(display_path, &source);
    let file = File::open(path).map_err(error)?;
    let metadata = file.metadata().map_err(error)?;
    open_file(file, &metadata, display_path, use_mmap)
}

/// Opens a file already open, given its metadata (read from the handle, so that the caller knows
/// which file it is even if the path is renamed meanwhile).
pub fn open_file(
    file: File,
    metadata: &Metadata,
    display_path: &str,
    use_mmap: bool,
) -> Result<Opened, InputError> {
    let error = |source: io::Error| InputError::io(display_path, &source);
    if metadata.is_dir() {
        return Err(InputError {
            path: display_path.to_string(),
            message: "is a directory".to_string(),
        });
    }
    if !metadata.is_file() {
        // A FIFO, a character device or a socket: only streaming works.
        return open_stream(Box::new(file)).map_err(error);
    }
    if use_mmap && metadata.len() >= MAP_THRESHOLD_BYTES {
        if let Some(map) = map_file(&file) {
            return Ok(match sniff(&map[..map.len().min(BINARY_SNIFF_BYTES)]) {
                Kind::Plain => Opened::Mapped(map),
                Kind::Binary => Opened::Skipped("binary file"),
                Kind::Gzip | Kind::Zstd => {
                    // Mapping does not move the handle's position: it still reads from 0.
                    drop(map);
                    open_stream(Box::new(file)).map_err(error)?
                }
            });
        }
    }
    if metadata.len() < MAP_THRESHOLD_BYTES {
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        BufReader::new(file)
            .read_to_end(&mut bytes)
            .map_err(error)?;
        return Ok(match sniff(&bytes) {
            Kind::Plain => Opened::Bytes(bytes),
            Kind::Binary => Opened::Skipped("binary file"),
            Kind::Gzip | Kind::Zstd => {
                open_stream(Box::new(io::Cursor::new(bytes))).map_err(error)?
            }
        });
    }
    open_stream(Box::new(file)).map_err(error)
}

/// Wraps a byte stream: decompresses gzip or zstd, detected by magic bytes; skips binary.
pub fn open_stream(reader: Box<dyn Read + Send>) -> io::Result<Opened> {
    let mut buffered = BufReader::with_capacity(256 * 1024, reader);
    let head = fill_at_least(&mut buffered, BINARY_SNIFF_BYTES)?;
    Ok(match sniff(&head) {
        Kind::Plain => Opened::Stream(Box::new(buffered)),
        Kind::Binary => Opened::Skipped("binary file"),
        Kind::Gzip => Opened::Stream(Box::new(MultiGzDecoder::new(buffered))),
        Kind::Zstd => Opened::Stream(Box::new(zstd::stream::read::Decoder::with_buffer(
            buffered,
        )?)),
    })
}

/// Peeks at up to `wanted` leading bytes without consuming them (fewer at end of input).
fn fill_at_least<R: Read>(reader: &mut BufReader<R>, wanted: usize) -> io::Result<Vec<u8>> {
    // BufReader only refills when empty, so peek what one fill gives; a short first read from
    // a pipe only makes the sniff look at fewer bytes, which is harmless for magic numbers.
    let available = reader.fill_buf()?;
    Ok(available[..available.len().min(wanted)].to_vec())
}

/// Maps a file read-only; `None` when the platform refuses (the caller then reads instead).
fn map_file(file: &File) -> Option<Mmap> {
    // SAFETY: the map is read-only and private to this process. If another process truncates
    // the file while it is mapped, reading the lost pages raises SIGBUS and ends errscan; this is
    // the accepted cost of mapping (ripgrep makes the same trade), and `--no-mmap` avoids it for
    // logs that are being rotated or truncated during the scan.
    // Not `populate()`: the worker fills in each chunk's page tables on the thread that scans it.
    unsafe { memmap2::MmapOptions::new().map(file) }.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_tells_compression_and_binary_apart() {
        assert_eq!(sniff(b"\x1f\x8b\x08rest"), Kind::Gzip);
        assert_eq!(sniff(b"\x28\xb5\x2f\xfd\x00"), Kind::Zstd);
        assert_eq!(sniff(b"plain\x00text"), Kind::Binary);
        assert_eq!(sniff(b"plain text\n"), Kind::Plain);
        assert_eq!(sniff(b""), Kind::Plain);
    }
}
