//! One line of editable text — the panel filter, the picker's query, a form field, the lock
//! screen's passphrase — held as tui-input's `Input` (value and cursor), and the one way an
//! `Edit` action or a typed character changes it. It knows nothing of the field it serves:
//! length limits and allowed characters are the caller's. It never draws; `window` only says
//! what part of the text a drawing of a given width shows and where the cursor falls in it.

use super::action::Edit;
use crate::domain::text::sanitize;
use tui_input::{Input, InputRequest};
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default)]
pub struct TextInput(Input);

// `Input` keeps a yank buffer besides the text; two fields are the same when what they show
// and where their cursor is are the same (the model types compare with `==` in tests).
impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value() && self.cursor() == other.cursor()
    }
}

impl Eq for TextInput {}

impl PartialEq<&str> for TextInput {
    fn eq(&self, other: &&str) -> bool {
        self.value() == *other
    }
}

impl From<&str> for TextInput {
    fn from(text: &str) -> Self {
        TextInput::new(text)
    }
}

impl From<String> for TextInput {
    fn from(text: String) -> Self {
        TextInput(Input::new(text))
    }
}

impl TextInput {
    /// The text with the cursor after its last character.
    pub fn new(text: &str) -> TextInput {
        TextInput(Input::new(text.to_string()))
    }

    pub fn value(&self) -> &str {
        self.0.value()
    }

    /// Characters before the cursor.
    pub fn cursor(&self) -> usize {
        self.0.cursor()
    }

    pub fn len(&self) -> usize {
        self.value().chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.value().is_empty()
    }

    /// Whether the cursor is after the last character (where a filled-in default leaves it).
    pub fn at_end(&self) -> bool {
        self.cursor() == self.len()
    }

    /// Replaces the text; the cursor goes to its end. The same text changes nothing: a
    /// default kept in step with other fields on every key must not pull the cursor away.
    pub fn set(&mut self, text: impl Into<String>) {
        let text = text.into();
        if text != self.value() {
            self.0 = Input::new(text);
        }
    }

    pub fn clear(&mut self) {
        self.0.reset();
    }

    /// The text, leaving the field empty (a passphrase is not kept after an attempt).
    pub fn take(&mut self) -> String {
        self.0.value_and_reset()
    }

    /// Inserts at the cursor. A control character never enters a field, whatever the caller
    /// allows: it could reach the terminal when the field is drawn, or the database.
    pub fn insert(&mut self, c: char) -> bool {
        if crate::domain::text::find_control(c.encode_utf8(&mut [0; 4])).is_some() {
            return false;
        }
        self.0
            .handle(InputRequest::InsertChar(c))
            .is_some_and(|changed| changed.value)
    }

    /// Moves the cursor or deletes; returns whether the text changed.
    pub fn edit(&mut self, edit: Edit) -> bool {
        let request = match edit {
            Edit::Left => InputRequest::GoToPrevChar,
            Edit::Right => InputRequest::GoToNextChar,
            Edit::WordLeft => InputRequest::GoToPrevWord,
            Edit::WordRight => InputRequest::GoToNextWord,
            Edit::Home => InputRequest::GoToStart,
            Edit::End => InputRequest::GoToEnd,
            Edit::DeleteBack => InputRequest::DeletePrevChar,
            Edit::DeleteForward => InputRequest::DeleteNextChar,
            Edit::DeleteWordBack => InputRequest::DeletePrevWord,
            Edit::DeleteToStart => InputRequest::DeleteFromStart,
        };
        self.0.handle(request).is_some_and(|changed| changed.value)
    }

    /// What a drawing `width` columns wide shows of the text (sanitised), and the column of
    /// the cursor in it. The view follows the cursor; `…` marks text cut off on either side.
    pub fn window(&self, width: usize) -> (String, u16) {
        window(&sanitize(self.value()), self.cursor(), width)
    }

    /// The same for a secret: one `•` per character, so nothing of it is ever drawn.
    pub fn masked_window(&self, width: usize) -> (String, u16) {
        window(&"•".repeat(self.len()), self.cursor(), width)
    }
}

