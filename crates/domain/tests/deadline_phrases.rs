//! Deadline phrases as work plans write them, and what Kexie makes of them.
//!
//! The table holds every deadline phrase of seeds/000 (the Heilongjiang task breakdown table),
//! the dates of the other seeds, and the variants people type. Each row is compared through
//! JSON, so the table also checks the serialised contract.

// One module, so that `cargo test deadline` selects every test in this file.
mod deadline {
    use chrono::NaiveDate;
    use kexie_domain::deadline::{parse_deadline, Deadline, DeadlineKind, Every};
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// The plan year used unless a row says otherwise.
    const PLAN: Option<i32> = Some(2017);

    struct Case {
        input: &'static str,
        plan: Option<i32>,
        kind: &'static str,
        due: Option<&'static str>,
        start: Option<&'static str>,
        end: Option<&'static str>,
        every: Option<&'static str>,
        milestones: Vec<(&'static str, &'static str)>,
        condition: Option<&'static str>,
    }

    fn case(input: &'static str, kind: &'static str) -> Case {
        Case {
            input,
            plan: PLAN,
            kind,
            due: None,
            start: None,
            end: None,
            every: None,
            milestones: Vec::new(),
            condition: None,
        }
    }

    fn due(input: &'static str, date: &'static str) -> Case {
        case(input, "due").due(date)
    }

    fn range(input: &'static str, start: &'static str, end: &'static str) -> Case {
        let mut c = case(input, "range").start(start);
        c.end = Some(end);
        c
    }

    fn recurring(input: &'static str, every: &'static str) -> Case {
        case(input, "recurring").every(every)
    }

    fn ongoing(input: &'static str) -> Case {
        case(input, "ongoing")
    }

    fn unknown(input: &'static str) -> Case {
        case(input, "unknown")
    }

    impl Case {
        fn plan(mut self, plan: Option<i32>) -> Self {
            self.plan = plan;
            self
        }
        fn due(mut self, date: &'static str) -> Self {
            self.due = Some(date);
            self
        }
        fn start(mut self, date: &'static str) -> Self {
            self.start = Some(date);
            self
        }
        fn every(mut self, every: &'static str) -> Self {
            self.every = Some(every);
            self
        }
        fn milestone(mut self, date: &'static str, text: &'static str) -> Self {
            self.milestones.push((date, text));
            self
        }
        fn condition(mut self, text: &'static str) -> Self {
            self.condition = Some(text);
            self
        }

        fn expected(&self) -> Value {
            let milestones: Vec<Value> = self
                .milestones
                .iter()
                .map(|(due, text)| json!({"due": due, "text": text}))
                .collect();
            json!({
                "input": self.input,
                "kind": self.kind,
                "due": self.due,
                "start": self.start,
                "end": self.end,
                "every": self.every,
                "milestones": milestones,
                "condition": self.condition,
            })
        }
    }

