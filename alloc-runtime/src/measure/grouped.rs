//! [`Grouped`]: figures written with a comma between groups of three
//! digits (`2,048`), for the tables and messages of this module.

use core::fmt;

/// A figure written with a comma between groups of three digits, with its
/// sign (`-16`, and `+1,024` when [`signed`](Grouped::signed)); width and
/// alignment of the format string apply to the whole.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Grouped {
    negative: bool,
    magnitude: u128,
    plus: bool,
}

impl Grouped {
    /// `n`, no sign.
    pub(crate) fn unsigned(n: u64) -> Self {
        Self {
            negative: false,
            magnitude: n.into(),
            plus: false,
        }
    }

    /// `n` with its sign always written: `+` above zero, `-` below.
    pub(crate) fn signed(n: i64) -> Self {
        Self {
            negative: n < 0,
            magnitude: n.unsigned_abs().into(),
            plus: n > 0,
        }
    }
}

impl fmt::Display for Grouped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 39 digits, 12 commas and a sign at most.
        let mut buf = [0u8; 64];
        let mut at = buf.len();
        let mut rest = self.magnitude;
        let mut digits = 0;
        loop {
            if digits > 0 && digits % 3 == 0 {
                at -= 1;
                buf[at] = b',';
            }
            at -= 1;
            buf[at] = b'0' + (rest % 10) as u8;
            digits += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if self.negative || self.plus {
            at -= 1;
            buf[at] = if self.negative { b'-' } else { b'+' };
        }
        f.pad(core::str::from_utf8(&buf[at..]).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::Grouped;
    use alloc::format;

    #[test]
    fn groups_digits_by_three_and_writes_the_sign() {
        let cases = [
            (Grouped::unsigned(0), "0"),
            (Grouped::unsigned(999), "999"),
            (Grouped::unsigned(1000), "1,000"),
            (Grouped::unsigned(2048), "2,048"),
            (Grouped::unsigned(1_234_567), "1,234,567"),
            (Grouped::unsigned(u64::MAX), "18,446,744,073,709,551,615"),
            (Grouped::signed(0), "0"),
            (Grouped::signed(16), "+16"),
            (Grouped::signed(-1024), "-1,024"),
            (Grouped::signed(i64::MIN), "-9,223,372,036,854,775,808"),
        ];
        for (figure, text) in cases {
            assert_eq!(format!("{figure}"), text);
        }
        assert_eq!(format!("[{:>7}]", Grouped::unsigned(2048)), "[  2,048]");
    }
}
