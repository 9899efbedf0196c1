import { createHmac } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Channel, Delivery, NoticeIssued } from './notices.events.js';

/**
 * The deployment's outbound channels (environment), each optional:
 * - JIXIAO_SMTP_URL (smtp://user:pass@host:587, smtps://…) and JIXIAO_MAIL_FROM: e-mail through nodemailer;
 * - JIXIAO_DINGTALK_WEBHOOK (the group robot's URL with access_token) and JIXIAO_DINGTALK_SECRET
 *   (its 加签 secret: requests carry timestamp and sign);
 * - JIXIAO_WECOM_WEBHOOK (the group robot's URL with key);
 * - JIXIAO_NOTICE_ATTEMPTS (default 5) and JIXIAO_NOTICE_BACKOFF_MS (default 2000, doubling).
 */
export interface ChannelsConfig {
  smtpUrl?: string;
  mailFrom: string;
  dingtalk?: { url: string; secret?: string };
  wecomUrl?: string;
  attempts: number;
  backoffMs: number;
  /** Where links in messages point, e.g. https://jixiao.example.gov.cn (JIXIAO_PUBLIC_URL). */
  publicUrl?: string;
}

export function channelsConfigFrom(env: NodeJS.ProcessEnv): ChannelsConfig {
  const int = (name: string, fallback: number) => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} "${v}" is not a positive whole number`);
    return n;
  };
  return {
    ...(env.JIXIAO_SMTP_URL ? { smtpUrl: env.JIXIAO_SMTP_URL } : {}),
    mailFrom: env.JIXIAO_MAIL_FROM || 'Jixiao 绩效 <noreply@jixiao.invalid>',
    ...(env.JIXIAO_DINGTALK_WEBHOOK ? { dingtalk: { url: env.JIXIAO_DINGTALK_WEBHOOK, ...(env.JIXIAO_DINGTALK_SECRET ? { secret: env.JIXIAO_DINGTALK_SECRET } : {}) } } : {}),
    ...(env.JIXIAO_WECOM_WEBHOOK ? { wecomUrl: env.JIXIAO_WECOM_WEBHOOK } : {}),
    attempts: int('JIXIAO_NOTICE_ATTEMPTS', 5),
    backoffMs: int('JIXIAO_NOTICE_BACKOFF_MS', 2000),
    ...(env.JIXIAO_PUBLIC_URL ? { publicUrl: env.JIXIAO_PUBLIC_URL.replace(/\/$/, '') } : {}),
  };
}

/** The channels this deployment can send on. */
export function availableChannels(c: ChannelsConfig): Channel[] {
  return [...(c.smtpUrl ? (['email'] as const) : []), ...(c.dingtalk ? (['dingtalk'] as const) : []), ...(c.wecomUrl ? (['wecom'] as const) : [])];
}

/**
 * DingTalk's signing of a group robot's request (自定义机器人 加签): sign = Base64(HMAC-SHA256 keyed
 * by the secret over "timestamp\nsecret"), both added to the URL's query.
 */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

export function signedDingtalkUrl(url: string, secret: string | undefined, timestamp: number): string {
  if (!secret) return url;
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestamp));
  u.searchParams.set('sign', dingtalkSign(secret, timestamp));
  return u.toString();
}

export interface SendOutcome {
  ok: boolean;
  detail: string;
}

type Notice = NoticeIssued['data'];

function text(n: Notice, names: string[], publicUrl: string | undefined): string {
  const link = n.link ? `\n${publicUrl ?? ''}${n.link}` : '';
  return `${n.body.zh}${names.length ? `\n致：${names.join('、')}` : ''}${link}\n\n${n.body.en}`;
}

/** The robots' JSON answer: HTTP 200 and errcode 0 is accepted; anything else is a failed attempt. */
async function postJson(url: string, body: unknown, timeoutMs = 10_000): Promise<SendOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const answer = (await res.text()).slice(0, 300);
    let errcode: unknown;
    try {
      errcode = (JSON.parse(answer) as { errcode?: unknown }).errcode;
    } catch {
      errcode = undefined;
    }
    return { ok: res.status === 200 && errcode === 0, detail: `HTTP ${res.status} ${answer}` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

/** Sends one delivery of a notice on its channel. Never throws: the outcome is recorded either way. */
export class ChannelSender {
  readonly #mail: Transporter | undefined;

  constructor(readonly config: ChannelsConfig) {
    this.#mail = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : undefined;
  }

  async send(n: Notice, d: Delivery): Promise<SendOutcome> {
    const names = n.recipients.filter((r) => d.recipients.includes(r.userId)).map((r) => r.name);
    switch (d.channel) {
      case 'email': {
        if (!this.#mail) return { ok: false, detail: 'no SMTP server configured (JIXIAO_SMTP_URL)' };
        try {
          const info = await this.#mail.sendMail({
            from: this.config.mailFrom,
            to: d.to,
            subject: `${n.title.zh} / ${n.title.en}`,
            text: text(n, [], this.config.publicUrl),
            headers: { 'X-Jixiao-Notice': n.noticeId, 'X-Jixiao-Delivery': d.deliveryId },
          });
          return { ok: true, detail: `${info.response ?? 'accepted'} (${info.messageId ?? ''})`.slice(0, 300) };
        } catch (err) {
          return { ok: false, detail: (err as Error).message };
        }
      }
      case 'dingtalk': {
        const c = this.config.dingtalk;
        if (!c) return { ok: false, detail: 'no DingTalk robot configured (JIXIAO_DINGTALK_WEBHOOK)' };
        return postJson(signedDingtalkUrl(c.url, c.secret, Date.now()), {
          msgtype: 'markdown',
          markdown: { title: n.title.zh, text: `### ${n.title.zh}\n\n${text(n, names, this.config.publicUrl)}` },
        });
      }
      case 'wecom': {
        if (!this.config.wecomUrl) return { ok: false, detail: 'no WeCom robot configured (JIXIAO_WECOM_WEBHOOK)' };
        return postJson(this.config.wecomUrl, { msgtype: 'markdown', markdown: { content: `### ${n.title.zh}\n${text(n, names, this.config.publicUrl)}` } });
      }
    }
  }

  close(): void {
    this.#mail?.close();
  }
}
