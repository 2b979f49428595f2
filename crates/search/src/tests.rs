//! The index on its own, in memory: what finds what, and what scope hides. (The feed from a
//! real database is tested in `tests/feed.rs`.)

use kexie_store::{OrgDoc, PersonDoc, Scope};

use crate::index::{FeedState, FORMAT};
use crate::{Kind, SearchIndex};

fn person(id: i64, name: &str, employer: &str, org_path: &str) -> PersonDoc {
    PersonDoc {
        person_id: id,
        name: name.into(),
        employer: Some(employer.into()),
        department: None,
        discipline: Some("作物学".into()),
        org_path: org_path.into(),
    }
}

fn org(id: i64, code: &str, name: &str, path: &str) -> OrgDoc {
    OrgDoc {
        org_id: id,
        code: code.into(),
        name: name.into(),
        short_name: None,
        path: path.into(),
    }
}

/// An index of two counties under one city: orgs 1 (city), 2 and 3 (counties), and people.
fn sample() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let inner = &index.inner;
    inner
        .put_orgs(&[
            org(1, "C1", "中国科学技术协会", "/1/"),
            org(2, "D2", "哈尔滨市道里区科学技术协会", "/1/2/"),
            org(3, "D3", "南岗区农业技术推广学会", "/1/3/"),
            org(4, "X4", "科学与技术研究会", "/1/4/"),
        ])
        .unwrap();
    inner
        .put_persons(&[
            person(10, "张三", "松花江农业科学院", "/1/2/"),
            person(11, "李四", "松花江农业科学院", "/1/3/"),
            person(12, "单晓明", "北疆机械厂", "/1/2/"),
            person(13, "丹晓明", "北疆机械厂", "/1/3/"),
            person(14, "张三丰", "黑土地食品有限公司", "/1/3/"),
        ])
        .unwrap();
    commit(&index);
    index
}

fn commit(index: &SearchIndex) {
    index
        .inner
        .commit(FeedState {
            format: FORMAT,
            epoch: "test".into(),
            applied: 1,
            gaps: Vec::new(),
        })
        .unwrap();
}

fn find(index: &SearchIndex, scope: &Scope, text: &str, kind: Kind) -> Vec<i64> {
    index.candidates(scope, text, kind, 20).unwrap()
}

#[test]
fn a_run_of_characters_inside_a_name_finds_it() {
    let index = sample();
    let all = Scope::everything();
    let hits = find(&index, &all, "科学技术", Kind::Org);
    assert!(hits.contains(&1), "中国科学技术协会 in {hits:?}");
    assert!(hits.contains(&2));
    // 科学与技术研究会 holds both words but not the run itself.
    assert!(!hits.contains(&4), "{hits:?}");
    assert_eq!(find(&index, &all, "农业技术推广", Kind::Org), [3]);
}

#[test]
fn pinyin_initials_find_people_from_the_start_of_their_name() {
    let index = sample();
    let all = Scope::everything();
    let hits = find(&index, &all, "zs", Kind::Person);
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(hits.contains(&10) && hits.contains(&14));
    // The shorter name whose initials are exactly zs ranks first.
    assert_eq!(hits[0], 10);
    assert_eq!(find(&index, &all, "ZSF", Kind::Person), [14]);
    assert_eq!(find(&index, &all, "zhangsanf", Kind::Person), [14]);
}

#[test]
fn a_surname_with_a_special_reading_is_found_by_that_reading() {
    let index = sample();
    let all = Scope::everything();
    // 单 as a surname reads shàn: "shan" finds 单晓明, and the common reading "dan" finds 丹晓明.
    assert_eq!(find(&index, &all, "shan", Kind::Person), [12]);
    assert_eq!(find(&index, &all, "shanxiaoming", Kind::Person), [12]);
    assert_eq!(find(&index, &all, "dan", Kind::Person), [13]);
    assert_eq!(find(&index, &all, "sxm", Kind::Person), [12]);
    // The given name alone finds both.
    let both = find(&index, &all, "xiaoming", Kind::Person);
    assert!(both.contains(&12) && both.contains(&13));
}

#[test]
fn employer_and_discipline_find_people() {
    let index = sample();
    let all = Scope::everything();
    let hits = find(&index, &all, "农业科学", Kind::Person);
    assert!(hits.contains(&10) && hits.contains(&11) && hits.len() == 2);
    assert_eq!(find(&index, &all, "作物学", Kind::Person).len(), 5);
    // Two pieces must both match: a name and an employer.
    assert_eq!(find(&index, &all, "张三 食品", Kind::Person), [14]);
    // A single character finds names that hold it.
    let zhang = find(&index, &all, "张", Kind::Person);
    assert!(zhang.contains(&10) && zhang.contains(&14) && zhang.len() == 2);
}

#[test]
fn an_exact_name_ranks_first() {
    let index = sample();
    let hits = find(&index, &Scope::everything(), "张三", Kind::Person);
    assert_eq!(hits, [10, 14]);
}

#[test]
fn a_county_finds_only_its_own_subtree() {
    let index = sample();
    let county = Scope::subtree("/1/2/", false, false);
    assert_eq!(find(&index, &county, "zs", Kind::Person), [10]);
    assert!(find(&index, &county, "李四", Kind::Person).is_empty());
    assert_eq!(find(&index, &county, "科学技术", Kind::Org), [2]);
    assert!(find(&index, &Scope::nothing(), "zs", Kind::Person).is_empty());
    // A member's own account finds their own record only.
    assert_eq!(
        find(&index, &Scope::own_person(14), "zs", Kind::Person),
        [14]
    );
    assert!(find(&index, &Scope::own_person(14), "科学", Kind::Org).is_empty());
}

#[test]
fn an_organisation_code_finds_it() {
    let index = sample();
    assert_eq!(find(&index, &Scope::everything(), "d3", Kind::Org), [3]);
}

#[test]
fn a_replaced_document_is_found_by_its_new_text_only() {
    let index = sample();
    index
        .inner
        .put_persons(&[person(10, "李五", "松花江农业科学院", "/1/2/")])
        .unwrap();
    index.inner.delete_range("person", 11, 11).unwrap();
    commit(&index);
    let all = Scope::everything();
    assert_eq!(find(&index, &all, "zs", Kind::Person), [14]);
    assert_eq!(find(&index, &all, "李五", Kind::Person), [10]);
    assert!(find(&index, &all, "李四", Kind::Person).is_empty());
    assert_eq!(index.counts().unwrap(), (4, 4));
}

#[test]
fn text_without_letters_or_characters_finds_nothing() {
    let index = sample();
    assert!(find(&index, &Scope::everything(), " ·—! ", Kind::Person).is_empty());
}

#[test]
fn a_range_of_ids_is_deleted_for_one_kind_only() {
    let index = sample();
    index.inner.delete_range("person", 1, 12).unwrap();
    commit(&index);
    let all = Scope::everything();
    assert_eq!(
        index.counts().unwrap(),
        (2, 4),
        "people 13 and 14, every organisation"
    );
    assert_eq!(find(&index, &all, "zs", Kind::Person), [14]);
    assert_eq!(find(&index, &all, "d3", Kind::Org), [3]);
}

#[test]
fn an_index_not_yet_built_from_this_database_finds_nothing() {
    let index = sample();
    assert!(index.is_ready());
    // As during a rebuild: the old documents may belong to another database.
    index.set_state(None);
    assert!(!index.is_ready());
    assert!(find(&index, &Scope::everything(), "zs", Kind::Person).is_empty());
}
