//! Making log text safe to show: control characters escaped, invalid UTF-8 shown as `\xNN`,
//! length capped. Nothing but the escaped bytes is altered.

use std::fmt::Write as _;

/// The most bytes of a log line that an event or report shows.
pub const MAX_SHOWN_BYTES: usize = 1024;

/// Escapes `bytes` for a terminal or JSON: control characters (C0, DEL, C1) become `\t`, `\r`,
/// `\e`, `\xNN` or `\u{NN}`; bytes that are not UTF-8 become `\xNN`; a backslash stays a
/// backslash. At most `max_bytes` of input are shown; a cut is marked with `…`.
pub fn escape_bytes(bytes: &[u8], max_bytes: usize) -> String {
    let (shown, is_cut) = if bytes.len() > max_bytes {
        (&bytes[..max_bytes], true)
    } else {
        (bytes, false)
    };
    let mut out = String::with_capacity(shown.len() + 8);
    for chunk in shown.utf8_chunks() {
        for character in chunk.valid().chars() {
            push_char(&mut out, character);
        }
        let invalid = chunk.invalid();
        // A multi-byte character cut by the cap shows as its raw bytes, which is honest.
        for byte in invalid {
            let _ = write!(out, "\\x{byte:02X}");
        }
    }
    if is_cut {
        out.push('…');
    }
    out
}

/// Escapes text (a file name, a message) for a terminal, without a length cap.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        push_char(&mut out, character);
    }
    out
}

fn push_char(out: &mut String, character: char) {
    match character {
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\u{1b}' => out.push_str("\\e"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02X}", c as u32);
        }
        c if (0x80..0xa0).contains(&(c as u32)) => {
            let _ = write!(out, "\\u{{{:02X}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// True when `text` holds no control character (C0, DEL or C1).
pub fn is_free_of_controls(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_controls_and_invalid_bytes() {
        assert_eq!(escape_bytes(b"a\x1b[31mb\tc", 100), "a\\e[31mb\\tc");
        assert_eq!(escape_bytes(b"x\xffy", 100), "x\\xFFy");
        assert_eq!(escape_bytes("é\u{85}".as_bytes(), 100), "é\\u{85}");
        assert_eq!(escape_bytes(b"abcdef", 3), "abc…");
        assert_eq!(escape_text("name\nwith\x07bell"), "name\\nwith\\x07bell");
    }

    proptest! {
        #[test]
        fn escaped_text_has_no_control_characters(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let escaped = escape_bytes(&bytes, MAX_SHOWN_BYTES);
            prop_assert!(is_free_of_controls(&escaped));
        }
    }
}