    fn table() -> Vec<Case> {
        vec![
            // --- every deadline cell of seeds/000, as scraped ---
            due("2017年10月底前", "2017-10-31"),
            recurring("每年坚持", "year"),
            recurring("每年坚持(2017年10底前取得阶段性成果)", "year")
                .milestone("2017-10-31", "取得阶段性成果"),
            // The main date is the first result, the milestone the final one (item (7)).
            due("2017年取得阶段性成果(2020年全面完成转型升级)", "2017-12-31")
                .milestone("2020-12-31", "全面完成转型升级"),
            due("2017年6月底前", "2017-06-30"),
            due("2017年3月底前启动运行微信公众号", "2017-03-31"),
            due("2017年(按照中科协项目要求)", "2017-12-31").condition("按照中科协项目要求"),
            due("2017年12月底前完成账户注册", "2017-12-31"),
            range(
                "2017年至2020年(2017年5月底前出台方案)",
                "2017-01-01",
                "2020-12-31",
            )
            .milestone("2017-05-31", "出台方案"),
            due("2017年5月底前", "2017-05-31"),
            recurring("每年坚持(2017年取得阶段性成果)", "year")
                .milestone("2017-12-31", "取得阶段性成果"),
            unknown("开展调查研究,视中国科协工作进展及时跟进")
                .condition("视中国科协工作进展及时跟进"),
            due("2019年\n年底前", "2019-12-31"),
            due("2019年", "2019-12-31"),
            due("年底前", "2017-12-31"),
            range("2017年至2019年", "2017-01-01", "2019-12-31"),
            due("6月底前", "2017-06-30"),
            range("2017年至2020年", "2017-01-01", "2020-12-31"),
            due("2017年(视网上科协平台建设进展情况)", "2017-12-31")
                .condition("视网上科协平台建设进展情况"),
            range("2017年至2018年", "2017-01-01", "2018-12-31"),
            unknown("(视网上科协平台建设进展情况)").condition("视网上科协平台建设进展情况"),
            recurring("每年坚持(2017年\n取得阶段性成果)", "year")
                .milestone("2017-12-31", "取得阶段性成果"),
            // The same cell cut in two by the scraper.
            recurring("每年坚持(2017年", "year").milestone("2017-12-31", ""),
            unknown("取得阶段性成果)"),
            // --- dates in the other seeds ---
            due("2017年底", "2017-12-31"),
            due("2017年3月22日", "2017-03-22"),
            due("2017年3月22日印發", "2017-03-22"),
            due("2018-06-11", "2018-06-11"),
            due("2020/9/7", "2020-09-07"),
            ongoing("長期堅持"),
            ongoing("持續推進"),
            // --- the issue's examples and their variants ---
            due("2019年年底前", "2019-12-31"),
            due("2019年底前", "2019-12-31"),
            due("年内", "2018-12-31").plan(Some(2018)),
            due("2018年内", "2018-12-31"),
            due("2017年年末", "2017-12-31"),
            due("2017年度", "2017-12-31"),
            due("上半年", "2017-06-30"),
            due("下半年", "2017-12-31"),
            due("2018年上半年", "2018-06-30"),
            due("第三季度", "2017-09-30"),
            due("三季度", "2017-09-30"),
            due("一季度", "2017-03-31"),
            due("第四季度末", "2017-12-31"),
            due("2018年第2季度", "2018-06-30"),
            due("2018年Q3", "2018-09-30"),
            due("2017年3月上旬", "2017-03-10"),
            due("2017年3月中旬", "2017-03-20"),
            due("2017年2月下旬", "2017-02-28"),
            due("2016年2月下旬", "2016-02-29"),
            due("2017年3月初", "2017-03-10"),
            due("2017年3月15日前", "2017-03-15"),
            due("2017年12月31日以前", "2017-12-31"),
            due("12月20日前", "2017-12-20"),
            due("2017年6月末", "2017-06-30"),
            due("2017年6月底", "2017-06-30"),
            due("2017年6月之前", "2017-06-30"),
            due("6月份", "2017-06-30"),
            due("2017年10底前", "2017-10-31"),
            due("十月底前", "2017-10-31"),
            due("二〇一八年十月底", "2018-10-31"),
            due("二零一八年十二月三十一日前", "2018-12-31"),
            due("二O一八年底", "2018-12-31"),
            due("２０１７年１０月底前", "2017-10-31"),
            due(" 2017 年 10 月 底 前 ", "2017-10-31"),
            due("2017年（按照中科协项目要求）", "2017-12-31").condition("按照中科协项目要求"),
            range(
                "2017年至2020年（2017年5月底前出台方案）",
                "2017-01-01",
                "2020-12-31",
            )
            .milestone("2017-05-31", "出台方案"),
            due("今年底前", "2018-12-31").plan(Some(2018)),
            due("明年6月底前", "2018-06-30"),
            due("2018年年中", "2018-06-30"),
            due("2018年初", "2018-01-31"),
            // 中 and 初 that begin a word are not dates.
            due("2017年初步建成", "2017-12-31"),
            due("2017年中央财政支持", "2017-12-31"),
            due("力争2018年底前完成", "2018-12-31"),
            due("截至2017年底", "2017-12-31"),
            // --- ranges ---
            range("2017—2020年", "2017-01-01", "2020-12-31"),
            range("2017-2020年", "2017-01-01", "2020-12-31"),
            range("2017年-2020年", "2017-01-01", "2020-12-31"),
            range("2017－2020年", "2017-01-01", "2020-12-31"),
            range("2017——2020年", "2017-01-01", "2020-12-31"),
            range("2017~2020年", "2017-01-01", "2020-12-31"),
            range("2017至2020年", "2017-01-01", "2020-12-31"),
            range("2017-2018年度", "2017-01-01", "2018-12-31"),
            range("2017年3月至6月", "2017-03-01", "2017-06-30"),
            range("2017年3-6月", "2017-03-01", "2017-06-30"),
            range("3-6月", "2017-03-01", "2017-06-30"),
            range("2017年11月至次年3月", "2017-11-01", "2018-03-31"),
            range("2017年11月至3月", "2017-11-01", "2018-03-31"),
            range("2017年3月1日至15日", "2017-03-01", "2017-03-15"),
            range("2017年3月至2018年6月底", "2017-03-01", "2018-06-30"),
            range("2017年至2020年每年开展", "2017-01-01", "2020-12-31").every("year"),
            // --- recurring and ongoing ---
            recurring("每年", "year"),
            recurring("每季度", "quarter"),
            recurring("每季度末", "quarter"),
            recurring("每月", "month"),
            recurring("每年6月底前", "year").due("2017-06-30"),
            recurring("2017年起每年", "year").start("2017-01-01"),
            ongoing("长期坚持"),
            ongoing("持续推进"),
            ongoing("长期"),
            ongoing("持续开展"),
            ongoing("常态化推进"),
            ongoing("2017年起").start("2017-01-01"),
            ongoing("自2018年3月起").start("2018-03-01"),
            ongoing("2017年至今").start("2017-01-01"),
            ongoing("持续推进(2018年底前完成试点)").milestone("2018-12-31", "完成试点"),
            // --- parentheses ---
            due("(2017年底前完成)", "2017-12-31").milestone("2017-12-31", "完成"),
            due(
                "2017年底前(2017年6月底前出台方案，2017年9月底前完成试点)",
                "2017-12-31",
            )
            .milestone("2017-06-30", "出台方案")
            .milestone("2017-09-30", "完成试点"),
            range(
                "2017年至2020年(5月底前出台方案)",
                "2017-01-01",
                "2020-12-31",
            )
            .milestone("2017-05-31", "出台方案")
            .plan(None),
            due("2018年(力争6月底前完成)", "2018-12-31").milestone("2018-06-30", "力争完成"),
            // --- not understood ---
            unknown(""),
            unknown("   "),
            unknown("在“八大”上表彰全省优秀科技工作者"),
            unknown("原则上要干满2-3年"),
            unknown("三年内完成"),
            unknown("每半年"),
            unknown("2017年13月底前"),
            unknown("2017年2月30日前"),
            unknown("年内").plan(None),
            unknown("6月底前").plan(None),
            unknown("2020年至2017年"),
            unknown("视情况而定").condition("视情况而定"),
            unknown("abc"),
            unknown("))))(((("),
        ]
    }

