/**
 * Ranking among the peer counties: the rule itself lives in rules.ts (one copy, shared with the
 * web UI); this module keeps the ranking workflow's names for it.
 */
export { rankBasis, rankCounties, rankOf, type RankBasis, type RankedCounty } from './rules.js';