/// The part of `text` shown in `width` columns with the cursor (before character `cursor`)
/// on screen, one column kept for the cursor after the last character.
fn window(text: &str, cursor: usize, width: usize) -> (String, u16) {
    let chars: Vec<(char, usize)> = text.chars().map(|c| (c, c.width().unwrap_or(0))).collect();
    let cursor = cursor.min(chars.len());
    let cols = |from: usize, to: usize| chars[from..to].iter().map(|(_, w)| w).sum::<usize>();
    if width == 0 {
        return (String::new(), 0);
    }
    // The first character shown: as far left as keeps the cursor's cell on screen, after a
    // `…` when anything is cut off on the left, and before one when more follows it.
    let lead = |start: usize| usize::from(start > 0);
    let trail = usize::from(cursor + 1 < chars.len());
    let mut start = 0;
    while start < cursor && lead(start) + cols(start, cursor) + 1 + trail > width {
        start += 1;
    }
    let mut shown = String::new();
    let mut used = lead(start);
    if start > 0 {
        shown.push('…');
    }
    let mut end = start;
    while end < chars.len() && used + chars[end].1 <= width {
        shown.push(chars[end].0);
        used += chars[end].1;
        end += 1;
    }
    if end < chars.len() {
        // Cut on the right: the last column says so.
        while used + 1 > width
            && let Some(c) = shown.pop()
        {
            used -= c.width().unwrap_or(0);
        }
        shown.push('…');
    }
    let column = lead(start) + cols(start, cursor);
    (shown, column.min(width - 1) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, cursor: usize) -> TextInput {
        let mut input = TextInput::new(text);
        for _ in cursor..input.len() {
            input.edit(Edit::Left);
        }
        input
    }

    #[test]
    fn typing_goes_in_at_the_cursor() {
        let mut input = at("Ana Lima", 3);
        assert!(input.insert('h'));
        assert_eq!(input.value(), "Anah Lima");
        assert_eq!(input.cursor(), 4);
        assert!(!input.insert('\u{1b}'), "no control character enters");
        assert!(!input.insert('\u{202e}'), "nor a text-direction override");
        assert_eq!(input.value(), "Anah Lima");
    }

    #[test]
    fn words_and_ends() {
        let mut input = TextInput::new("Maria de Souza");
        assert!(input.edit(Edit::DeleteWordBack));
        assert_eq!(input.value(), "Maria de ");
        input.edit(Edit::Home);
        assert_eq!(input.cursor(), 0);
        input.edit(Edit::WordRight);
        input.edit(Edit::DeleteForward);
        assert_eq!(input.value(), "Maria e ");
        assert!(!input.edit(Edit::End), "moving changes no text");
        assert!(input.edit(Edit::DeleteToStart));
        assert!(input.is_empty());
    }

    #[test]
    fn the_window_follows_the_cursor_and_marks_what_is_cut() {
        assert_eq!(at("abcdef", 6).window(10), ("abcdef".into(), 6));
        // Cursor at the end of a long text: its tail, the cursor in the last column.
        assert_eq!(at("abcdefghij", 10).window(6), ("…ghij".into(), 5));
        // Cursor at the start: the head, cut on the right.
        assert_eq!(at("abcdefghij", 0).window(6), ("abcde…".into(), 0));
        // In the middle: cut on both sides, the cursor on screen.
        let (shown, column) = at("abcdefghij", 7).window(6);
        assert_eq!(shown.chars().nth(column as usize), Some('h'), "{shown}");
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        // Wide characters count two columns.
        assert_eq!(at("日本語", 3).window(10), ("日本語".into(), 6));
    }

    #[test]
    fn a_secret_shows_dots_only() {
        let input = at("hunter2", 7);
        let (shown, column) = input.masked_window(20);
        assert_eq!((shown.as_str(), column), ("•••••••", 7));
        assert!(!shown.contains('h'));
    }
}
