//! Plain resolved settings. Everything that depends on the environment (colour, terminals) is
//! folded into plain values here, once, so that the rest of the program never reads it.

/// The `--color` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour when writing to a terminal, unless `NO_COLOR` is set or `TERM=dumb`.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Decides whether to colour: `always` and `never` are obeyed; `auto` colours only a terminal,
/// and not when `NO_COLOR` is set to a non-empty value or `TERM` is `dumb`.
pub fn resolve_color(
    choice: ColorChoice,
    no_color: Option<&str>,
    term: Option<&str>,
    is_terminal: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let is_no_color = no_color.is_some_and(|value| !value.is_empty());
            let is_dumb = term == Some("dumb");
            is_terminal && !is_no_color && !is_dumb
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colour_needs_a_terminal_and_respects_no_color_and_dumb_terms() {
        assert!(resolve_color(ColorChoice::Auto, None, Some("xterm"), true));
        assert!(!resolve_color(
            ColorChoice::Auto,
            None,
            Some("xterm"),
            false
        ));
        assert!(!resolve_color(
            ColorChoice::Auto,
            Some("1"),
            Some("xterm"),
            true
        ));
        assert!(resolve_color(
            ColorChoice::Auto,
            Some(""),
            Some("xterm"),
            true
        ));
        assert!(!resolve_color(ColorChoice::Auto, None, Some("dumb"), true));
        assert!(resolve_color(
            ColorChoice::Always,
            Some("1"),
            Some("dumb"),
            false
        ));
        assert!(!resolve_color(ColorChoice::Never, None, None, true));
    }
}
