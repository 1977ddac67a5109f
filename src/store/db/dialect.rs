//! The store's SQL (SQLite's dialect) as PostgreSQL takes it — every difference between the
//! two engines that a statement's text carries, in one place: placeholders (`?1`, `?` and
//! `:name` become `$n`), SQLite's index hints (`INDEXED BY`, `NOT INDEXED`: the server's
//! planner chooses), `INSERT OR IGNORE` (`ON CONFLICT DO NOTHING`), and SQLite's functions —
//! `instr` is `strpos`, two-argument `max`/`min` are `greatest`/`least`, `json_group_array` is
//! `json_agg`, and `json_each` (of a JSON list of ids), `julianday` and `datetime` are the
//! session's own functions ([`SESSION_FUNCTIONS`]). Quoted text and identifiers are copied as
//! they are. What has no rewrite here is written portably in the store (ISO dates as text,
//! `coalesce`, CTEs, window functions, `ON CONFLICT`, `RETURNING`).

/// SQLite's functions the store calls that PostgreSQL lacks, made for each session (in its
/// temporary schema, so nothing is added to the practice's database): `json_each` of a JSON
/// list of integers, `julianday` of an ISO date or time, `datetime` of one or of `'now'` (UTC).
pub const SESSION_FUNCTIONS: &str = "
CREATE FUNCTION pg_temp.caseload_ids(ids text) RETURNS TABLE (value bigint)
    LANGUAGE sql IMMUTABLE AS $$ SELECT e::bigint FROM json_array_elements_text(ids::json) e $$;
CREATE FUNCTION pg_temp.julianday(at text) RETURNS double precision
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT extract(epoch FROM at::timestamp)::double precision / 86400 + 2440587.5 $$;
CREATE FUNCTION pg_temp.datetime(at text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(CASE WHEN at = 'now' THEN now() AT TIME ZONE 'UTC' ELSE at::timestamp END,
                   'YYYY-MM-DD HH24:MI:SS') $$;
";

/// How a rewritten statement's `$n` are filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholders {
    /// `$1 … $n` by position.
    Positional(usize),
    /// `$k` is the k-th of these names (each with its `:` or `@`).
    Named(Vec<String>),
}

/// One statement in the server's dialect, and how its parameters are filled.
pub fn to_postgres(sql: &str) -> (String, Placeholders) {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut names: Vec<String> = Vec::new();
    let mut positional = 0usize;
    let mut highest = 0usize;
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' => {
                // Copied to the matching quote (a doubled quote stays inside).
                let end = closing(&chars, i);
                out.extend(&chars[i..end]);
                i = end;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                let end = chars[i..]
                    .iter()
                    .position(|c| *c == '\n')
                    .map_or(chars.len(), |p| i + p);
                out.extend(&chars[i..end]);
                i = end;
            }
            '?' => {
                let digits: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                let n = if digits.is_empty() {
                    positional += 1;
                    positional
                } else {
                    digits.parse().unwrap_or(0)
                };
                highest = highest.max(n);
                out.push('$');
                out.push_str(&n.to_string());
                i += 1 + digits.len();
            }
            ':' | '@'
                if chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == '_')
                    && !(c == ':' && i > 0 && chars[i - 1] == ':') =>
            {
                let name_len = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .count();
                let name: String = chars[i..i + 1 + name_len].iter().collect();
                let k = match names.iter().position(|n| *n == name) {
                    Some(k) => k + 1,
                    None => {
                        names.push(name);
                        names.len()
                    }
                };
                out.push('$');
                out.push_str(&k.to_string());
                i += 1 + name_len;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    let out = without_hints(&out);
    let placeholders = if names.is_empty() {
        Placeholders::Positional(highest)
    } else {
        Placeholders::Named(names)
    };
    (out, placeholders)
}

/// Statements without parameters, separated by semicolons, in the server's dialect.
pub fn batch_to_postgres(sql: &str) -> String {
    without_hints(sql)
}

