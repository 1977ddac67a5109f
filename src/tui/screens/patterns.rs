//! Marks that tell two series apart without colour (`NO_COLOR`, a monochrome terminal, a
//! colour-blind reader): the client chart draws PHQ-9 in braille and GAD-7 in half blocks, and
//! the revenue chart fills net bars solid and cost bars shaded. Drawing only; no data here.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;

/// The PHQ-9 line's marker and the sample the chart's title shows for it.
pub const PHQ9_MARKER: Marker = Marker::Braille;
pub const PHQ9_SAMPLE: &str = "⣀⣀";
/// The GAD-7 line's marker (not braille, so the two lines differ in shape) and its sample.
pub const GAD7_MARKER: Marker = Marker::HalfBlock;
pub const GAD7_SAMPLE: &str = "▄▄";

/// Net bars are solid; cost bars are shaded with this, and the title shows both.
pub const NET_SAMPLE: &str = "█";
pub const COST_FILL: &str = "▒";

/// Shades the second bar of every group in a bar chart drawn in `inner` (its area inside the
/// border) with bars `bar_width` wide, no gap between bars and `group_gap` between groups —
/// the layout ratatui's `BarChart` gives them. Only whole cells are shaded; a bar's partial
/// top cell keeps its eighth-block so the height still reads exactly.
pub fn shade_second_bars(
    buf: &mut Buffer,
    inner: Rect,
    groups: usize,
    bar_width: u16,
    group_gap: u16,
) {
    let full = ratatui::symbols::bar::FULL;
    for group in 0..groups as u16 {
        let first = inner.x + group * (2 * bar_width + group_gap) + bar_width;
        for x in first..first + bar_width {
            for y in inner.top()..inner.bottom() {
                if x < inner.right()
                    && let Some(cell) = buf.cell_mut((x, y))
                    && cell.symbol() == full
                {
                    cell.set_symbol(COST_FILL);
                }
            }
        }
    }
}
