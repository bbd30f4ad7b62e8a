//! Synthetic data for demo and training instances and for benchmarks: plausible cases with names
//! in Latin and Arabic script, ages, locations, risk levels, protection concerns, family members
//! and notes. Nobody real: names are combined at random from common given names and surnames.
//! Records are created through the same service layer as every other record, audit included.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use crate::access::Principal;
use crate::audit::Actor;
use crate::db::{write_transaction, DbConnection};
use crate::error::AppResult;
use crate::records::service::{self, Caller};
use crate::records::CASE;

const FIRST_LATIN_F: &[&str] = &[
    "Amina",
    "Fatima",
    "Aisha",
    "Mariam",
    "Grace",
    "Marie",
    "Esther",
    "Halima",
    "Zainab",
    "Nadia",
    "Leila",
    "Sara",
    "Josephine",
    "Chantal",
    "Aline",
    "Rose",
    "Yasmin",
    "Hawa",
    "Khadija",
    "Nour",
];
const FIRST_LATIN_M: &[&str] = &[
    "Mohammed",
    "Ahmed",
    "Omar",
    "Yusuf",
    "Ibrahim",
    "Hassan",
    "Jean",
    "Emmanuel",
    "Patrick",
    "Chidi",
    "Samuel",
    "Khaled",
    "Ali",
    "Mustafa",
    "Abdelrahman",
    "Daniel",
    "Joseph",
    "Idris",
    "Bakari",
    "Karim",
];
const LAST_LATIN: &[&str] = &[
    "Haddad",
    "Mansour",
    "Al-Rashid",
    "Nasser",
    "Hamdan",
    "Saleh",
    "Abdullah",
    "Osman",
    "Diallo",
    "Traore",
    "Nyirahabimana",
    "Uwimana",
    "Okafor",
    "Mwangi",
    "Kamara",
    "Bangura",
    "Hakizimana",
    "Ndayishimiye",
    "Mutua",
    "Farah",
    "Warsame",
    "Yousef",
    "Khalil",
    "Aziz",
    "Sesay",
];
const FIRST_ARABIC_F: &[&str] = &[
    "فاطمة",
    "عائشة",
    "مريم",
    "زينب",
    "نور",
    "ليلى",
    "سارة",
    "خديجة",
    "هبة",
    "رنا",
];
const FIRST_ARABIC_M: &[&str] = &[
    "محمد",
    "أحمد",
    "عمر",
    "يوسف",
    "إبراهيم",
    "حسن",
    "علي",
    "خالد",
    "مصطفى",
    "عبد الرحمن",
];
const LAST_ARABIC: &[&str] = &[
    "حداد",
    "منصور",
    "الرشيد",
    "ناصر",
    "حمدان",
    "صالح",
    "عبد الله",
    "عثمان",
    "خليل",
    "عزيز",
];
const LOCATIONS: &[&str] = &[
    "SY01", "SY0101", "SY0102", "SY02", "SY0201", "IQ01", "IQ0104", "JO03", "LB02", "SO11", "RW04",
    "CD05",
];
const CONCERNS: &[&str] = &[
    "refugee",
    "migrant",
    "street_child",
    "child_headed_household",
    "serious_health_issue",
    "disabled",
    "other",
];
const RELATIONS: &[&str] = &[
    "mother",
    "father",
    "aunt",
    "uncle",
    "grandmother",
    "grandfather",
    "brother",
    "sister",
];
const NOTE_SUBJECTS: &[&str] = &[
    "Home visit",
    "School follow-up",
    "Health check",
    "Case conference",
    "Phone call",
];

