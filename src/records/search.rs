//! Placeholder until the name-search module lands: lower-cased word terms only.

pub fn index_terms(names: &[&str]) -> Vec<String> {
    let mut terms: Vec<String> = names
        .iter()
        .flat_map(|n| {
            normalize(n)
                .split(' ')
                .map(|w| format!("n:{w}"))
                .collect::<Vec<_>>()
        })
        .filter(|t| t.len() > 2)
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

pub fn query_terms(query: &str) -> Vec<Vec<String>> {
    normalize(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| vec![format!("n:{w}")])
        .collect()
}

pub fn normalize(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