/// SQLite's functions as the server's (see the module); names after a `.` are columns.
fn functions(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        let called =
            words.get(i + 1).is_some_and(|w| w == "(") && out.last().is_none_or(|w| w != ".");
        if !called {
            let before = out.iter().rev().find(|w| !w.trim().is_empty());
            let after = words[i + 1..].iter().find(|w| !w.trim().is_empty());
            let is_value = |w: Option<&String>| {
                w.is_some_and(|w| w.starts_with('?') || w.starts_with(':') || w.starts_with('$'))
            };
            match word.to_ascii_uppercase().as_str() {
                // SQLite's `a IS b` and `a IS NOT b` compare values, NULL equal to NULL.
                "IS" if is_value(after) => out.push("IS NOT DISTINCT FROM".into()),
                "NOT"
                    if before.is_some_and(|w| w.eq_ignore_ascii_case("IS")) && is_value(after) =>
                {
                    if let Some(at) = out.iter().rposition(|w| w.eq_ignore_ascii_case("IS")) {
                        out[at] = "IS DISTINCT FROM".into();
                        out.truncate(at + 1);
                    }
                }
                // SQLite's unary `+`, which only keeps an index out of the plan.
                "+" if before.is_some_and(|w| {
                    matches!(
                        w.to_ascii_uppercase().as_str(),
                        "WHERE"
                            | "AND"
                            | "OR"
                            | "ON"
                            | "("
                            | ","
                            | "="
                            | "<"
                            | ">"
                            | "NOT"
                            | "SELECT"
                            | "BY"
                    )
                }) => {}
                _ => out.push(word.clone()),
            }
            i += 1;
            continue;
        }
        let close = matching(words, i + 1);
        let renamed = match word.to_ascii_lowercase().as_str() {
            "instr" => Some("strpos"),
            "json_each" => Some("pg_temp.caseload_ids"),
            "julianday" => Some("pg_temp.julianday"),
            "datetime" => Some("pg_temp.datetime"),
            "max" if has_top_level_comma(words, i + 1, close) => Some("greatest"),
            "min" if has_top_level_comma(words, i + 1, close) => Some("least"),
            _ => None,
        };
        if word.eq_ignore_ascii_case("json_group_array") {
            // json_agg of nothing is NULL where SQLite gives an empty list.
            let inner = functions(&words[i + 2..close]).concat();
            out.push(format!("coalesce(json_agg({inner})::text, '[]')"));
            i = close + 1;
            continue;
        }
        out.push(renamed.map_or_else(|| word.clone(), str::to_string));
        i += 1;
    }
    out
}

