//! The two seed plans parsed as pasted: seeds/000 (a task breakdown table, one cell per line)
//! and seeds/001 (a prose plan with 责任单位 in parentheses).
//!
//! The seeds name real people: these tests compare leaders with each other and never spell or
//! print one. The seed files sit outside the repository; a test without them says so and passes.

// One module, so that `cargo test plan` selects every test in this file.
mod plan_text {
    use std::path::Path;

    use chrono::NaiveDate;
    use kexie_domain::deadline::DeadlineKind;
    use kexie_domain::plan_text::{parse_plan_text, PlanParse, PlanTask};

    fn seed(file: &str, plan_year: Option<i32>) -> Option<PlanParse> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/seeds")
            .join(file);
        match std::fs::read_to_string(&path) {
            Ok(text) => Some(parse_plan_text(&text, plan_year)),
            Err(_) => {
                println!("skipped: seed file {} not found", path.display());
                None
            }
        }
    }

    fn table() -> Option<PlanParse> {
        seed("000_058b7e57b501da7f.txt", Some(2017))
    }

    fn prose() -> Option<PlanParse> {
        seed("001_4de4c4539d158332.txt", Some(2020))
    }

    fn task(plan: &PlanParse, number: u32) -> &PlanTask {
        let number = number.to_string();
        plan.tasks
            .iter()
            .find(|t| t.number == number)
            .unwrap_or_else(|| panic!("no task ({number})"))
    }

    fn date(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    #[test]
    fn seed_000_gives_tasks_3_to_50_once_each_in_order() {
        let Some(plan) = table() else { return };

        let numbers: Vec<&str> = plan.tasks.iter().map(|t| t.number.as_str()).collect();

        let expected: Vec<String> = (3..=50).map(|n: u32| n.to_string()).collect();
        assert_eq!(numbers, expected);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    }

    #[test]
    fn seed_000_every_task_has_text_and_at_least_one_measure() {
        let Some(plan) = table() else { return };

        for t in &plan.tasks {
            assert!(!t.text.is_empty(), "task ({}) has no text", t.number);
            assert!(!t.measures.is_empty(), "task ({}) has no measure", t.number);
            assert!(t.units.is_empty(), "task ({}) has units", t.number);
        }
        // Multi-row tasks keep every measure row.
        assert_eq!(task(&plan, 10).measures.len(), 2);
        assert_eq!(task(&plan, 41).measures.len(), 4);
        assert_eq!(task(&plan, 45).measures.len(), 5);
        assert!(task(&plan, 3).text.starts_with("兼职副主席"));
    }

    #[test]
    fn seed_000_deadline_phrases_are_those_of_the_table() {
        let Some(plan) = table() else { return };

        let own = [
            (5, "2017年10月底前"),
            (6, "每年坚持(2017年10底前取得阶段性成果)"),
            (7, "2017年取得阶段性成果(2020年全面完成转型升级)"),
            (10, "2017年6月底前"),
            (11, "2017年(按照中科协项目要求)"),
            (12, "2017年12月底前完成账户注册"),
            (13, "2017年至2020年(2017年5月底前出台方案)"),
            (15, "2017年5月底前"),
            (21, "每年坚持(2017年取得阶段性成果)"),
            (24, "开展调查研究,视中国科协工作进展及时跟进"),
            // Cut in two lines by the scraper, joined again.
            (28, "2019年年底前"),
            (33, "2017年至2019年"),
            (34, "6月底前"),
            (38, "2017年至2020年"),
            (41, "2017年(视网上科协平台建设进展情况)"),
            (42, "(视网上科协平台建设进展情况)"),
            (46, "每年坚持(2017年取得阶段性成果)"),
        ];
        for (number, phrase) in own {
            let t = task(&plan, number);
            assert_eq!(t.deadline.input, phrase, "task ({number})");
            assert!(!t.deadline_inherited, "task ({number})");
        }
        let t13 = &task(&plan, 13).deadline;
        assert_eq!(t13.kind, DeadlineKind::Range);
        assert_eq!(
            (t13.start, t13.end),
            (date("2017-01-01"), date("2020-12-31"))
        );
        assert_eq!(task(&plan, 28).deadline.due, date("2019-12-31"));
        assert_eq!(task(&plan, 34).deadline.due, date("2017-06-30"));
    }

    #[test]
    fn seed_000_a_blank_deadline_is_the_one_above_marked_inherited() {
        let Some(plan) = table() else { return };

        // (3) and (4) have neither a deadline nor a task above with one.
        for number in [3, 4] {
            let t = task(&plan, number);
            assert_eq!(t.deadline.kind, DeadlineKind::Unknown);
            assert_eq!(t.deadline.input, "");
            assert!(!t.deadline_inherited);
        }
        assert!(task(&plan, 8).deadline_inherited);
        assert_eq!(task(&plan, 8).deadline, task(&plan, 7).deadline);
        assert!(task(&plan, 14).deadline_inherited);
        assert_eq!(task(&plan, 14).deadline, task(&plan, 13).deadline);
        for pair in plan.tasks.windows(2) {
            if pair[1].deadline_inherited {
                assert_eq!(
                    pair[1].deadline, pair[0].deadline,
                    "task ({})",
                    pair[1].number
                );
            }
        }
    }

    #[test]
    fn seed_000_leaders_are_carried_down_from_the_rows_above() {
        let Some(plan) = table() else { return };

        // The scrape has no leader row above (5).
        assert!(task(&plan, 3).leader.is_none() && task(&plan, 4).leader.is_none());
        for t in plan.tasks.iter().skip(2) {
            let leader = t.leader.as_deref().unwrap_or_default();
            let chars = leader.chars().count();
            assert!(
                (2..=4).contains(&chars),
                "task ({}) has no leader",
                t.number
            );
        }
        let leader = |n| task(&plan, n).leader.clone();
        // Blank cells: the same person as the task above (compared, never printed).
        for n in [6, 8, 9, 10, 14, 16, 18, 19, 30, 50] {
            assert!(
                leader(n) == leader(n - 1),
                "task ({n}): leader not carried down"
            );
        }
        // A leader row of its own changes the leader.
        for n in [7, 17] {
            assert!(
                leader(n) != leader(n - 1),
                "task ({n}): own leader not read"
            );
        }
        let mut distinct: Vec<_> = plan.tasks.iter().filter_map(|t| t.leader.clone()).collect();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            3,
            "leader runs: (5)–(6), (7)–(16), (17)–(50)"
        );
    }

    #[test]
    fn seed_000_departments_are_carried_down_and_joined() {
        let Some(plan) = table() else { return };

        assert!(task(&plan, 3).department.is_none() && task(&plan, 4).department.is_none());
        for t in plan.tasks.iter().skip(2) {
            let department = t.department.as_deref().unwrap_or_default();
            assert!(
                !department.is_empty(),
                "task ({}) has no department",
                t.number
            );
        }
        let department = |n| task(&plan, n).department.clone().unwrap_or_default();
        assert_eq!(department(5), "学会部");
        assert_eq!(department(6), department(5));
        assert_eq!(department(8), "科普部");
        assert_eq!(department(9), "办公室");
        // Two department rows under one task.
        assert_eq!(department(10), "学会部杂志社、科技报社");
        assert_eq!(department(11), "杂志社");
        assert_eq!(department(12), department(11));
        assert_eq!(department(16), "机关各部门和直属各单位");
        assert_eq!(department(17), department(16));
        assert_eq!(department(44), "直属有关单位");
    }

    #[test]
    fn seed_000_sections_come_from_split_and_repeated_headings() {
        let Some(plan) = table() else { return };

        let section = |n| task(&plan, n).section.clone();
        assert_eq!(section(3), None);
        for (numbers, heading) in [
            (5..=9, "2.扩大科协基层组织的有效覆盖"),
            (10..=12, "3.建设网上科技工作者之家"),
            (13..=15, "4.组织开展“创新争先行动”"),
            (16..=19, "5.加强思想政治工作"),
            (20..=24, "1.改革学会会员制度"),
            (38..=44, "1.创新服务科技工作者机制"),
            (45..=50, "2.创新服务科技创新驱动发展机制"),
        ] {
            for n in numbers {
                assert_eq!(section(n).as_deref(), Some(heading), "task ({n})");
            }
        }
        // Repeated headings create no new section: each section is one run of tasks.
        let mut runs: Vec<&str> = plan
            .tasks
            .iter()
            .filter_map(|t| t.section.as_deref())
            .collect();
        runs.dedup();
        assert_eq!(runs.len(), 10, "{runs:?}");
    }

    #[test]
    fn seed_000_junk_lines_are_not_read_as_tasks_or_measures() {
        let Some(plan) = table() else { return };

        for t in &plan.tasks {
            for text in t.measures.iter().chain([&t.text]) {
                assert!(
                    !text.contains("docx") && !text.contains("冰豆网"),
                    "task ({})",
                    t.number
                );
            }
        }
    }

    #[test]
    fn seed_000_without_a_plan_year_still_finds_every_deadline_phrase() {
        let Some(with_year) = table() else { return };
        let Some(without) = seed("000_058b7e57b501da7f.txt", None) else {
            return;
        };

        assert_eq!(without.tasks.len(), with_year.tasks.len());
        for (a, b) in without.tasks.iter().zip(&with_year.tasks) {
            assert_eq!(a.deadline.input, b.deadline.input, "task ({})", a.number);
            assert_eq!(a.measures, b.measures, "task ({})", a.number);
        }
        assert_eq!(task(&without, 34).deadline.kind, DeadlineKind::Unknown);
    }

    #[test]
    fn seed_001_gives_its_tasks_with_their_responsible_units() {
        let Some(plan) = prose() else { return };

        let numbers: Vec<&str> = plan.tasks.iter().map(|t| t.number.as_str()).collect();
        let texts: Vec<&str> = plan.tasks.iter().map(|t| t.text.as_str()).collect();

        assert_eq!(numbers, ["1", "4", "5", "6", "7", "8", "9"]);
        assert_eq!(
            texts,
            [
                "突出政治引领",
                "提高沟通服务能力",
                "创新科协组织形式",
                "优化联系服务机制",
                "开展创新争先活动",
                "营造尊重科学的社会氛围",
                "服务经济社会发展"
            ]
        );
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        assert_eq!(task(&plan, 4).units, ["全区各级科协组织"]);
        assert_eq!(
            task(&plan, 5).units,
            [
                "区科协",
                "区国资委",
                "区科技局",
                "区商务局",
                "区人社局",
                "区工商联",
                "各街道"
            ]
        );
        assert_eq!(
            task(&plan, 7).units,
            ["区科技局", "区科协", "区全民科学素质工作领导小组成员单位"]
        );
        // The paragraph after the site's elision note ends with a list of its own.
        assert_eq!(task(&plan, 1).units.len(), 5);
        assert_eq!(task(&plan, 1).units[0], "区国资委");
        // (9) is cut off by the site before its units.
        assert!(task(&plan, 9).units.is_empty());
    }

    #[test]
    fn seed_001_measures_are_the_paragraphs_without_labels_or_site_notes() {
        let Some(plan) = prose() else { return };

        for t in &plan.tasks {
            assert!(!t.measures.is_empty(), "task {}", t.number);
            for m in &t.measures {
                assert!(
                    !m.contains("责任单位") && !m.contains("未完") && !m.contains("新文秘网"),
                    "{m}"
                );
            }
            assert!(t.leader.is_none() && t.department.is_none());
            assert!(!t.deadline_inherited);
        }
        assert_eq!(task(&plan, 1).measures.len(), 2);
        assert!(task(&plan, 9).measures[0].ends_with("智力优势转"));
        assert_eq!(
            task(&plan, 1).section.as_deref(),
            Some("二、坚持和加强党的全面领导")
        );
        assert_eq!(
            task(&plan, 8).section.as_deref(),
            Some("三、加强服务科技工作者能力建设")
        );
        assert_eq!(
            task(&plan, 9).section.as_deref(),
            Some("四、团结动员科技工作者,服务区域发展")
        );
    }
}
