//! The shipped division tree (`data/divisions/*.csv.gz`): exact counts and tree integrity.

use std::collections::HashMap;
use std::io::Read;

use kexie_domain::division_data::{parse_division_csvs, DivisionRecord};

const PROVINCES: &[u8] = include_bytes!("../../../data/divisions/provinces.csv.gz");
const CITIES: &[u8] = include_bytes!("../../../data/divisions/cities.csv.gz");
const AREAS: &[u8] = include_bytes!("../../../data/divisions/areas.csv.gz");
const STREETS: &[u8] = include_bytes!("../../../data/divisions/streets.csv.gz");

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("valid gzip of UTF-8 text");
    text
}

fn records() -> Vec<DivisionRecord> {
    parse_division_csvs(
        &gunzip(PROVINCES),
        &gunzip(CITIES),
        &gunzip(AREAS),
        &gunzip(STREETS),
    )
    .expect("shipped data parses")
}

fn counts_per_level<'a>(records: impl IntoIterator<Item = &'a DivisionRecord>) -> [usize; 4] {
    let mut counts = [0; 4];
    for r in records {
        counts[usize::from(r.level) - 1] += 1;
    }
    counts
}

#[test]
fn national_counts_per_level_are_exact() {
    let records = records();
    // The package's rows: 31, 342, 2978 and 41352; less the stand-ins 441900 东莞市,
    // 442000 中山市, 460400 儋州市 (county level) and 350527000 金门县 (township level).
    assert_eq!(counts_per_level(&records), [31, 342, 2975, 41351]);
    assert_eq!(records.len(), 44699);
}

#[test]
fn codes_are_twelve_digits_and_unique() {
    let records = records();
    let mut seen = HashMap::new();
    for r in &records {
        assert_eq!(r.code.len(), 12, "{r:?}");
        assert!(r.code.bytes().all(|b| b.is_ascii_digit()), "{r:?}");
        assert!(!r.name.is_empty(), "{r:?}");
        assert!((1..=4).contains(&r.level), "{r:?}");
        if let Some(p) = &r.parent_code {
            assert_eq!(p.len(), 12, "{r:?}");
        }
        assert!(seen.insert(r.code.clone(), r.level).is_none(), "dup {r:?}");
    }
}

/// Prefecture-level cities without counties: NBS lists their townships directly under them.
const CITIES_WITHOUT_COUNTIES: [(&str, &str, usize); 3] = [
    ("441900000000", "东莞市", 36),
    ("442000000000", "中山市", 23),
    ("460400000000", "儋州市", 18),
];

#[test]
fn every_parent_exists_one_level_up_and_comes_first() {
    let records = records();
    let mut earlier: HashMap<&str, u8> = HashMap::new();
    let mut skipping: HashMap<&str, usize> = HashMap::new();
    for r in &records {
        match (&r.parent_code, r.level) {
            (None, 1) => {}
            (Some(parent), level) if level > 1 => {
                let parent_level = *earlier
                    .get(parent.as_str())
                    .unwrap_or_else(|| panic!("parent of {r:?} missing or after it"));
                // The child's code extends the parent's significant digits.
                let significant = [2, 4, 6][usize::from(parent_level) - 1];
                assert_eq!(&r.code[..significant], &parent[..significant], "{r:?}");
                if parent_level + 1 != level {
                    // The only exception: townships of the cities without counties.
                    assert_eq!((parent_level, level), (2, 4), "{r:?}");
                    *skipping.entry(parent.as_str()).or_default() += 1;
                }
            }
            _ => panic!("bad level/parent combination: {r:?}"),
        }
        earlier.insert(&r.code, r.level);
    }
    let expected: HashMap<&str, usize> = CITIES_WITHOUT_COUNTIES
        .iter()
        .map(|&(code, _, n)| (code, n))
        .collect();
    assert_eq!(skipping, expected);
    for (code, name, _) in CITIES_WITHOUT_COUNTIES {
        let city = records.iter().find(|r| r.code == code).unwrap();
        assert_eq!((city.name.as_str(), city.level), (name, 2));
    }
}

#[test]
fn heilongjiang_subtree_is_exactly_the_codes_starting_with_23() {
    let records = records();
    let by_code: HashMap<&str, &DivisionRecord> =
        records.iter().map(|r| (r.code.as_str(), r)).collect();
    let root = by_code["230000000000"];
    assert_eq!(root.name, "黑龙江省");
    assert_eq!(root.level, 1);

    // Walk up from every record: it is in the subtree iff an ancestor (or itself) is the root.
    let in_subtree = |r: &DivisionRecord| {
        let mut cur = r;
        for _ in 0..4 {
            if cur.code == root.code {
                return true;
            }
            match &cur.parent_code {
                Some(p) => cur = by_code[p.as_str()],
                None => return false,
            }
        }
        panic!("{r:?} is more than four levels deep");
    };
    let subtree: Vec<&DivisionRecord> = records.iter().filter(|r| in_subtree(r)).collect();
    let prefixed: Vec<&DivisionRecord> = records
        .iter()
        .filter(|r| r.code.starts_with("23"))
        .collect();
    assert_eq!(subtree, prefixed);
    assert_eq!(
        counts_per_level(subtree.iter().copied()),
        [1, 13, 126, 1703]
    );
    assert_eq!(subtree.len(), 1843);
}

#[test]
fn known_names() {
    let records = records();
    let name = |code: &str| {
        records
            .iter()
            .find(|r| r.code == code)
            .unwrap_or_else(|| panic!("{code} missing"))
    };
    let harbin = name("230100000000");
    assert_eq!(harbin.name, "哈尔滨市");
    assert_eq!(harbin.level, 2);
    assert_eq!(harbin.parent_code.as_deref(), Some("230000000000"));
    assert_eq!(name("110000000000").name, "北京市");
    assert_eq!(name("110101000000").name, "东城区");
    let dhm = name("110101001000");
    assert_eq!(dhm.name, "东华门街道");
    assert_eq!(dhm.level, 4);
    assert_eq!(dhm.parent_code.as_deref(), Some("110101000000"));
    assert_eq!(name("650000000000").name, "新疆维吾尔自治区");
    assert_eq!(name("659012505000").name, "一六五团");
    // 金门县 is a county; the package's township stand-in 350527000 yields no record.
    let jinmen = name("350527000000");
    assert_eq!((jinmen.name.as_str(), jinmen.level), ("金门县", 3));
    let dongguan_town = name("441900003000");
    assert_eq!(dongguan_town.name, "东城街道");
    assert_eq!(dongguan_town.parent_code.as_deref(), Some("441900000000"));
}