fn pick<'a>(rng: &mut SmallRng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// One synthetic case's form data.
/// `places` are the location codes to pick from.
pub fn synthetic_case(rng: &mut SmallRng, places: &[&str]) -> Map<String, Value> {
    let female = rng.random_bool(0.5);
    let arabic = rng.random_bool(0.3);
    let (first, last) = match (arabic, female) {
        (true, true) => (pick(rng, FIRST_ARABIC_F), pick(rng, LAST_ARABIC)),
        (true, false) => (pick(rng, FIRST_ARABIC_M), pick(rng, LAST_ARABIC)),
        (false, true) => (pick(rng, FIRST_LATIN_F), pick(rng, LAST_LATIN)),
        (false, false) => (pick(rng, FIRST_LATIN_M), pick(rng, LAST_LATIN)),
    };
    let age: i64 = rng.random_range(0..18);
    let today = chrono::Utc::now().date_naive();
    let registered = today - chrono::Duration::days(rng.random_range(0..3 * 365));
    let born = registered - chrono::Duration::days(age * 365 + rng.random_range(0..365));
    let risk = match rng.random_range(0..10) {
        0..=1 => "high",
        2..=5 => "medium",
        _ => "low",
    };
    let mut concerns: Vec<&str> = (0..rng.random_range(0..3))
        .map(|_| pick(rng, CONCERNS))
        .collect();
    concerns.sort_unstable();
    concerns.dedup();
    let family: Vec<Value> = (0..rng.random_range(0..4))
        .map(|_| {
            let given = if rng.random_bool(0.5) {
                FIRST_LATIN_F
            } else {
                FIRST_LATIN_M
            };
            json!({
                "relation_name": format!("{} {last}", pick(rng, given)),
                "relation": pick(rng, RELATIONS),
                "relation_is_caregiver": rng.random_bool(0.4),
                "relation_age": rng.random_range(18..70),
            })
        })
        .collect();
    let notes: Vec<Value> = (0..rng.random_range(0..3))
        .map(|_| {
            json!({
                "note_date": registered.to_string(),
                "note_subject": pick(rng, NOTE_SUBJECTS),
                "note_text": "Synthetic note for training and testing.",
            })
        })
        .collect();
    let mut data = json!({
        "name_first": first,
        "name_last": last,
        "sex": if female { "female" } else { "male" },
        "age": age,
        "date_of_birth": born.to_string(),
        "estimated": rng.random_bool(0.2),
        "registration_date": registered.to_string(),
        "location_current": pick(rng, places),
        "risk_level": risk,
        "protection_concerns": concerns,
        "urgent_protection_concern": risk == "high" && rng.random_bool(0.5),
        "family_details_section": family,
        "notes_section": notes,
    });
    if rng.random_bool(0.1) {
        data["name_nickname"] = json!(pick(rng, &["Lulu", "Hamoudi", "Mimi", "Sasa", "Dodo"]));
    }
    data.as_object().cloned().unwrap_or_default()
}

/// Creates `count` synthetic cases owned by `owner`, in transactions of `batch` records, and
/// reports progress. Returns how many were created.
pub fn generate(
    conn: &mut DbConnection,
    owner: &Principal,
    count: usize,
    seed: u64,
    id_format: &str,
    mut progress: impl FnMut(usize),
) -> AppResult<usize> {
    const BATCH: usize = 500;
    let mut rng = SmallRng::seed_from_u64(seed);
    let caller = Caller {
        principal: owner.clone(),
        actor: Actor {
            username: Some(owner.username.clone()),
            user_id: Some(owner.user_id.clone()),
            role_id: Some(owner.role_id.clone()),
            ..Actor::console()
        },
        journal: None,
    };
    // Places of the instance's location tree when it has one (the form accepts only those),
    // otherwise synthetic codes.
    let catalog = CASE.catalog(conn)?;
    let tree: Vec<&str> = catalog
        .field("location_current")
        .map(|f| catalog.choices(f))
        .unwrap_or_default()
        .into_iter()
        .filter(|c| !c.disabled)
        .map(|c| c.id)
        .collect();
    let places: &[&str] = if tree.is_empty() { LOCATIONS } else { &tree };
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let cases: Vec<Map<String, Value>> =
            (0..n).map(|_| synthetic_case(&mut rng, places)).collect();
        write_transaction(conn, |conn| {
            for data in &cases {
                service::create(conn, &CASE, &caller, data, None, id_format)?;
            }
            Ok::<_, crate::error::AppError>(())
        })?;
        done += n;
        progress(done);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_cases_are_valid_and_reproducible() {
        let catalog = crate::forms::standard::case_catalog().unwrap();
        let today = chrono::Utc::now().date_naive();
        let mut a = SmallRng::seed_from_u64(7);
        let mut b = SmallRng::seed_from_u64(7);
        for _ in 0..300 {
            let case = synthetic_case(&mut a, LOCATIONS);
            let problems = crate::forms::validate::validate(catalog, &case, None, today);
            assert!(problems.is_empty(), "{problems:?} in {case:?}");
            assert_eq!(case, synthetic_case(&mut b, LOCATIONS));
        }
    }
}