    #[test]
    fn deadline_phrases_parse_as_expected() {
        // Arrange
        let cases = table();

        // Act
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|c| {
                let actual = serde_json::to_value(parse_deadline(c.input, c.plan)).unwrap();
                let expected = c.expected();
                (actual != expected)
                    .then(|| format!("{:?}\n  want {expected}\n  got  {actual}", c.input))
            })
            .collect();

        // Assert
        assert!(
            cases.len() >= 60,
            "the table should hold at least 60 phrases"
        );
        assert!(
            failures.is_empty(),
            "{} of {} phrases misread:\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn json_shape_of_a_range_with_milestone_is_pinned() {
        let d = parse_deadline("2017年至2020年(2017年5月底前出台方案)", Some(2017));

        let json = serde_json::to_string(&d).unwrap();

        assert_eq!(
            json,
            r#"{"input":"2017年至2020年(2017年5月底前出台方案)","kind":"range","due":null,"start":"2017-01-01","end":"2020-12-31","every":null,"milestones":[{"due":"2017-05-31","text":"出台方案"}],"condition":null}"#
        );
    }

    #[test]
    fn json_shape_of_a_due_date_with_condition_is_pinned() {
        let d = parse_deadline("2017年(视网上科协平台建设进展情况)", None);

        let json = serde_json::to_string(&d).unwrap();

        assert_eq!(
            json,
            r#"{"input":"2017年(视网上科协平台建设进展情况)","kind":"due","due":"2017-12-31","start":null,"end":null,"every":null,"milestones":[],"condition":"视网上科协平台建设进展情况"}"#
        );
    }

