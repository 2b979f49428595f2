//! The pinned JSON shape of a parsed plan, and a property: no text makes the parser panic.

// One module, so that `cargo test plan` selects every test in this file.
mod plan_text {
    use kexie_domain::plan_text::parse_plan_text;
    use proptest::prelude::*;

    #[test]
    fn the_json_shape_is_pinned() {
        let text = "2.扩大基层\n组织覆盖\n(3)推动企业建立科协。\n制定指引。\n2024年6月底前\n甲某\n组织部\n\
                    (4)推动园区建立科协。\n开展调研。\n(5)推动高校建立科协。(责任单位:甲局、乙局)\n(3)重复。\n";

        let json = serde_json::to_string(&parse_plan_text(text, Some(2024))).unwrap();

        let deadline = r#"{"input":"2024年6月底前","kind":"due","due":"2024-06-30","start":null,"end":null,"every":null,"milestones":[],"condition":null}"#;
        let expected = format!(
            concat!(
                r#"{{"tasks":["#,
                r#"{{"number":"3","section":"2.扩大基层组织覆盖","text":"推动企业建立科协。","measures":["制定指引。"],"deadline":{d},"deadline_inherited":false,"leader":"甲某","department":"组织部","units":[]}},"#,
                r#"{{"number":"4","section":"2.扩大基层组织覆盖","text":"推动园区建立科协。","measures":["开展调研。"],"deadline":{d},"deadline_inherited":true,"leader":"甲某","department":"组织部","units":[]}},"#,
                r#"{{"number":"5","section":"2.扩大基层组织覆盖","text":"推动高校建立科协。","measures":[],"deadline":{d},"deadline_inherited":true,"leader":"甲某","department":"组织部","units":["甲局","乙局"]}}"#,
                r#"],"errors":[{{"line":11,"message":"任务编号（3）小于上一任务编号（5），该任务及其下各行已略过"}}]}}"#
            ),
            d = deadline
        );
        assert_eq!(json, expected);
    }

    #[test]
    fn an_empty_plan_is_two_empty_lists() {
        let json = serde_json::to_value(parse_plan_text("", None)).unwrap();

        assert_eq!(json, serde_json::json!({"tasks": [], "errors": []}));
    }

    proptest! {
        #[test]
        fn any_text_parses_without_panicking(text in "\\PC*(\n\\PC*){0,8}") {
            let plan = parse_plan_text(&text, Some(2024));
            let lines = text.lines().count();
            prop_assert!(plan.errors.iter().all(|e| e.line >= 1 && e.line <= lines));
        }

        #[test]
        fn plan_like_text_parses_without_panicking(
            text in "([(（]?[0-9０-９一二三]{0,3}[)）.．、]?[年月底前每长期视部室甲某乙单位责任:：、，,;。() （）\u{3000}]{0,12}\n?){0,30}",
            year in proptest::option::of(1900i32..2100),
        ) {
            let plan = parse_plan_text(&text, year);
            for t in &plan.tasks {
                prop_assert!(!t.number.is_empty() && t.number.chars().all(|c| c.is_ascii_digit()));
                prop_assert!(t.measures.iter().all(|m| !m.is_empty()));
                prop_assert!(t.units.iter().all(|u| !u.is_empty()));
            }
        }
    }
}
