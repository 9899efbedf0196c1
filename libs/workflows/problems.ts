/**
 * The workflows' refusals worded for people (issue 14): every `DomainError` code, in zh-CN and en-US,
 * with `{param}` filled from the problem's `params` (what the throw site passes). `{param:enum}`
 * words an enum value (a report's status, a case's step, a warning's colour) by the table below.
 * The problem-details filter words `detail` by these; clients may word `code` + `params` by their
 * own catalogue (the web's `problems` namespace). test/problem-catalogue.spec.ts checks that every
 * code thrown in libs/ has both wordings and that a wording names only params its throw sites pass.
 */
import type { ProblemCatalogue } from '../engine/nest/http/problem-catalogue.js';

export const WORKFLOW_PROBLEMS: ProblemCatalogue = {
  enums: {
    reportStatus: {
      'zh-CN': { none: '尚未开启', open: '已开启', draft: '草稿', submitted: '已提交', signed: '已签字', received: '已接收', returned: '已退回' },
      'en-US': { none: 'not opened', open: 'open', draft: 'a draft', submitted: 'submitted', signed: 'signed', received: 'received', returned: 'returned' },
    },
    reviewStatus: {
      'zh-CN': { none: '尚未生成', draft: '草案', submitted: '已报审', approved: '已审定', published: '已公布' },
      'en-US': { none: 'not generated', draft: 'a draft', submitted: 'submitted', approved: 'approved', published: 'published' },
    },
    caseStep: {
      'zh-CN': { acknowledge: '等待单位签收', plan: '等待单位提交整改方案', feedback: '等待单位反馈整改情况', review: '等待督查局审核反馈', close: '等待督查局结案（反馈已通过）' },
      'en-US': {
        acknowledge: 'waiting for the unit to acknowledge the case',
        plan: 'waiting for the unit’s rectification plan',
        feedback: 'waiting for the unit’s rectification feedback',
        review: 'waiting for the bureau to review the feedback',
        close: 'waiting for the bureau to close it (the feedback was accepted)',
      },
    },
    warning: {
      'zh-CN': { red: '🔴 红', yellow: '🟡 黄', green: '🟢 绿', none: '无排名' },
      'en-US': { red: '🔴 red', yellow: '🟡 yellow', green: '🟢 green', none: 'without a standing' },
    },
  },
  // A peer-figures workbook's cells (ranking/peer-figures-import.ts): each problem's code and params.
  fields: {
    'must-be': { 'zh-CN': '须为 {value}', 'en-US': 'must be {value}' },
    'cell-unreadable-file': { 'zh-CN': '文件不是可读取的 .xlsx 工作簿', 'en-US': 'the file is not a readable .xlsx workbook' },
    'cell-bad-sheet-name': {
      'zh-CN': '工作表名“{sheet}”不是 {year} 年度的排名期间：请命名为 {year}-Q3、{year}-08 或 {year}（以“{instructions}”开头的工作表会被忽略）',
      'en-US': 'the sheet name “{sheet}” is not a ranking period of {year}: name it like {year}-Q3, {year}-08 or {year} (or start it with {instructions} to have it ignored)',
    },
    'cell-duplicate-sheet': { 'zh-CN': '{period} 有第二个工作表（第一个是“{first}”）', 'en-US': 'a second sheet for {period} (the first is “{first}”)' },
    'cell-bad-header': { 'zh-CN': '表头应为“{expected}”，而不是“{found}”', 'en-US': 'the header must read {expected}, not “{found}”' },
    'cell-unknown-county': { 'zh-CN': '“{name}”不是{peerGroup}之一（{counties}）', 'en-US': '“{name}” is not a county of {peerGroup} ({counties})' },
    'cell-duplicate-county': { 'zh-CN': '{county}有第二列', 'en-US': '{county} has a second column' },
    'cell-no-county': {
      'zh-CN': '第 1 行没有县（市）名：请在“{after}”之后每县（市）一列（{counties}）',
      'en-US': 'row 1 names no county: put one column per county ({counties}) after {after}',
    },
    'cell-no-indicator-number': { 'zh-CN': '该行有数据但没有指标序号（{header}）', 'en-US': 'the row has figures but no indicator number ({header})' },
    'cell-not-indicator-number': { 'zh-CN': '“{text}”不是指标序号', 'en-US': '“{text}” is not an indicator number' },
    'cell-no-such-indicator': { 'zh-CN': '方案中没有第 {no} 项指标（1–{count}）', 'en-US': 'the plan has no indicator {no} (1–{count})' },
    'cell-duplicate-indicator': { 'zh-CN': '第 {no} 项指标在本表中出现两次（另见第 {firstRow} 行）', 'en-US': 'indicator {no} appears twice in this sheet (also row {firstRow})' },
    'cell-wrong-indicator-name': {
      'zh-CN': '“{text}”不是第 {no} 项指标的名称（{name}）：该行是否错位？',
      'en-US': '“{text}” is not the name of indicator {no} ({name}): is the row out of place?',
    },
    'cell-column-without-county': { 'zh-CN': '该列第 1 行没有县（市）名', 'en-US': 'this column has no county in row 1' },
    'cell-not-finite': { 'zh-CN': '单元格不是有限数值', 'en-US': 'the cell is not a finite number' },
    'cell-boolean': { 'zh-CN': '单元格是 TRUE/FALSE，不是数据', 'en-US': 'the cell holds TRUE/FALSE, not a figure' },
    'cell-date': { 'zh-CN': '单元格是日期，不是数据', 'en-US': 'the cell holds a date, not a figure' },
    'cell-error-value': { 'zh-CN': '单元格是错误值 {error}', 'en-US': 'the cell holds the error {error}' },
    'cell-formula-without-result': {
      'zh-CN': '单元格是未计算结果的公式（请先在 Excel 中打开并保存）',
      'en-US': 'the cell holds a formula without a calculated result (open and save it in Excel first)',
    },
    'cell-not-figure': { 'zh-CN': '单元格的内容不是数据', 'en-US': 'the cell holds something that is not a figure' },
    'cell-percent-format': {
      'zh-CN': '单元格设为百分比格式，但该指标不以百分比计量',
      'en-US': 'the cell is formatted as a percentage, but the indicator is not measured in percent',
    },
    'cell-percent-sign': { 'zh-CN': '“{text}”带有 % 号，但该指标不以百分比计量', 'en-US': '“{text}” has a % sign, but the indicator is not measured in percent' },
    'cell-not-figure-text': {
      'zh-CN': '“{text}”不是数据：请填写数值（5.2）、名次（第2名）或两者（5.2（第2名））',
      'en-US': '“{text}” is not a figure: write a number (5.2), a rank (第2名), or both (5.2（第2名））',
    },
    'cell-rank-outside': { 'zh-CN': '名次 {rank} 超出 1–{size}', 'en-US': 'rank {rank} is outside 1–{size}' },
    'cell-task-not-score': { 'zh-CN': '第 {no} 项指标是市里打分的工作任务：{value} 不是分数', 'en-US': 'indicator {no} is a task the city scores: {value} is not a score' },
    'cell-no-period-sheet': { 'zh-CN': '工作簿中没有以排名期间命名的工作表（如 {year}-Q3）', 'en-US': 'the workbook has no sheet named after a ranking period (e.g. {year}-Q3)' },
  },
  codes: {
    // Plan, periods, units, indicators.
    'period-outside-plan': {
      'zh-CN': '“{period}”不在 {year} 年度方案的期间内（月份、季度或年度）。',
      'en-US': '“{period}” is not a period of the {year} plan (a month, quarter or the year).',
    },
    'quarter-outside-plan': {
      'zh-CN': '“{quarter}”不是 {year} 年度方案的季度（{year}-Q1 至 {year}-Q4）。',
      'en-US': '“{quarter}” is not a quarter of the {year} plan ({year}-Q1 … {year}-Q4).',
    },
    'year-outside-plan': { 'zh-CN': '方案年度为 {planYear} 年，不是 {year} 年。', 'en-US': 'the plan is for {planYear}, not {year}.' },
    'indicator-not-found': { 'zh-CN': '方案中没有第 {indicatorNo} 项指标。', 'en-US': 'the plan has no indicator {indicatorNo}.' },
    'unit-not-responsible': { 'zh-CN': '{unitName}不是第 {indicatorNo} 项指标的责任单位。', 'en-US': '{unitName} is not a responsible unit of indicator {indicatorNo}.' },
    'plan-exists': { 'zh-CN': '方案 {planId} 已存在（草案或已发布）。', 'en-US': 'plan {planId} exists already (as a draft or published).' },
    'plan-already-published': {
      'zh-CN': '该方案已发布：请通过目标、基数和规则的调整（各附理由）来修改。',
      'en-US': 'the plan is already published; change it through targets, baselines and rules, each with a reason.',
    },
    'plan-is-draft': {
      'zh-CN': '方案尚在草案阶段：现在可修改目标与基数，规则待发布后调整。',
      'en-US': 'the plan is a draft: its targets and baselines are edited now, its rules after publication.',
    },
    'invalid-plan': { 'zh-CN': '发布方案需要解析后的完整方案（编号、单位、指标和总分）。', 'en-US': 'publishing needs a parsed plan: id, units, indicators and total points.' },
    'invalid-spreadsheet': {
      'zh-CN': '表格中有 {count} 处问题，未导入任何数据；请按各单元格的提示修改后重新导入。',
      'en-US': 'the spreadsheet has {count} problem(s); nothing was recorded. Fix the cells listed and import it again.',
    },
    'invalid-value': { 'zh-CN': '填写的数值无效：{field}。', 'en-US': 'the value of {field} is not valid.' },
    'reason-required': { 'zh-CN': '此操作须填写理由（将随记录保存）。', 'en-US': 'a reason is required for this change (it is kept with the record).' },
    'missing-parameter': { 'zh-CN': '缺少参数 {parameter}。', 'en-US': 'the parameter {parameter} is required.' },
    'moments-out-of-order': { 'zh-CN': '起始时刻（from）须早于结束时刻（to）。', 'en-US': '`from` must come before `to`.' },
    'unknown-view': { 'zh-CN': '没有名为“{view}”的审计视图。', 'en-US': 'there is no audit view “{view}”.' },

    // Monthly reports.
    'report-not-found': { 'zh-CN': '{unitName} {period} 的报告尚未开启或填报。', 'en-US': 'no {period} report of {unitName} has been opened or drafted (at that moment).' },
    'report-locked': {
      'zh-CN': '{period} 的报告{status:reportStatus}，须由县绩效办退回后才能修改。',
      'en-US': 'the {period} report is {status:reportStatus}; it can be changed only after the office returns it.',
    },
    'report-already-submitted': { 'zh-CN': '{period} 的报告已提交过（当前：{status:reportStatus}）。', 'en-US': 'the {period} report is already {status:reportStatus}.' },
    'report-empty': { 'zh-CN': '请先保存报告内容再提交。', 'en-US': 'save the report’s lines before submitting it.' },
    'period-not-ended': {
      'zh-CN': '{period} 的报告反映月末数据，{periodEndsAt} 之后才能提交。',
      'en-US': 'the {period} report gives figures as of the month’s end; it can be submitted from {periodEndsAt}.',
    },
    'report-incomplete': { 'zh-CN': '报告须包含本单位每一项指标，尚缺：{missing}。', 'en-US': 'the report needs a line for every indicator of the unit; missing: {missing}.' },
    'lagging-without-analysis': {
      'zh-CN': '短板指标须填写落后原因分析和应对举措后才能提交：{lagging}。',
      'en-US': 'lagging indicators need an analysis of causes and countermeasures before the report can be submitted: {lagging}.',
    },
    'report-not-signable': {
      'zh-CN': '只有已提交、尚未签字的报告才能签字（当前：{status:reportStatus}）。',
      'en-US': 'only a submitted report that is not yet signed can be signed (it is {status:reportStatus}).',
    },
    'content-changed': {
      'zh-CN': '报告内容在您打开后已变化：签字须对应所提交的内容，请刷新后重新签字。',
      'en-US': 'the report changed since you opened it: the signature must cover exactly the submitted content; reload and sign again.',
    },
    'report-not-signed': {
      'zh-CN': '报告尚未由单位主要负责人签字盖章（当前：{status:reportStatus}）。',
      'en-US': 'the report is not yet signed and sealed by the unit head (it is {status:reportStatus}).',
    },
    'report-not-returnable': {
      'zh-CN': '只有已提交或已签字、尚未接收的报告才能退回（当前：{status:reportStatus}）。',
      'en-US': 'only a submitted or signed report that is not yet received can be returned (it is {status:reportStatus}).',
    },
    'report-not-received': { 'zh-CN': '县绩效办接收报告后才能更正数据。', 'en-US': 'figures are corrected after the office has received the report.' },
    'indicator-not-in-report': { 'zh-CN': '报告中没有第 {indicatorNo} 项指标。', 'en-US': 'the report has no line for indicator {indicatorNo}.' },
    'indicator-not-owned': { 'zh-CN': '第 {indicatorNo} 项指标不属于{unitName}。', 'en-US': 'indicator {indicatorNo} is not one of {unitName}’s indicators.' },
    'duplicate-line': { 'zh-CN': '第 {indicatorNo} 项指标填写了两次。', 'en-US': 'indicator {indicatorNo} appears twice.' },
    'report-not-submitted': { 'zh-CN': '{unitName} {period} 的报告尚未报送。', 'en-US': 'the {period} report of {unitName} has not been submitted.' },

    // Peer figures, scoring, standings.
    'scoring-rule-not-published': {
      'zh-CN': '本方案尚未发布计分规则：请先发布再模拟。',
      'en-US': 'no scoring rule has been published for this plan: publish one before asking what-if.',
    },
    'invalid-what-if': { 'zh-CN': '模拟条件有误，请按各字段的提示修改。', 'en-US': 'the what-if is not valid: see the fields.' },
    'invalid-figures': { 'zh-CN': '数据有误，请按各字段的提示修改。', 'en-US': 'the figures are not valid: see the fields.' },
    'invalid-scoring-rule': { 'zh-CN': '计分规则有误，请按各字段的提示修改。', 'en-US': 'the scoring rule is not valid: see the fields.' },
    'invalid-source': {
      'zh-CN': '数据来源须为手工录入，或注明导入批次、文件、工作表和行的导入。',
      'en-US': 'the source must be manual, or an import naming its import, file, sheet and row.',
    },
    'standing-not-found': {
      'zh-CN': '尚未录入第 {indicatorNo} 项指标（{indicatorName}）{period} 的六县（市）数据。',
      'en-US': 'no figures of indicator {indicatorNo} ({indicatorName}) for {period} have been recorded (at that moment).',
    },
    'figure-not-recorded': {
      'zh-CN': '第 {indicatorNo} 项指标 {period} 尚未录入{countyName}的数据：请录入而非更正。',
      'en-US': 'no figure of {countyName} is recorded for indicator {indicatorNo}, {period}: record it rather than correct it.',
    },

    // Supervision cases.
    'case-not-found': { 'zh-CN': '第 {indicatorNo} 项指标没有编号为 {caseNo} 的督查案件。', 'en-US': 'there is no case {caseNo} for indicator {indicatorNo}.' },
    'warning-not-red': {
      'zh-CN': '督查案件针对红色预警立案；第 {indicatorNo} 项指标 {period} 为{warning:warning}。',
      'en-US': 'cases are opened for red warnings; indicator {indicatorNo} is {warning:warning} for {period}.',
    },
    'invalid-ground': {
      'zh-CN': '立案事由须为行动不力、工作滞后或成效不明显之一。',
      'en-US': 'a case is opened on one of the document’s grounds: ineffective action, lagging work or little effect.',
    },
    'case-already-open': {
      'zh-CN': '第 {indicatorNo} 项指标已有未结案件（第 {caseNo} 号）：请在原案件中跟进或升级处理，不要另行立案。',
      'en-US': 'case {caseNo} for indicator {indicatorNo} is open: follow it up (or escalate it) rather than open another.',
    },
    'invalid-rectify-by': {
      'zh-CN': '整改完成日期须为今天之后、且不晚于 {notAfter} 的日期（YYYY-MM-DD）。',
      'en-US': 'the rectification date must be a date (YYYY-MM-DD) after today and on or before {notAfter}.',
    },
    'nothing-to-review': { 'zh-CN': '第 {caseNo} 号案件没有待审核的内容：当前{step:caseStep}。', 'en-US': 'case {caseNo} has nothing to review: it is {step:caseStep}.' },
    'invalid-decision': { 'zh-CN': '审核意见须为“通过”或“要求补充”。', 'en-US': 'the decision must be accept or request more.' },
    'invalid-escalation': { 'zh-CN': '升级处理须为通报或约谈。', 'en-US': 'an escalation is a public notice or an admonitory talk.' },
    'invalid-close-reason': {
      'zh-CN': '结案原因须为预警好转、整改验收或因更正解除之一。',
      'en-US': 'a case closes only as improved, as rectified (accepted) or as cleared by a correction.',
    },
    'case-superseded': { 'zh-CN': '第 {caseNo} 号案件已结案；当前案件为第 {currentCaseNo} 号。', 'en-US': 'case {caseNo} is closed; case {currentCaseNo} is the current one.' },
    'case-closed': { 'zh-CN': '第 {caseNo} 号案件已结案。', 'en-US': 'case {caseNo} is closed.' },
    'step-out-of-order': { 'zh-CN': '第 {caseNo} 号案件当前不能办理此操作：{step:caseStep}。', 'en-US': 'this cannot be done now: case {caseNo} is {step:caseStep}.' },
    'warning-still-red': {
      'zh-CN': '该指标最新预警仍未好转，案件不能以“预警好转”结案。',
      'en-US': 'the latest known warning of the indicator has not improved: the case cannot close as improved.',
    },
    'rectification-not-accepted': {
      'zh-CN': '须先审核通过单位的整改反馈才能验收；第 {caseNo} 号案件当前{step:caseStep}。',
      'en-US': 'the rectification is accepted by reviewing the unit’s feedback first; case {caseNo} is {step:caseStep}.',
    },
    'no-red-warning': {
      'zh-CN': '第 {caseNo} 号案件因事由立案，没有可因更正解除的红色预警。',
      'en-US': 'case {caseNo} was opened on a ground, not a red warning: there is no red a correction could clear.',
    },
    'warning-not-cleared': {
      'zh-CN': '尚无更正解除以下期间的红色预警：{periods}。',
      'en-US': 'no correction has cleared the red warning of {periods}: it is still red as known now.',
    },
    'plan-required': { 'zh-CN': '请填写整改方案。', 'en-US': 'the rectification plan is required.' },
    'feedback-required': { 'zh-CN': '请填写整改反馈。', 'en-US': 'the rectification feedback is required.' },
    'summary-required': { 'zh-CN': '向县领导报告须填写摘要。', 'en-US': 'a report to the leaders needs its summary.' },

    // Quarterly assessment.
    'store-empty': { 'zh-CN': '尚无任何记录。', 'en-US': 'nothing has been recorded yet.' },
    'quarter-not-published': { 'zh-CN': '{quarter} 尚未发布。', 'en-US': '{quarter} has not been published (at that moment).' },
    'quarter-not-found': { 'zh-CN': '{quarter} 尚无记录。', 'en-US': 'nothing has been recorded for {quarter} (at that moment).' },
    'quarter-published': {
      'zh-CN': '{quarter} 已发布并冻结：之后的更正只体现在“当前所知的 {quarter}”中，不改动已发布的快照。',
      'en-US': '{quarter} is published and frozen: later corrections show in “{quarter} as known now”, never in the published snapshot.',
    },
    'snapshot-mismatch': { 'zh-CN': '快照与要发布的季度不一致。', 'en-US': 'the snapshot is not of this plan and quarter.' },
    'quarter-not-prepared': {
      'zh-CN': '请先准备 {quarter} 的数据：评估会议听取的是准备好的数据。',
      'en-US': 'prepare the {quarter} figures first: the meeting hears the prepared figures.',
    },
    'meeting-not-recorded': { 'zh-CN': '发布前须先记录领导小组 {quarter} 评估会议。', 'en-US': 'record the leading group’s {quarter} meeting before publishing.' },
    'meeting-before-latest-preparation': {
      'zh-CN': '会议记录之后又重新准备了数据，请先记录听取这些数据的会议再发布。',
      'en-US': 'the figures were prepared again after the meeting was recorded; record the meeting that heard these figures before publishing them.',
    },
    'no-recipients': {
      'zh-CN': '发布的季度须通知每个责任单位和县领导，但没有给出通知对象。',
      'en-US': 'a published quarter goes to every responsible unit and the county leaders; none were given.',
    },
    'invalid-meeting': { 'zh-CN': '会议记录不完整，请按各字段的提示补充。', 'en-US': 'the meeting record is incomplete: see the fields.' },

    // Year-end rewards and penalties.
    'proposal-not-found': { 'zh-CN': '尚未生成 {year} 年度拟奖惩名单。', 'en-US': 'no {year} proposal has been generated (at that moment).' },
    'proposal-not-draft': {
      'zh-CN': '{year} 年度名单{status:reviewStatus}，只有草案才能修改。',
      'en-US': 'the {year} proposal is {status:reviewStatus}; it can be changed only while it is a draft.',
    },
    'proposal-not-submitted': {
      'zh-CN': '{year} 年度名单尚未报审（当前：{status:reviewStatus}）。',
      'en-US': 'the {year} proposal is not submitted (it is {status:reviewStatus}).',
    },
    'proposal-not-approved': {
      'zh-CN': '只有审定的名单才能公布（当前：{status:reviewStatus}）。',
      'en-US': 'only an approved list can be published (it is {status:reviewStatus}).',
    },
    'decisions-not-found': { 'zh-CN': '尚无 {year} 年度的奖惩决定。', 'en-US': 'no {year} decisions are available (at that moment).' },
    'line-not-found': { 'zh-CN': '名单中没有该条目。', 'en-US': 'the proposal has no such line.' },
    'conflict-undecided': {
      'zh-CN': '{unitName}的指标分属不同方阵：请先决定冲突（奖励、惩戒或均不）再修改。',
      'en-US': '{unitName}’s indicators fall in different tiers: decide the conflict (reward, penalty or neither) before amending the line.',
    },
    'amendment-empty': { 'zh-CN': '请说明修改内容：方阵、后果或排除。', 'en-US': 'say what changes: tier, consequences or excluded.' },
    'unknown-tier': { 'zh-CN': '“{tier}”不是方案中的方阵（{tiers}）。', 'en-US': '“{tier}” is not a reward tier of the plan ({tiers}).' },
    'no-conflict': {
      'zh-CN': '{unitName}的指标同在一个方阵，由规则确定，无需决定冲突（如需改变请修改条目）。',
      'en-US': '{unitName}’s indicators all fall in one tier: the rules decide it (amend the line to change it).',
    },
    'conflicts-undecided': {
      'zh-CN': '报审前请逐一决定冲突：{unitNames}的指标分属不同方阵。',
      'en-US': 'decide each conflict before submitting: {unitNames} (indicators in different tiers).',
    },
    'list-changed': {
      'zh-CN': '名单在您读取后已变化：审定须对应所报审的名单，请刷新后重新审定。',
      'en-US': 'the list changed since you read it: the approval must cover exactly the submitted list; reload and approve again.',
    },
    'no-standings': { 'zh-CN': '{year} 年度尚无任何指标的排名：请先录入全年数据。', 'en-US': 'no indicator has a standing for {year} yet: record the year’s figures first.' },
    'decision-without-evidence': {
      'zh-CN': '{unitName}没有指标落在“{tier}”方阵，不能据此决定。',
      'en-US': 'none of {unitName}’s indicators is in the {tier} tier: decide otherwise or neither.',
    },

    // Accounts.
    'user-exists': { 'zh-CN': '用户 {userId} 已存在。', 'en-US': 'user {userId} exists already.' },
    'user-not-found': { 'zh-CN': '没有用户 {userId}。', 'en-US': 'there is no user {userId}.' },
    'unit-mismatch': {
      'zh-CN': '{username} 属于单位 {unitId}：一个用户只属于一个单位，请为其他单位另建用户。',
      'en-US': '{username} belongs to unit {unitId}; a user has one unit, so create another user for another unit.',
    },
    'cannot-revoke-own-admin': {
      'zh-CN': '管理员不能撤销自己的管理员角色（请另一位管理员办理），以免全县没有管理员。',
      'en-US': 'an administrator may not revoke their own admin role (ask another administrator), so the county is never left without one.',
    },
    'cannot-disable-self': { 'zh-CN': '管理员不能停用自己的账号。', 'en-US': 'an administrator may not disable their own account.' },
    'user-disabled': { 'zh-CN': '{username} 已停用。', 'en-US': '{username} is disabled.' },
    'first-user-must-be-admin': {
      'zh-CN': '第一个用户须为管理员（包含管理员角色），否则无人能管理账号。',
      'en-US': 'the first user must be an administrator (include the admin role), or nobody could manage accounts.',
    },
    'unit-required': { 'zh-CN': '该角色代表一个单位：请填写用户所属单位。', 'en-US': 'this role acts for one unit: give the user’s unit.' },
    'role-not-unit-scoped': { 'zh-CN': '该角色不属于单位，授予时不要填写单位。', 'en-US': 'this role is not a unit role; grant it without a unit.' },
    'unknown-role': { 'zh-CN': '未知的角色。', 'en-US': 'no such role.' },
    'username-taken': { 'zh-CN': '用户名 {username} 已被使用。', 'en-US': 'the username {username} is taken.' },

    // Documents.
    'no-document-series': {
      'zh-CN': '方案文件未配置该类公文的发文机关（documents.series）。',
      'en-US': 'the plan file names no issuing body for this kind of document (documents.series).',
    },
    'document-kind-mismatch': { 'zh-CN': '公文类型与所办事项不符。', 'en-US': 'the document kind does not match the command.' },
    'document-year-not-configured': {
      'zh-CN': '发文字号“{prefix}”未配置 {year} 年度：请在方案文件的 documents.series 中添加。',
      'en-US': 'the series “{prefix}” has no numbering for {year}: add the year to documents.series in the plan file.',
    },
    'nothing-to-seal': { 'zh-CN': '记录为空，无法据此发文。', 'en-US': 'the record is empty: nothing to issue a document on.' },
    'document-number-taken': { 'zh-CN': '文号 {number} 不是该系列的下一个文号，请重试。', 'en-US': '{number} is not the next number of the series; try again.' },
    'document-not-found': { 'zh-CN': '没有该公文。', 'en-US': 'there is no such document.' },
    'document-render-mismatch': {
      'zh-CN': '{number} 重新生成的内容与登记的不符：生成程序或字体在发文后有变化。',
      'en-US': '{number} no longer renders to the recorded bytes: the renderer or its font changed since it was issued.',
    },

    // Attachments.
    'attachment-unknown': { 'zh-CN': '没有该附件。', 'en-US': 'no such file is attached here.' },
    'attachment-blob-missing': { 'zh-CN': '附件“{name}”的内容缺失，请运行审计核验。', 'en-US': 'the bytes of “{name}” are missing from the blob store; run audit verify.' },
    'attachment-blob-altered': {
      'zh-CN': '附件“{name}”的内容与登记的 SHA-256 不符，请运行审计核验。',
      'en-US': 'the bytes of “{name}” no longer match their recorded SHA-256; run audit verify.',
    },
    'attachment-target-unknown': { 'zh-CN': '要附加到的报告、案件或决定不存在。', 'en-US': 'there is no report, case or decision to attach the file to.' },
    'attachment-type-not-allowed': {
      'zh-CN': '文件类型不允许：附件须为 PDF、JPEG、PNG、DOCX 或 XLSX（按内容识别，不看扩展名）。',
      'en-US': 'attachments are PDF, JPEG, PNG, DOCX or XLSX (checked by content, not by name).',
    },
    'attachment-empty': { 'zh-CN': '文件为空。', 'en-US': 'the file is empty.' },
    'attachment-too-large': {
      'zh-CN': '文件过大：附件须为 1 至 {maxBytes} 字节，未保存任何内容。',
      'en-US': 'the file is too large: attachments are 1 to {maxBytes} bytes; nothing was stored.',
    },
    'attachment-name-missing': { 'zh-CN': '文件缺少名称。', 'en-US': 'the file needs a name.' },
    'attachment-step-invalid': { 'zh-CN': '“{step}”不是督查案件的环节。', 'en-US': '“{step}” is not a step of a supervision case.' },

    // Notices.
    'notice-unknown': { 'zh-CN': '没有该通知。', 'en-US': 'there is no such notice.' },
    'delivery-unknown': { 'zh-CN': '该通知没有这次投递。', 'en-US': 'the notice has no such delivery.' },
    'channel-unknown': { 'zh-CN': '未知的通知方式：{channels}。', 'en-US': 'unknown channel(s): {channels}.' },
    'email-invalid': { 'zh-CN': '“{email}”不是有效的电子邮箱。', 'en-US': '“{email}” is not an e-mail address.' },
    'email-required': { 'zh-CN': '选择电子邮件通知须填写邮箱。', 'en-US': 'e-mail notices need an address.' },

    // Audit and demo.
    'seal-raced': { 'zh-CN': '封存时又有新的封存记录写入，请重试。', 'en-US': 'other seals kept being recorded; try again.' },
    'seal-not-found': { 'zh-CN': '没有编号为 {sealId} 的封存记录。', 'en-US': 'there is no seal {sealId}.' },
    'store-holds-real-data': {
      'zh-CN': '该存储中有真实数据，不能在其上演示：请使用新的存储。',
      'en-US': 'the store holds real data, so the demo year will not be played on it: use a new store.',
    },
    'demo-already-played': {
      'zh-CN': '该存储已演示过（或有一次演示开始后未完成）；每个存储只演示一次，请使用新的空存储。',
      'en-US': 'a demo was played (or started) on this store already; it plays once, on a new, empty store.',
    },
    'demo-unfinished': {
      'zh-CN': '之前的一次演示未完成就停止了，请在新的空存储上演示。',
      'en-US': 'an earlier demo run left events on this store without finishing; play the demo on a new, empty store.',
    },
    'invalid-demo': { 'zh-CN': '演示参数无效：{field}。', 'en-US': 'the demo’s {field} is not valid.' },
    'demo-in-production': { 'zh-CN': '生产环境（NODE_ENV=production）不演示。', 'en-US': 'the demo year is not played in production (NODE_ENV=production).' },
    'demo-needs-quiet-engine': {
      'zh-CN': '演示须在后台投影与定时任务启动前进行：请在命令行或首次启动时运行。',
      'en-US': 'the demo runs before the engine’s background projections and timers start: run it from the command line or at first start.',
    },
    'demo-needs-manual-clock': {
      'zh-CN': '演示需要可手动推进的时钟（ManualClock）。',
      'en-US': 'the demo moves the engine’s clock through the plan year: start the application with a ManualClock to play it.',
    },
    'no-demo': { 'zh-CN': '该存储没有演示数据：其中的数据是真实的。', 'en-US': 'this store holds no demo data: its figures are real.' },
    'demo-not-started': { 'zh-CN': '该存储上没有开始过演示。', 'en-US': 'no demo run has started on this store.' },
  },
};
