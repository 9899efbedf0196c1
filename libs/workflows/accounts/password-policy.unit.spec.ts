import { generateOneTimePassword } from './passwords.js';
import { commonPasswordBase, languageOf, MIN_PASSWORD_LENGTH, passwordProblems, passwordRuleMessage } from './password-policy.js';

describe('the password rules (等保 2.0 baseline)', () => {
  const ok = (pw: string, username = 'zhang.wei') => expect(passwordProblems(pw, { username })).toEqual([]);
  const refused = (pw: string, ...rules: string[]) => expect(passwordProblems(pw, { username: 'zhang.wei' })).toEqual(rules);

  it('needs at least 8 characters', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(8);
    refused('Ab1!xyz', 'password-too-short');
    ok('Ab1!xyzq');
    refused('x'.repeat(200) + 'A1!' + 'y'.repeat(60), 'password-too-long');
  });

  it('needs three of upper-case, lower-case, digits and symbols', () => {
    refused('lowercaseonly', 'password-too-simple');
    refused('lower2023digits', 'password-too-simple');
    refused('UPPER-AND-SYMBOLS', 'password-too-simple');
    ok('Lower2023digits'); // upper, lower, digit
    ok('lower-2023-digits'); // lower, digit, symbol
    ok('UPPER-and-symbols'); // upper, lower, symbol
    ok('叶县绩效Plan2023'); // 汉字 count as symbols
  });

  it('may not contain the username, in any case', () => {
    refused('Zhang.Wei-2023!', 'password-contains-username');
    expect(passwordProblems('Yx-fgw-REPORTER-9', { username: 'fgw-reporter' })).toEqual(['password-contains-username']);
    ok('Zhang-Wei-2023!'); // not the username: the dot is part of it
  });

  it('may not be a common password, nor one dressed up with capitals, digits, symbols or substitutions', () => {
    expect(passwordProblems('adminadmin', { username: 'zhang.wei' })).toContain('password-too-common');
    for (const pw of ['Adminadmin1!', 'P@ssw0rd123', 'Password1!', 'Qwer1234!', 'Woaini1314!', '2023Sunshine!', 'Admin@123', 'Iloveyou#88']) {
      expect([pw, passwordProblems(pw, { username: 'zhang.wei' })]).toEqual([pw, ['password-too-common']]);
    }
    expect(commonPasswordBase('5uN$h1nE!!')).toBe('sunshine');
    expect(commonPasswordBase('Ye-County-2023!')).toBeUndefined();
  });

  it('must differ from the current password', () => {
    expect(passwordProblems('Ye-County-2023!', { username: 'zhang.wei', current: 'Ye-County-2023!' })).toEqual(['password-unchanged']);
  });

  it('says why in Chinese by default and in English on request, each reason with a stable code', () => {
    expect(passwordRuleMessage('password-too-simple')).toBe('密码须包含大写字母、小写字母、数字、符号中的至少三类');
    expect(passwordRuleMessage('password-too-common', 'en-US')).toBe('is a common password, easy to guess: choose another');
    const req = (header?: string) => ({
      acceptsLanguages: (...langs: string[]) => (header === undefined ? langs[0]! : (langs.find((l) => header.toLowerCase().includes(l.toLowerCase())) ?? false)),
    });
    expect(languageOf(req())).toBe('zh-CN');
    expect(languageOf(req('en-US,en;q=0.9'))).toBe('en-US');
    expect(languageOf(req('fr'))).toBe('zh-CN');
  });

  it('one-time passwords obey the rules themselves, whatever the username', () => {
    for (const username of ['admin', 'ab', 'zhang.wei', 'fgw-reporter']) {
      for (let i = 0; i < 200; i++) {
        const otp = generateOneTimePassword(username);
        expect([otp, passwordProblems(otp, { username })]).toEqual([otp, []]);
      }
    }
  });
});
