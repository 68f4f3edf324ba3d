//! A small matcher for integration-response `selectionPattern`s. AWS uses Java regular
//! expressions matched against the whole backend status code (HTTP) or Lambda `errorMessage`
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-integration-settings-integration-response.html>).
//! Supported here: literals, `.`, `\d \w \s` and escaped characters, `[...]` classes with ranges
//! and `^`, the quantifiers `* + ? {n} {n,} {n,m}`, and top-level `|`. Groups are not supported:
//! a pattern using them never matches (reported as `None` by [`compile`]).

#[derive(Debug, Clone)]
enum Atom {
    Any,
    Char(char),
    Class(Vec<(char, char)>, bool),
}

#[derive(Debug, Clone)]
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

/// A compiled selection pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    branches: Vec<Vec<Piece>>,
}

/// Compiles `pattern`; `None` when it uses syntax outside the supported subset.
pub fn compile(pattern: &str) -> Option<Pattern> {
    let mut branches = Vec::new();
    for branch in pattern.split('|') {
        branches.push(compile_branch(branch)?);
    }
    Some(Pattern { branches })
}

fn class_escape(c: char) -> Option<Atom> {
    Some(match c {
        'd' => Atom::Class(vec![('0', '9')], false),
        'w' => Atom::Class(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
        's' => Atom::Class(
            vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')],
            false,
        ),
        _ => return None,
    })
}

fn compile_branch(s: &str) -> Option<Vec<Piece>> {
    let chars: Vec<char> = s.chars().collect();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let atom = match chars[i] {
            '.' => Atom::Any,
            '(' | ')' => return None,
            '\\' => {
                i += 1;
                let c = *chars.get(i)?;
                class_escape(c).unwrap_or(Atom::Char(c))
            }
            '[' => {
                let mut ranges = Vec::new();
                i += 1;
                let negate = chars.get(i) == Some(&'^');
                if negate {
                    i += 1;
                }
                while *chars.get(i)? != ']' {
                    let lo = if chars[i] == '\\' {
                        i += 1;
                        *chars.get(i)?
                    } else {
                        chars[i]
                    };
                    if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|c| *c != ']')
                    {
                        ranges.push((lo, chars[i + 2]));
                        i += 3;
                    } else {
                        ranges.push((lo, lo));
                        i += 1;
                    }
                }
                Atom::Class(ranges, negate)
            }
            c => Atom::Char(c),
        };
        i += 1;
        let (min, max) = match chars.get(i) {
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('?') => (0, 1),
            Some('{') => {
                let end = chars[i..].iter().position(|c| *c == '}')? + i;
                let inner: String = chars[i + 1..end].iter().collect();
                let (lo, hi) = match inner.split_once(',') {
                    Some((lo, "")) => (lo.trim().parse().ok()?, usize::MAX),
                    Some((lo, hi)) => (lo.trim().parse().ok()?, hi.trim().parse().ok()?),
                    None => {
                        let n = inner.trim().parse().ok()?;
                        (n, n)
                    }
                };
                i = end;
                (lo, hi)
            }
            _ => {
                pieces.push(Piece {
                    atom,
                    min: 1,
                    max: 1,
                });
                continue;
            }
        };
        i += 1;
        pieces.push(Piece { atom, min, max });
    }
    Some(pieces)
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Any => c != '\n',
            Atom::Char(x) => *x == c,
            Atom::Class(ranges, negate) => {
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negate
            }
        }
    }
}

impl Pattern {
    /// Whether the whole of `input` matches.
    pub fn is_full_match(&self, input: &str) -> bool {
        let chars: Vec<char> = input.chars().collect();
        self.branches.iter().any(|b| match_here(b, &chars))
    }
}

fn match_here(pieces: &[Piece], input: &[char]) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return input.is_empty();
    };
    let mut count = 0;
    while count < first.min {
        match input.get(count) {
            Some(c) if first.atom.matches(*c) => count += 1,
            _ => return false,
        }
    }
    loop {
        if match_here(rest, &input[count..]) {
            return true;
        }
        if count >= first.max {
            return false;
        }
        match input.get(count) {
            Some(c) if first.atom.matches(*c) => count += 1,
            _ => return false,
        }
    }
}

/// Whether `pattern` fully matches `input` (unsupported patterns never match).
pub fn selection_matches(pattern: &str, input: &str) -> bool {
    compile(pattern).is_some_and(|p| p.is_full_match(input))
}

#[cfg(test)]
mod tests {
    use super::selection_matches as m;

    #[test]
    fn selection_pattern_typical_aws_patterns() {
        assert!(m("2\\d{2}", "200"));
        assert!(!m("2\\d{2}", "2000"));
        assert!(m("4\\d{2}|5\\d{2}", "503"));
        assert!(m(".*Not Found.*", "Item Not Found here"));
        assert!(!m(".*Not Found.*", "Found"));
        assert!(m("[45]0[0-9]", "404"));
        assert!(!m("[^4]00", "400"));
        assert!(m("-", "-"));
        assert!(!m("(4..)", "404"));
    }
}
