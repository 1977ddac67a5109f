//! Themes: semantic roles (critical, warning, selected, …) mapped to styles, loaded from TOML
//! files embedded in the binary and optionally overlaid by the user's own files. Screens ask
//! for a role, never for a colour.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

macro_rules! roles {
    ($($role:ident),+ $(,)?) => {
        /// A part of the screen that has its own look.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Role { $($role),+ }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$role),+];
            pub fn key(self) -> &'static str {
                match self { $(Role::$role => stringify!($role)),+ }
            }
        }
    };
}

roles!(
    text,
    muted,
    title,
    header,
    border,
    accent,
    tab,
    tab_active,
    selected,
    critical,
    warning,
    info,
    good,
    input,
    input_focus,
    error,
    key,
    chart_phq9,
    chart_gad7,
    chart_band,
    bar_revenue,
    bar_cost,
);

/// The built-in themes, embedded at build time.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    roles: HashMap<String, StyleFile>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StyleFile {
    fg: Option<String>,
    bg: Option<String>,
    bold: Option<bool>,
    italic: Option<bool>,
    underlined: Option<bool>,
    reversed: Option<bool>,
}

/// A resolved theme: every role has a style.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: HashMap<Role, Style>,
    /// `NO_COLOR`: keep emphasis (bold, reversed) but drop every colour.
    pub no_color: bool,
}

impl Theme {
    pub fn style(&self, role: Role) -> Style {
        let style = self.styles.get(&role).copied().unwrap_or_default();
        if self.no_color {
            let mut plain = Style::default().add_modifier(style.add_modifier);
            if matches!(role, Role::selected | Role::tab_active | Role::input_focus) {
                plain = plain.add_modifier(Modifier::REVERSED);
            }
            plain
        } else {
            style
        }
    }

    /// The built-in default theme; cannot fail.
    pub fn fallback() -> Theme {
        let mut theme = Theme {
            name: "default".into(),
            styles: HashMap::new(),
            no_color: false,
        };
        theme
            .overlay(BUILT_IN[0].1)
            .expect("the built-in default theme is valid");
        theme
    }

    /// Applies a theme file's roles over the current ones.
    fn overlay(&mut self, text: &str) -> Result<(), String> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
        for (key, style) in file.roles {
            let role = Role::ALL
                .iter()
                .copied()
                .find(|r| r.key() == key)
                .ok_or_else(|| format!("unknown role '{key}'"))?;
            self.styles.insert(
                role,
                style.resolve().map_err(|e| format!("role '{key}': {e}"))?,
            );
        }
        Ok(())
    }
}

impl StyleFile {
    fn resolve(&self) -> Result<Style, String> {
        let colour = |text: &Option<String>| -> Result<Option<Color>, String> {
            text.as_deref()
                .map(|t| Color::from_str(t).map_err(|_| format!("'{t}' is not a colour")))
                .transpose()
        };
        let mut style = Style::default();
        if let Some(fg) = colour(&self.fg)? {
            style = style.fg(fg);
        }
        if let Some(bg) = colour(&self.bg)? {
            style = style.bg(bg);
        }
        for (on, modifier) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underlined, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ] {
            if on == Some(true) {
                style = style.add_modifier(modifier);
            }
        }
        Ok(style)
    }
}

/// Loads theme `name`: the built-in default, then the built-in theme of that name, then the
/// user's `themes/NAME.toml` from `user_dir`. Anything wrong is returned as a warning and the
/// default is used instead, so a broken theme never stops the program.
pub fn load(name: &str, user_dir: Option<&Path>, no_color: bool) -> (Theme, Option<String>) {
    let mut theme = Theme::fallback();
    theme.no_color = no_color;
    let built_in = BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
    let user_file = user_dir.map(|d| d.join("themes").join(format!("{name}.toml")));
    let user_text = match &user_file {
        Some(path) if path.exists() => match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) => {
                return (
                    theme,
                    Some(format!(
                        "could not read theme {}: {e}; using the default",
                        path.display()
                    )),
                );
            }
        },
        _ => None,
    };
    if built_in.is_none() && user_text.is_none() {
        let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
        return (
            theme,
            Some(format!(
                "no theme named '{name}' (built in: {}); using the default",
                names.join(", ")
            )),
        );
    }
    let mut candidate = theme.clone();
    candidate.name = name.to_string();
    if let Some(text) = built_in {
        candidate.overlay(text).expect("built-in themes are valid");
    }
    if let Some(text) = user_text {
        let path = user_file.expect("read from a path").display().to_string();
        if let Err(e) = candidate.overlay(&text) {
            return (
                theme,
                Some(format!("theme {path} is broken ({e}); using the default")),
            );
        }
    }
    (candidate, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_define_every_role() {
        for (name, text) in BUILT_IN {
            let file: ThemeFile = toml::from_str(text).unwrap();
            for role in Role::ALL {
                assert!(
                    file.roles.contains_key(role.key()),
                    "{name} lacks {}",
                    role.key()
                );
            }
            let (theme, warning) = load(name, None, false);
            assert_eq!(warning, None);
            assert_eq!(theme.name, *name);
        }
    }

    #[test]
    fn user_themes_overlay_and_broken_ones_fall_back_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/light.toml"),
            "[roles]\ncritical = { fg = \"#ff0000\" }\n",
        )
        .unwrap();
        let (theme, warning) = load("light", Some(dir.path()), false);
        assert_eq!(warning, None);
        assert_eq!(theme.style(Role::critical).fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(
            theme.style(Role::text).fg,
            Some(Color::Black),
            "other roles from built-in light"
        );

        std::fs::write(
            dir.path().join("themes/mine.toml"),
            "[roles]\ncritical = { fg = \"plaid\" }\n",
        )
        .unwrap();
        let (theme, warning) = load("mine", Some(dir.path()), false);
        assert!(warning.unwrap().contains("'plaid' is not a colour"));
        assert_eq!(theme, Theme::fallback());

        let (_, warning) = load("nonesuch", Some(dir.path()), false);
        assert!(warning.unwrap().contains("no theme named"));
    }

    #[test]
    fn no_color_keeps_emphasis_only() {
        let (theme, _) = load("default", None, true);
        let selected = theme.style(Role::selected);
        assert_eq!(selected.fg, None);
        assert_eq!(selected.bg, None);
        assert!(selected.add_modifier.contains(Modifier::REVERSED));
    }
}
