//! A twelve-month trend as a small inline SVG line: the same monthly series the TUI's
//! sparklines draw, scaled 0–100, with a gap for a month without a denominator. Pure text out;
//! no script, no external reference.

use std::fmt::Write;

const WIDTH: f64 = 132.0;
const HEIGHT: f64 = 30.0;
const PAD: f64 = 3.0;

/// `values` oldest first, each 0–100 or `None`; `label` is the chart's accessible name.
pub fn trend(values: &[Option<f64>], label: &str) -> String {
    let n = values.len().max(2) as f64;
    let x = |i: usize| PAD + i as f64 * (WIDTH - 2.0 * PAD) / (n - 1.0);
    let y = |v: f64| HEIGHT - PAD - v.clamp(0.0, 100.0) * (HEIGHT - 2.0 * PAD) / 100.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}">"#,
        super::escape(label)
    );
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{PAD}" y1="{base}" x2="{end}" y2="{base}"/>"#,
        base = HEIGHT - PAD,
        end = WIDTH - PAD
    );
    // One polyline per run of months that have a value.
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>, svg: &mut String| {
        if run.len() > 1 {
            let points: Vec<String> = run.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            let _ = write!(svg, r#"<polyline points="{}"/>"#, points.join(" "));
        }
        run.clear();
    };
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => run.push((x(i), y(*v))),
            None => flush(&mut run, &mut svg),
        }
    }
    flush(&mut run, &mut svg);
    if let Some((i, Some(v))) = values.iter().enumerate().rev().find(|(_, v)| v.is_some()) {
        let _ = write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2.2"/>"#,
            x(i),
            y(*v)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_draws_runs_and_leaves_gaps_without_any_reference() {
        let svg = trend(
            &[Some(0.0), Some(50.0), None, Some(100.0), Some(80.0)],
            "show <rate>",
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(r#"aria-label="show &lt;rate&gt;""#), "{svg}");
        assert!(svg.contains("<circle"));
        assert!(!svg.contains("href") && !svg.contains("url("));
        let empty = trend(&[None, None], "x");
        assert!(!empty.contains("<polyline") && !empty.contains("<circle"));
    }
}
