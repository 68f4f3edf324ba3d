//! Path matching as API Gateway does it.
//!
//! REST APIs: a request path is matched against the resource tree; at each level a literal
//! `pathPart` beats a `{param}`, which beats a greedy `{proxy+}` (which must be last and matches one
//! or more segments) (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html>).
//! HTTP APIs: "API Gateway selects the route with the most-specific match": a full route and method
//! match beats a greedy `{proxy+}` route, which beats `$default`; a method match beats `ANY`
//! (awsdocs `doc_source/http-api-develop-routes.md`).

/// How one template segment matched: lower is more specific.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SegmentRank {
    /// Literal text.
    Literal = 0,
    /// `{param}`.
    Param = 1,
    /// `{proxy+}`.
    Greedy = 2,
}

/// Splits a path into its non-empty segments.
pub fn segments(path: &str) -> impl Iterator<Item = &str> + Clone {
    path.split('/').filter(|s| !s.is_empty())
}

/// Matches `template` (e.g. `/items/{id}`, `/{proxy+}`) against `path`; returns the rank of each
/// template segment when it matches.
pub fn match_template(template: &str, path: &str) -> Option<Vec<SegmentRank>> {
    let mut ranks = Vec::new();
    let mut req = segments(path);
    let mut tpl = segments(template).peekable();
    while let Some(t) = tpl.next() {
        if t.starts_with('{') && t.ends_with("+}") {
            // Greedy: must be last, matches one or more remaining segments.
            if tpl.peek().is_some() {
                return None;
            }
            req.next()?;
            ranks.push(SegmentRank::Greedy);
            return Some(ranks);
        }
        let r = req.next()?;
        if t.starts_with('{') && t.ends_with('}') {
            ranks.push(SegmentRank::Param);
        } else if t == r {
            ranks.push(SegmentRank::Literal);
        } else {
            return None;
        }
    }
    if req.next().is_some() {
        return None;
    }
    Some(ranks)
}

/// Picks the most specific of several candidates: `(index, ranks)` pairs; ties go to the first.
/// Comparison is segment by segment from the left, as in a tree walk that prefers literals.
pub fn most_specific<I: IntoIterator<Item = (usize, Vec<SegmentRank>)>>(
    candidates: I,
) -> Option<usize> {
    candidates
        .into_iter()
        .min_by(|a, b| a.1.cmp(&b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::SegmentRank::*;
    use super::*;

    #[test]
    fn match_template_literals_params_and_greedy() {
        assert_eq!(match_template("/", "/"), Some(vec![]));
        assert_eq!(match_template("/items", "/items/"), Some(vec![Literal]));
        assert_eq!(
            match_template("/items/{id}", "/items/42"),
            Some(vec![Literal, Param])
        );
        assert_eq!(match_template("/items/{id}", "/items"), None);
        assert_eq!(match_template("/items/{id}", "/items/4/x"), None);
        assert_eq!(match_template("/{proxy+}", "/a/b/c"), Some(vec![Greedy]));
        assert_eq!(match_template("/{proxy+}", "/"), None);
        assert_eq!(
            match_template("/api/{proxy+}", "/api/x"),
            Some(vec![Literal, Greedy])
        );
        assert_eq!(match_template("/Items", "/items"), None);
    }

    #[test]
    fn most_specific_prefers_literal_over_param_over_greedy() {
        let paths = ["/{proxy+}", "/items/{id}", "/items/special"];
        let pick = |path: &str| {
            most_specific(
                paths
                    .iter()
                    .enumerate()
                    .filter_map(|(i, t)| Some((i, match_template(t, path)?))),
            )
        };
        assert_eq!(pick("/items/special"), Some(2));
        assert_eq!(pick("/items/7"), Some(1));
        assert_eq!(pick("/other/7"), Some(0));
    }
}