    #[test]
    fn json_round_trips() {
        let d = parse_deadline("每年坚持(2017年10底前取得阶段性成果)", Some(2017));

        let back: Deadline = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();

        assert_eq!(back, d);
        assert_eq!(back.kind, DeadlineKind::Recurring);
        assert_eq!(back.every, Some(Every::Year));
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn due_dates_list_the_end_and_milestones_in_order() {
        let d = parse_deadline("2017年至2020年(2017年5月底前出台方案)", Some(2017));

        assert_eq!(d.due_dates(), vec![date(2017, 5, 31), date(2020, 12, 31)]);
    }

    #[test]
    fn a_task_is_overdue_once_a_date_has_passed() {
        let d = parse_deadline("2017年取得阶段性成果(2020年全面完成转型升级)", Some(2017));

        assert!(
            !d.is_overdue(date(2017, 12, 31)),
            "due today is not overdue"
        );
        assert!(d.is_overdue(date(2018, 1, 1)));
        assert_eq!(d.next_due(date(2018, 1, 1)), Some(date(2020, 12, 31)));
        assert_eq!(d.next_due(date(2021, 1, 1)), None);
    }

    #[test]
    fn ongoing_and_unknown_tasks_are_never_overdue() {
        for phrase in ["长期坚持", "每年坚持", "视情况而定", ""] {
            let d = parse_deadline(phrase, Some(2017));

            assert!(!d.is_overdue(date(2030, 1, 1)), "{phrase}");
            assert_eq!(d.next_due(date(2030, 1, 1)), None, "{phrase}");
        }
    }

    #[test]
    fn a_recurring_deadline_comes_round_again() {
        let yearly = parse_deadline("每年6月底前", Some(2017));
        let quarterly = parse_deadline("每季度(一季度末报送)", Some(2017));

        assert_eq!(yearly.next_due(date(2017, 3, 1)), Some(date(2017, 6, 30)));
        assert_eq!(yearly.next_due(date(2019, 7, 1)), Some(date(2020, 6, 30)));
        assert_eq!(quarterly.kind, DeadlineKind::Recurring);
        assert_eq!(quarterly.milestones[0].due, date(2017, 3, 31));
    }

    #[test]
    fn a_quarter_end_stays_a_quarter_end_when_rolled() {
        let d = parse_deadline("每季度 一季度末", Some(2017));

        assert_eq!(d.due, Some(date(2017, 3, 31)));
        assert_eq!(d.next_due(date(2017, 4, 1)), Some(date(2017, 6, 30)));
        assert_eq!(d.next_due(date(2017, 7, 1)), Some(date(2017, 9, 30)));
        assert_eq!(d.next_due(date(2017, 10, 1)), Some(date(2017, 12, 31)));
    }

    fn digit_soup() -> impl Strategy<Value = String> {
        proptest::collection::vec(
        proptest::sample::select(
            "0123456789０１２３４５６７８９〇零一二三四五六七八九十百千两年月日号底末前后之以内至到起今-—~/.()（）每季度上中下半旬初第份视每长期持续 O"
                .chars()
                .collect::<Vec<_>>(),
        ),
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
    }

    fn check_invariants(d: &Deadline, input: &str) {
        assert_eq!(d.input, input);
        match d.kind {
            DeadlineKind::Due => assert!(d.due.is_some(), "due without a date: {input:?}"),
            DeadlineKind::Range => {
                let (s, e) = (d.start.unwrap(), d.end.unwrap());
                assert!(s <= e, "range backwards: {input:?}");
            }
            DeadlineKind::Recurring => {
                assert!(d.every.is_some(), "recurring without period: {input:?}")
            }
            DeadlineKind::Unknown => {
                assert!(d.due.is_none() && d.start.is_none() && d.end.is_none());
                assert!(d.every.is_none() && d.milestones.is_empty());
            }
            DeadlineKind::Ongoing => {}
        }
        let today = NaiveDate::from_ymd_opt(2018, 7, 1).unwrap();
        let _ = (d.next_due(today), d.is_overdue(today), d.due_dates());
        let _ = (d.next_due(NaiveDate::MIN), d.next_due(NaiveDate::MAX));
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(s in any::<String>(), plan in any::<Option<i32>>()) {
            let d = parse_deadline(&s, plan);
            check_invariants(&d, &s);
        }

        #[test]
        fn never_panics_on_digit_soup(s in digit_soup(), plan in prop_oneof![Just(None), Just(Some(2017)), any::<Option<i32>>()]) {
            let d = parse_deadline(&s, plan);
            check_invariants(&d, &s);
        }

        #[test]
        fn never_panics_on_printable_text(s in "\\PC{0,60}", plan in any::<Option<i32>>()) {
            let d = parse_deadline(&s, plan);
            check_invariants(&d, &s);
        }
    }
}