/// The index of the `)` that closes the `(` at `open` (the end when none does).
fn matching(words: &[String], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, w) in words.iter().enumerate().skip(open) {
        match w.as_str() {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    words.len()
}

fn has_top_level_comma(words: &[String], open: usize, close: usize) -> bool {
    let mut depth = 0usize;
    for w in words.iter().take(close).skip(open + 1) {
        match w.as_str() {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            "," if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// The index just after the quote that closes the one at `start`.
fn closing(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

/// Drops SQLite's index hints and turns `INSERT OR IGNORE` into `ON CONFLICT DO NOTHING`
/// (words outside quotes only).
fn without_hints(sql: &str) -> String {
    let words = functions(&tokens(sql));
    let mut out = String::with_capacity(sql.len());
    let mut ignore_conflicts = false;
    let mut i = 0;
    while i < words.len() {
        let upper = |k: usize| words.get(k).map(|w| w.to_ascii_uppercase());
        let word = upper(i).unwrap_or_default();
        if word == "INDEXED" && upper(i + 2).as_deref() == Some("BY") {
            // "INDEXED" " " "BY" " " name: drop all five, and the space before them.
            out.truncate(out.trim_end().len());
            i += 5;
            continue;
        }
        if word == "NOT" && upper(i + 2).as_deref() == Some("INDEXED") {
            out.truncate(out.trim_end().len());
            i += 3;
            continue;
        }
        if word == "INSERT"
            && upper(i + 2).as_deref() == Some("OR")
            && upper(i + 4).as_deref() == Some("IGNORE")
        {
            out.push_str(&words[i]);
            ignore_conflicts = true;
            i += 5;
            continue;
        }
        out.push_str(&words[i]);
        i += 1;
    }
    if ignore_conflicts {
        let trimmed = out.trim_end().trim_end_matches(';').trim_end().to_string();
        return format!("{trimmed} ON CONFLICT DO NOTHING");
    }
    out
}

/// The text as words, runs of white space, quoted pieces and single other characters, in
/// order: joined again they are the text.
fn tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let end = if c == '\'' || c == '"' {
            closing(&chars, i)
        } else if c.is_whitespace() {
            i + chars[i..].iter().take_while(|c| c.is_whitespace()).count()
        } else if c.is_alphanumeric() || c == '_' {
            i + chars[i..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .count()
        } else {
            i + 1
        };
        out.push(chars[i..end].iter().collect());
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_and_bare_placeholders_become_dollars() {
        let (sql, p) = to_postgres("SELECT a FROM t WHERE b = ?1 AND (?2 IS NULL OR c = ?2)");
        assert_eq!(
            sql,
            "SELECT a FROM t WHERE b = $1 AND ($2 IS NULL OR c = $2)"
        );
        assert_eq!(p, Placeholders::Positional(2));
        let (sql, p) = to_postgres("INSERT INTO t (a, b) VALUES (?, ?)");
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES ($1, $2)");
        assert_eq!(p, Placeholders::Positional(2));
    }

    #[test]
    fn named_placeholders_are_numbered_by_first_use() {
        let (sql, p) = to_postgres("SELECT 1 WHERE a <= :today AND b >= :today AND c = :who");
        assert_eq!(sql, "SELECT 1 WHERE a <= $1 AND b >= $1 AND c = $2");
        assert_eq!(p, Placeholders::Named(vec![":today".into(), ":who".into()]));
    }

    #[test]
    fn quoted_text_and_comments_are_left_alone() {
        let (sql, p) =
            to_postgres("SELECT '?1 :x', \"a?\" -- what? :y\nFROM t WHERE a = 'it''s ?'");
        assert_eq!(
            sql,
            "SELECT '?1 :x', \"a?\" -- what? :y\nFROM t WHERE a = 'it''s ?'"
        );
        assert_eq!(p, Placeholders::Positional(0));
    }

    #[test]
    fn index_hints_go_and_insert_or_ignore_ignores_conflicts() {
        let (sql, _) = to_postgres(
            "SELECT s.id FROM panel_segments s INDEXED BY panel_priority WHERE s.rank < 3",
        );
        assert_eq!(sql, "SELECT s.id FROM panel_segments s WHERE s.rank < 3");
        let (sql, _) = to_postgres("SELECT id FROM clients c NOT INDEXED WHERE c.id = ?1");
        assert_eq!(sql, "SELECT id FROM clients c WHERE c.id = $1");
        let (sql, _) = to_postgres("INSERT OR IGNORE INTO flag_dirty (client_id) VALUES (?1);");
        assert_eq!(
            sql,
            "INSERT INTO flag_dirty (client_id) VALUES ($1) ON CONFLICT DO NOTHING"
        );
        // A word that merely contains a hint's word is a word.
        let (sql, _) = to_postgres(
            "SELECT max(a.start_date, :from), max(e.date), instr(s.name, :w) FROM t \
             WHERE c.id IN (SELECT value FROM json_each(:ids)) AND d < datetime('now')",
        );
        assert_eq!(
            sql,
            "SELECT greatest(a.start_date, $1), max(e.date), strpos(s.name, $2) FROM t \
             WHERE c.id IN (SELECT value FROM pg_temp.caseload_ids($3)) \
             AND d < pg_temp.datetime('now')"
        );
        let (sql, _) = to_postgres("SELECT json_group_array(d.client_id) FROM flag_dirty d");
        assert_eq!(
            sql,
            "SELECT coalesce(json_agg(d.client_id)::text, '[]') FROM flag_dirty d"
        );
        let (sql, _) = to_postgres(
            "SELECT 1 WHERE +e.date >= ?1 AND x.note IS ?2 AND y IS NOT ?3 AND z IS NOT NULL AND a + b > 1",
        );
        assert_eq!(
            sql,
            "SELECT 1 WHERE e.date >= $1 AND x.note IS NOT DISTINCT FROM $2 AND y IS DISTINCT FROM $3 AND z IS NOT NULL AND a + b > 1"
        );
        // A column named like a function is a column.
        let (sql, _) = to_postgres("SELECT e.max, t.instr (1) FROM t");
        assert_eq!(sql, "SELECT e.max, t.instr (1) FROM t");
        let (sql, _) = to_postgres("SELECT reindexed_by FROM t");
        assert_eq!(sql, "SELECT reindexed_by FROM t");
    }
}
