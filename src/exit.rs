//! The exit status contract: 0 ran clean, 1 a gate tripped, 2 an error. Errors win over gates.

/// How a run ended, in the contract's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum ExitStatus {
    /// Ran to the end, no gate tripped (0).
    #[default]
    Success,
    /// A gate tripped, or `explain` found nothing for a query (1).
    GateTripped,
    /// An error: bad arguments, a bad catalog or pattern file, an unreadable input (2).
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::GateTripped => 1,
            ExitStatus::Error => 2,
        }
    }

    /// Combines two outcomes: the more serious one wins (error over gate over success).
    pub fn merge(self, other: ExitStatus) -> ExitStatus {
        self.max(other)
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus::*;

    #[test]
    fn errors_win_over_gates_and_gates_over_success() {
        assert_eq!(Success.merge(GateTripped), GateTripped);
        assert_eq!(GateTripped.merge(Error), Error);
        assert_eq!(Error.merge(Success), Error);
        assert_eq!(Success.merge(Success), Success);
        assert_eq!(
            [Success.code(), GateTripped.code(), Error.code()],
            [0, 1, 2]
        );
    }
}
