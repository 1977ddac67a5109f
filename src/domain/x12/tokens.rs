//! The X12 tokeniser: the separators an ISA segment declares, and the file cut into numbered
//! segments whose elements are read in place (no copy, no allocation per segment). Knows
//! nothing of envelopes, loops or what a segment means.

use super::Refusal;

/// The four characters an interchange declares in its ISA segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    /// Between elements: the ISA's 4th character.
    pub element: u8,
    /// Between the components of a composite element: ISA16.
    pub component: u8,
    /// Between repeated values of an element: ISA11 from version 00402 on (earlier versions
    /// put the letter `U` there, and have none).
    pub repetition: Option<u8>,
    /// After each segment: the character after ISA16.
    pub segment: u8,
}

/// The UTF-8 byte order mark an editor may have put in front of the file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The file without a byte order mark and without the blank space before its first segment.
pub(super) fn body(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes).trim_ascii_start()
}

/// True when `bytes` start like an X12 interchange: `ISA` (or, for a file that lost its ISA,
/// `GS` or `ST`) followed by a separator rather than a letter, a digit, a space or a CSV comma.
pub fn looks_like_x12(bytes: &[u8]) -> bool {
    let body = body(bytes);
    let separator_at = |i: usize| {
        body.get(i).is_some_and(|&b| {
            !b.is_ascii_alphanumeric() && !b.is_ascii_whitespace() && !matches!(b, b',' | b'"')
        })
    };
    (body.starts_with(b"ISA") && separator_at(3))
        || ((body.starts_with(b"GS") || body.starts_with(b"ST")) && separator_at(2))
}

/// How a separator may not be chosen.
fn unusable(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b' '
}

/// Shows a separator in a message: the character, or its code when it is not printable.
pub(super) fn shown(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02X}")
    }
}

/// Reads the separators from the ISA segment at the start of `bytes`. The ISA is meant to be
/// fixed-width (106 characters), but some senders do not pad it, so ISA16 is found by counting
/// element separators rather than by position.
pub fn separators(bytes: &[u8]) -> Result<Separators, Refusal> {
    let body = body(bytes);
    if !body.starts_with(b"ISA") {
        let start: String = String::from_utf8_lossy(&body[..body.len().min(3)])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let starts = if start.is_empty() {
            String::new()
        } else {
            format!("; it starts with {start}")
        };
        return Err(Refusal::new(
            1,
            None,
            format!(
                "the file does not start with an ISA segment, the interchange header that declares the separators{starts}"
            ),
        ));
    }
    let cut_short = || {
        Refusal::new(
            1,
            Some("ISA"),
            "the ISA segment is cut short: it needs 16 elements, the last one (ISA16) followed by the segment terminator",
        )
    };
    let element = *body.get(3).ok_or_else(cut_short)?;
    if unusable(element) || element == b'\r' || element == b'\n' {
        return Err(Refusal::new(
            1,
            Some("ISA"),
            format!(
                "the element separator (the ISA's 4th character) is {}, which cannot separate elements",
                shown(element)
            ),
        ));
    }
    // The ISA is 106 characters when padded; allow for unpadded ones but never read on into the
    // rest of the file looking for separators that are not there.
    let window = &body[..body.len().min(200)];
    let mut found = 0;
    let mut isa11 = None;
    let mut at = None;
    for (i, &b) in window.iter().enumerate().skip(3) {
        if b == element {
            found += 1;
            if found == 11 {
                isa11 = Some(i + 1);
            }
            if found == 16 {
                at = Some(i);
                break;
            }
        }
    }
    let at = at.ok_or_else(cut_short)?;
    let (Some(&component), Some(&segment)) = (body.get(at + 1), body.get(at + 2)) else {
        return Err(cut_short());
    };
    if segment.is_ascii_alphanumeric() || segment == b' ' {
        return Err(Refusal::new(
            1,
            Some("ISA"),
            "ISA16 (the component separator) must be one character, followed directly by the segment terminator",
        ));
    }
    if unusable(component) || component == element || component == segment {
        return Err(Refusal::new(
            1,
            Some("ISA"),
            format!(
                "ISA16, the component separator, is {}: it must be a character other than a letter, a digit, the element separator and the segment terminator",
                shown(component)
            ),
        ));
    }
    if segment == element {
        return Err(Refusal::new(
            1,
            Some("ISA"),
            "the segment terminator (after ISA16) is the element separator",
        ));
    }
    // ISA11 is one character wide: a repetition separator from 00402 on, `U` before.
    let repetition = isa11.and_then(|i| {
        let value = body.get(i..)?;
        let end = value.iter().position(|&b| b == element)?;
        match &value[..end] {
            [b] if !unusable(*b) => Some(*b),
            _ => None,
        }
    });
    if let Some(r) = repetition
        && (r == element || r == component || r == segment)
    {
        return Err(Refusal::new(
            1,
            Some("ISA"),
            format!(
                "ISA11, the repetition separator, is {}, which is already another separator",
                shown(r)
            ),
        ));
    }
    Ok(Separators {
        element,
        component,
        repetition,
        segment,
    })
}

/// One segment: its number in the file (the ISA is 1) and its text, elements read on demand.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    pub number: u64,
    raw: &'a [u8],
    element: u8,
}

impl<'a> Segment<'a> {
    /// The segment id: `ISA`, `INS`, `NM1`, …
    pub fn id(&self) -> &'a [u8] {
        let end = self
            .raw
            .iter()
            .position(|&b| b == self.element)
            .unwrap_or(self.raw.len());
        &self.raw[..end]
    }

    /// The id for messages (never raw bytes).
    pub fn name(&self) -> String {
        String::from_utf8_lossy(self.id()).into_owned()
    }

    /// Element `n` as the implementation guide numbers them (`NM103` is `element(3)`); empty
    /// when the segment stops before it.
    pub fn element(&self, n: usize) -> &'a [u8] {
        self.raw
            .split(|&b| b == self.element)
            .nth(n)
            .unwrap_or_default()
    }

    /// The components of element `n`, split at the component separator.
    pub fn components(&self, n: usize, separators: &Separators) -> Vec<&'a [u8]> {
        self.element(n)
            .split(|&b| b == separators.component)
            .collect()
    }
}

/// The segments of an interchange, numbered from 1 (the ISA). Line breaks and blank space
/// between segments are ignored.
pub struct Segments<'a> {
    rest: &'a [u8],
    number: u64,
    separators: Separators,
}

/// Cuts `bytes` into segments with the separators its ISA declared.
pub fn segments(bytes: &[u8], separators: Separators) -> Segments<'_> {
    Segments {
        rest: body(bytes),
        number: 0,
        separators,
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (piece, rest) = match self.rest.iter().position(|&b| b == self.separators.segment) {
                Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
                None => (self.rest, &self.rest[self.rest.len()..]),
            };
            self.rest = rest;
            let piece = piece.trim_ascii();
            if piece.is_empty() {
                continue;
            }
            self.number += 1;
            return Some(Segment {
                number: self.number,
                raw: piece,
                element: self.separators.element,
            });
        }
    }
}

/// True when `id` can be a segment id: two or three capital letters or digits, a letter first.
pub fn is_segment_id(id: &[u8]) -> bool {
    (2..=3).contains(&id.len())
        && id[0].is_ascii_uppercase()
        && id
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
