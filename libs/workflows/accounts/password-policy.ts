/**
 * What a new password must be, after China's classified-protection baseline (等保 2.0, GB/T
 * 22239-2019, 身份鉴别): at least 8 characters of at least three kinds (upper-case, lower-case,
 * digits, symbols), not containing the username, and not a common password. Every refusal has a
 * stable code (a client may translate it) and a message in the user's language: Chinese by
 * default, English when the request's Accept-Language prefers it.
 */
import { COMMON_PASSWORDS } from './common-passwords.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;
/** Of upper-case, lower-case, digits and symbols (anything else, such as 汉字, counts as a symbol). */
export const MIN_CHARACTER_KINDS = 3;

export type PasswordRule = 'password-too-short' | 'password-too-long' | 'password-too-simple' | 'password-contains-username' | 'password-too-common' | 'password-unchanged';

export type Language = 'zh-CN' | 'en-US';
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

const MESSAGES: Record<PasswordRule, Record<Language, string>> = {
  'password-too-short': { 'zh-CN': `密码至少需要 ${MIN_PASSWORD_LENGTH} 个字符`, 'en-US': `must have at least ${MIN_PASSWORD_LENGTH} characters` },
  'password-too-long': { 'zh-CN': `密码最多 ${MAX_PASSWORD_LENGTH} 个字符`, 'en-US': `may have at most ${MAX_PASSWORD_LENGTH} characters` },
  'password-too-simple': {
    'zh-CN': '密码须包含大写字母、小写字母、数字、符号中的至少三类',
    'en-US': 'must contain at least three of: upper-case letters, lower-case letters, digits, symbols',
  },
  'password-contains-username': { 'zh-CN': '密码不得包含用户名', 'en-US': 'may not contain the username' },
  'password-too-common': { 'zh-CN': '这是常见密码，容易被猜中，请换一个', 'en-US': 'is a common password, easy to guess: choose another' },
  'password-unchanged': { 'zh-CN': '新密码须与当前密码不同', 'en-US': 'must differ from the current password' },
};

export function passwordRuleMessage(rule: PasswordRule, language: Language = DEFAULT_LANGUAGE): string {
  return MESSAGES[rule][language];
}

/** The language of a request's Accept-Language (Express's negotiation): English if preferred, else Chinese. */
export function languageOf(req: { acceptsLanguages(...langs: string[]): string | false }): Language {
  const best = req.acceptsLanguages('zh-CN', 'zh', 'en-US', 'en');
  return typeof best === 'string' && best.toLowerCase().startsWith('en') ? 'en-US' : 'zh-CN';
}

const COMMON = new Set(COMMON_PASSWORDS);

/** Undoes the usual substitutions (P@ssw0rd → password). */
const LEET: Record<string, string> = { '@': 'a', '4': 'a', '0': 'o', '1': 'i', '!': 'i', '3': 'e', $: 's', '5': 's', '7': 't', '+': 't' };
const unleet = (s: string) => [...s].map((c) => LEET[c] ?? c).join('');

/**
 * The common password a password is made of, if any: as typed (case aside), without trailing
 * symbols (qwer1234!), without the digits and symbols around it (Adminadmin1!, 2023Sunshine), and
 * each of these with the usual substitutions undone (P@ssw0rd123). Undefined if none.
 */
export function commonPasswordBase(password: string): string | undefined {
  const lower = password.normalize('NFKC').toLowerCase();
  const noTrailingSymbols = lower.replace(/[^\p{L}\p{N}]+$/u, '');
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  for (const candidate of [lower, noTrailingSymbols, core]) {
    for (const c of new Set([candidate, unleet(candidate), unleet(candidate).replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '')])) {
      if (c.length >= 4 && COMMON.has(c)) return c;
    }
  }
  return undefined;
}

function characterKinds(password: string): number {
  let upper = false;
  let lower = false;
  let digit = false;
  let symbol = false;
  for (const c of password) {
    if (/\p{Lu}/u.test(c)) upper = true;
    else if (/\p{Ll}/u.test(c)) lower = true;
    else if (/\p{Nd}/u.test(c)) digit = true;
    else symbol = true;
  }
  return [upper, lower, digit, symbol].filter(Boolean).length;
}

/** Every rule a new password breaks, in the order a person would fix them; empty if it is acceptable. */
export function passwordProblems(next: unknown, context: { username: string; current?: string }): PasswordRule[] {
  if (typeof next !== 'string') return ['password-too-short'];
  const problems: PasswordRule[] = [];
  const length = [...next].length;
  if (length < MIN_PASSWORD_LENGTH) problems.push('password-too-short');
  if (length > MAX_PASSWORD_LENGTH) problems.push('password-too-long');
  if (characterKinds(next) < MIN_CHARACTER_KINDS) problems.push('password-too-simple');
  const username = context.username.trim().toLowerCase();
  if (username && next.toLowerCase().includes(username)) problems.push('password-contains-username');
  if (commonPasswordBase(next)) problems.push('password-too-common');
  if (context.current !== undefined && next === context.current) problems.push('password-unchanged');
  return problems;
}
