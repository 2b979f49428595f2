//! Hand-written plans in the layouts of seeds/000 and seeds/001, one behaviour each. Every
//! name is invented (甲某, 乙某, 丙某); every unit and department is generic.

// One module, so that `cargo test plan` selects every test in this file.
mod plan_text {
    use kexie_domain::deadline::DeadlineKind;
    use kexie_domain::plan_text::{parse_plan_text, PlanParse, PlanTask};

    fn parse(text: &str) -> PlanParse {
        parse_plan_text(text, Some(2024))
    }

    fn numbers(plan: &PlanParse) -> Vec<&str> {
        plan.tasks.iter().map(|t| t.number.as_str()).collect()
    }

    fn task<'a>(plan: &'a PlanParse, number: &str) -> &'a PlanTask {
        plan.tasks
            .iter()
            .find(|t| t.number == number)
            .unwrap_or_else(|| panic!("no task ({number})"))
    }

    #[test]
    fn a_table_task_reads_its_text_measure_deadline_leader_and_department() {
        let plan =
            parse("(1)推动企业建立科协。\n制定企业科协工作指引。\n2024年6月底前\n甲某\n组织部\n");

        let t = &plan.tasks[0];
        assert_eq!(t.number, "1");
        assert_eq!(t.text, "推动企业建立科协。");
        assert_eq!(t.measures, ["制定企业科协工作指引。"]);
        assert_eq!(t.deadline.input, "2024年6月底前");
        assert_eq!(t.deadline.kind, DeadlineKind::Due);
        assert_eq!(t.leader.as_deref(), Some("甲某"));
        assert_eq!(t.department.as_deref(), Some("组织部"));
        assert!(plan.errors.is_empty());
    }

    #[test]
    fn split_and_repeated_headings_make_one_section() {
        let plan = parse(
            "一、健全组织体系\n\
             1.扩大基层\n\
             组织覆盖\n\
             (1)推动企业建立科协。\n\
             制定企业科协工作指引。\n\
             1.扩大基层\n\
             组织覆盖\n\
             (2)推动园区建立科协。\n\
             开展园区调研。\n\
             1.扩大基层组织覆盖\n\
             (3)推动高校建立科协。\n\
             联合教育部门推动。\n\
             2.建设网上\n\
             科技工作者之家\n\
             (4)建设网上科协。\n\
             制定信息化方案。\n\
             二、加强学会建设,\n\
             改革治理方式\n\
             (5)指导学会按期换届。\n\
             严格前置审核。\n",
        );

        let sections: Vec<Option<&str>> = plan.tasks.iter().map(|t| t.section.as_deref()).collect();
        assert_eq!(
            sections,
            [
                Some("1.扩大基层组织覆盖"),
                Some("1.扩大基层组织覆盖"),
                Some("1.扩大基层组织覆盖"),
                Some("2.建设网上科技工作者之家"),
                // A top-level heading without a sub-heading is the section itself.
                Some("二、加强学会建设,改革治理方式"),
            ]
        );
        assert_eq!(numbers(&plan), ["1", "2", "3", "4", "5"]);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    }

    #[test]
    fn full_width_parentheses_and_digits_number_a_task() {
        let plan = parse(
            "（１２）推动企业建立科协。\n制定工作指引。\n（13）推动园区建立科协。\n开展调研。",
        );

        assert_eq!(numbers(&plan), ["12", "13"]);
        assert_eq!(plan.tasks[0].text, "推动企业建立科协。");
    }

    #[test]
    fn a_task_keeps_both_of_its_measures_and_its_first_deadline() {
        let plan = parse(
            "(1)推动企业建立科协。\n\
             协调有关部门联合出台文件。\n\
             2024年10月底前\n\
             甲某\n\
             学会部\n\
             指导下级科协开展该项工作。\n\
             每年坚持\n",
        );

        let t = &plan.tasks[0];
        assert_eq!(
            t.measures,
            ["协调有关部门联合出台文件。", "指导下级科协开展该项工作。"]
        );
        assert_eq!(t.deadline.input, "2024年10月底前");
    }

    #[test]
    fn several_departments_are_joined_in_order() {
        let plan = parse(
            "(1)建设网上科协。\n制定方案。\n2024年6月底前\n甲某\n学会部\n科技报社\n\
             (2)开展调研。\n走访基层。\n乙某\n组织部、宣传部\n",
        );

        assert_eq!(
            plan.tasks[0].department.as_deref(),
            Some("学会部、科技报社")
        );
        assert_eq!(plan.tasks[1].department.as_deref(), Some("组织部、宣传部"));
    }

    #[test]
    fn blank_leader_department_and_deadline_are_those_of_the_task_above() {
        let plan = parse(
            "(1)推动企业建立科协。\n制定指引。\n2024年6月底前\n甲某\n组织部\n\
             (2)推动园区建立科协。\n开展调研。\n\
             (3)推动高校建立科协。\n联合推动。\n乙某\n\
             (4)推动农村建立科协。\n规范建设。\n2025年\n丙某\n科普部\n",
        );

        let t2 = task(&plan, "2");
        assert_eq!(t2.leader.as_deref(), Some("甲某"));
        assert_eq!(t2.department.as_deref(), Some("组织部"));
        assert_eq!(t2.deadline.input, "2024年6月底前");
        assert!(t2.deadline_inherited);
        let t3 = task(&plan, "3");
        assert_eq!(t3.leader.as_deref(), Some("乙某"));
        assert_eq!(t3.department.as_deref(), Some("组织部"));
        assert!(t3.deadline_inherited);
        let t4 = task(&plan, "4");
        assert_eq!(t4.deadline.input, "2025年");
        assert!(!t4.deadline_inherited);
        assert!(!task(&plan, "1").deadline_inherited);
    }

    #[test]
    fn the_first_task_without_a_deadline_has_an_empty_unknown_one() {
        let plan = parse("(1)推动企业建立科协。\n制定指引。\n甲某\n组织部\n");

        let t = &plan.tasks[0];
        assert_eq!(t.deadline.kind, DeadlineKind::Unknown);
        assert_eq!(t.deadline.input, "");
        assert!(!t.deadline_inherited);
    }

    #[test]
    fn a_deadline_cut_over_two_lines_is_joined() {
        let plan = parse(
            "(1)推动企业建立科协。\n制定指引。\n每年坚持(2024年\n取得阶段性成果)\n甲某\n组织部\n\
             (2)培育优秀学会。\n分批选择学会予以支持。\n2026年\n年底前\n计财部\n",
        );

        assert_eq!(
            plan.tasks[0].deadline.input,
            "每年坚持(2024年取得阶段性成果)"
        );
        assert_eq!(plan.tasks[0].deadline.kind, DeadlineKind::Recurring);
        assert_eq!(plan.tasks[0].measures.len(), 1);
        assert_eq!(plan.tasks[1].deadline.input, "2026年年底前");
        assert_eq!(plan.tasks[1].department.as_deref(), Some("计财部"));
    }

    #[test]
    fn junk_lines_are_ignored() {
        let plan = parse(
            "某某方案docWord文档格式.docx\n\
             《某某方案.docx》由会员分享,可在线阅读,更多相关《某某方案.docx(9页珍藏版)》请在某网站上搜索。\n\
             (1)推动企业建立科协。\n\
             <p>\n\
             制定指引。\n\
             第2页 共9页\n\
             - 3 -\n\
             12\n\
             https://example.com/plan\n\
             2024年6月底前\n\
             甲某\n\
             组织部\n\
             (2)推动园区建立科协。开展园区调研…… (未完,全文共3500字,当前仅显示1767字)\n\
             文章搜索\n\
             相关文章\n",
        );

        assert_eq!(numbers(&plan), ["1", "2"]);
        assert_eq!(plan.tasks[0].measures, ["制定指引。"]);
        assert_eq!(plan.tasks[1].text, "推动园区建立科协。开展园区调研");
        // Page furniture after the truncation note is no leader.
        assert_eq!(plan.tasks[1].leader.as_deref(), Some("甲某"));
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    }

    #[test]
    fn a_task_number_going_backwards_or_repeated_is_reported_and_skipped() {
        let plan = parse(
            "(1)推动企业建立科协。\n制定指引。\n甲某\n组织部\n\
             (2)推动园区建立科协。\n开展调研。\n\
             (2)另一项任务。\n另一项措施。\n\
             (1)又一项任务。\n又一项措施。\n乙某\n\
             (3)推动高校建立科协。\n联合推动。\n",
        );

        assert_eq!(numbers(&plan), ["1", "2", "3"]);
        assert_eq!(plan.tasks[1].measures, ["开展调研。"]);
        // The skipped task's leader row went with it.
        assert_eq!(plan.tasks[2].leader.as_deref(), Some("甲某"));
        let lines: Vec<usize> = plan.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [7, 9]);
        assert!(plan.errors[0].message.contains("重复"));
        assert!(plan.errors[1].message.contains("小于"));
    }

    #[test]
    fn a_task_repeated_at_a_page_break_goes_on() {
        let plan = parse(
            "1.扩大覆盖\n(1)推动企业建立科协。\n制定指引。\n\
             1.扩大覆盖\n(1)推动企业建立科协。\n开展试点。\n甲某\n组织部\n",
        );

        assert_eq!(numbers(&plan), ["1"]);
        assert_eq!(plan.tasks[0].measures, ["制定指引。", "开展试点。"]);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    }

    #[test]
    fn numbering_may_restart_under_a_new_heading() {
        let plan = parse(
            "一、组织建设\n(1)推动企业建立科协。\n制定指引。\n(2)推动园区建立科协。\n开展调研。\n\
             二、学会建设\n(1)指导学会按期换届。\n严格审核。\n",
        );

        assert_eq!(numbers(&plan), ["1", "2", "1"]);
        assert_eq!(plan.tasks[2].section.as_deref(), Some("二、学会建设"));
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    }

    #[test]
    fn a_row_under_a_new_heading_before_its_first_task_is_reported() {
        let plan = parse(
            "(1)推动企业建立科协。\n制定指引。\n甲某\n组织部\n2.建设网上之家\n2024年6月底前\n宣传部\n(2)建设网上科协。\n制定方案。\n",
        );

        let lines: Vec<usize> = plan.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [6, 7]);
        assert_eq!(plan.tasks[1].section.as_deref(), Some("2.建设网上之家"));
        assert_eq!(plan.tasks[1].department.as_deref(), Some("组织部"));
        assert!(!plan.tasks[1].deadline_inherited);
    }

    #[test]
    fn a_number_alone_on_its_line_takes_the_next_line_as_text() {
        let plan = parse("(1)\n推动企业建立科协。\n制定指引。\n");

        assert_eq!(plan.tasks[0].text, "推动企业建立科协。");
        assert_eq!(plan.tasks[0].measures, ["制定指引。"]);
    }

    #[test]
    fn prose_items_read_their_responsible_units() {
        let plan = parse(
            "区某某工作实施方案\n\
             一、指导思想\n\
             坚持以创新为引领,制定本方案。\n\
             二、重点任务\n\
             1.突出政治引领。加强理论武装,提高政治站位。(责任单位:区科协、区委宣传部、各街道)\n\
             2.创新组织形式。推进街道、社区科协建设。(牵头单位:区科协;配合单位:区民政局、各街道)\n\
             3.优化服务机制。建立联系制度。\n\
             配合单位：区人社局\n\
             牵头单位：区科技局、区科协\n",
        );

        assert_eq!(numbers(&plan), ["1", "2", "3"]);
        let t1 = &plan.tasks[0];
        assert_eq!(t1.text, "突出政治引领");
        assert_eq!(t1.measures, ["加强理论武装,提高政治站位。"]);
        assert_eq!(t1.units, ["区科协", "区委宣传部", "各街道"]);
        assert_eq!(t1.section.as_deref(), Some("二、重点任务"));
        assert_eq!(plan.tasks[1].units, ["区科协", "区民政局", "各街道"]);
        // Lead units first, whatever the order of the lines.
        assert_eq!(plan.tasks[2].units, ["区科技局", "区科协", "区人社局"]);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    }

    #[test]
    fn labelled_leader_and_department_lines_are_read() {
        let plan =
            parse("(1)推动企业建立科协。\n制定指引。\n牵头领导：甲某\n责任部门：组织部、宣传部\n");

        assert_eq!(plan.tasks[0].leader.as_deref(), Some("甲某"));
        assert_eq!(plan.tasks[0].department.as_deref(), Some("组织部、宣传部"));
    }

    #[test]
    fn empty_or_junk_only_text_gives_nothing() {
        for text in ["", "\n\n  \n", "《某某.docx》由会员分享\n第1页\n"] {
            let plan = parse(text);
            assert!(plan.tasks.is_empty() && plan.errors.is_empty(), "{text:?}");
        }
    }
}
