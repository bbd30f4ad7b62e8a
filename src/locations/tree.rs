//! The location tree as the admin page shows it: nested, collapsible lists rendered on the
//! server. Large trees are cut at the depth where they would exceed [`MAX_NODES`]; the places
//! below are a link away (`?under=CODE`), so a page never grows with the whole country.

use std::collections::{HashMap, HashSet};

use super::Location;
use crate::i18n::names;
use crate::web::admin::segment;

/// Places shown on one page at most (more when the top level alone is larger).
const MAX_NODES: usize = 2000;

/// One place in the tree.
pub struct NodeView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub disabled: bool,
    pub edit_href: String,
    /// Where to add a place under this one (none at the deepest level).
    pub add_href: Option<String>,
    /// Places under it that are not shown here, and where they are.
    pub more: Option<(usize, String)>,
    /// Shown unfolded: a country, or on the way to the place asked for.
    pub open: bool,
    pub highlighted: bool,
}

/// The tree flattened for the template: a place with places under it opens a nested list that a
/// later `Close` ends.
pub enum Line {
    Open(NodeView),
    Leaf(NodeView),
    Close,
}

/// Builds the lines for the places under `under` (all when `None`), unfolded down to `open`.
pub fn lines(all: &[Location], under: Option<&str>, open: Option<&str>, lang: &str) -> Vec<Line> {
    let by_code: HashMap<&str, &Location> = all.iter().map(|l| (l.code.as_str(), l)).collect();
    let mut children: HashMap<&str, Vec<&Location>> = HashMap::new();
    let mut roots = Vec::new();
    for l in all {
        match l.parent_code.as_deref().filter(|p| by_code.contains_key(p)) {
            Some(p) => children.entry(p).or_default().push(l),
            // A place whose parent is missing is shown at the top rather than hidden.
            None => roots.push(l),
        }
    }
    if let Some(code) = under {
        roots = by_code.get(code).copied().into_iter().collect();
    }
    let mut on_path = HashSet::new();
    let mut at = open.and_then(|c| by_code.get(c).copied());
    while let Some(l) = at {
        if !on_path.insert(l.code.as_str()) {
            break;
        }
        at = l
            .parent_code
            .as_deref()
            .and_then(|p| by_code.get(p).copied());
    }
    let depth = shown_depth(&roots, &children);
    let mut out = Vec::new();
    let mut walk = Walk {
        children: &children,
        on_path: &on_path,
        open,
        lang,
        depth,
        out: &mut out,
    };
    for root in roots {
        walk.node(root, 0);
    }
    out
}

/// How many levels below the roots fit on one page.
fn shown_depth(roots: &[&Location], children: &HashMap<&str, Vec<&Location>>) -> usize {
    let mut shown = roots.len();
    let mut frontier: Vec<&Location> = roots.to_vec();
    let mut depth = 0;
    loop {
        let next: Vec<&Location> = frontier
            .iter()
            .flat_map(|l| children.get(l.code.as_str()).into_iter().flatten().copied())
            .collect();
        if next.is_empty() || shown + next.len() > MAX_NODES {
            return depth;
        }
        shown += next.len();
        depth += 1;
        frontier = next;
    }
}

struct Walk<'a> {
    children: &'a HashMap<&'a str, Vec<&'a Location>>,
    on_path: &'a HashSet<&'a str>,
    open: Option<&'a str>,
    lang: &'a str,
    depth: usize,
    out: &'a mut Vec<Line>,
}

impl Walk<'_> {
    fn node(&mut self, l: &Location, depth: usize) {
        let below = self
            .children
            .get(l.code.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let code = segment(&l.code);
        let mut view = NodeView {
            name: names::pick(&l.names(), self.lang).to_owned(),
            kind: l.location_type.clone().unwrap_or_default(),
            disabled: l.disabled,
            edit_href: format!("/admin/locations/{code}/edit"),
            add_href: (l.admin_level < 5).then(|| format!("/admin/locations/new?parent={code}")),
            more: None,
            open: l.admin_level == 0 || self.on_path.contains(l.code.as_str()),
            highlighted: self.open == Some(l.code.as_str()),
            code: l.code.clone(),
        };
        if below.is_empty() {
            self.out.push(Line::Leaf(view));
        } else if depth >= self.depth {
            view.more = Some((below.len(), format!("/admin/locations?under={code}")));
            self.out.push(Line::Leaf(view));
        } else {
            self.out.push(Line::Open(view));
            for child in below {
                self.node(child, depth + 1);
            }
            self.out.push(Line::Close);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(code: &str, level: i32, parent: Option<&str>) -> Location {
        Location {
            code: code.into(),
            admin_level: level,
            parent_code: parent.map(Into::into),
            location_type: None,
            names: format!(r#"{{"en":"{code} name"}}"#),
            disabled: false,
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    fn shape(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|l| match l {
                Line::Open(n) => format!("{}[", n.code),
                Line::Leaf(n) => format!("{} ", n.code),
                Line::Close => "]".into(),
            })
            .collect()
    }

    #[test]
    fn nests_places_and_opens_the_way_to_one() {
        let all = [
            place("XX", 0, None),
            place("XX01", 1, Some("XX")),
            place("XX02", 1, Some("XX")),
            place("XX0101", 2, Some("XX01")),
            place("ORPHAN", 2, Some("GONE")),
        ];
        let lines = lines(&all, None, Some("XX0101"), "fr");
        assert_eq!(shape(&lines), "XX[XX01[XX0101 ]XX02 ]ORPHAN ");
        let Line::Open(xx01) = &lines[1] else {
            panic!("XX01 has places under it")
        };
        assert!(xx01.open);
        assert_eq!(xx01.name, "XX01 name");
        let under = super::lines(&all, Some("XX01"), None, "en");
        assert_eq!(shape(&under), "XX01[XX0101 ]");
    }

    #[test]
    fn large_trees_are_cut_with_a_link_below() {
        let mut all = vec![place("XX", 0, None)];
        for i in 0..(MAX_NODES + 1) {
            all.push(place(&format!("XX{i:05}"), 1, Some("XX")));
        }
        let lines = lines(&all, None, None, "en");
        assert_eq!(lines.len(), 1);
        let Line::Leaf(root) = &lines[0] else {
            panic!("the root stands alone")
        };
        assert_eq!(
            root.more,
            Some((MAX_NODES + 1, "/admin/locations?under=XX".into()))
        );
    }
}
