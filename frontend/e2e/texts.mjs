// What a Chinese reader must not be shown: the API's raw field keys and English. One classifier
// for the pages' text (webapp-tour.mjs) and for the messages that come and go (toasts, field
// errors, alerts), which a page scan would miss; those are recorded as they appear in every
// browser context of the run.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Every snake_case property name of the API's schemas: a person must never read one. */
export function apiFieldKeys() {
  const doc = JSON.parse(readFileSync(resolve(here, '../../openapi/openapi.json'), 'utf8'));
  const keys = new Set();
  for (const schema of Object.values(doc.components.schemas)) {
    for (const name of Object.keys(schema.properties ?? {})) if (name.includes('_')) keys.add(name);
  }
  return keys;
}

// Latin that belongs in the zh-CN interface: product terms and file formats, the language
// switch's "English", and the demo data's own Latin (jobs/seed_demo.py: user names, department
// keys, the custom fields' English labels, which the admin's table shows beside the Chinese).
// Anything else in Latin letters is a text nobody translated: fix it in src/i18n, not here.
const TERMS = new Set([
  ...['API', 'CRM', 'Excel', 'PDF', 'SLA', 'RFM', 'WeChat', 'ID', 'CSV', 'XLSX', 'DOCX', 'PNG', 'JPEG', 'MB', 'KB', 'ERP'],
  'English',
  ...['admin', 'supervisor', 'zhangwei', 'lina', 'agent', 'readonly', 'tech', 'sales', 'after_sales'],
]);
const DEMO_LABELS = ['Current ERP', 'Annual budget (10k CNY)', 'Contract type'];
// Values, not words: e-mail addresses, URLs, IANA zones (Asia/Shanghai), the server's commands
// (crm restore).
const VALUES = [
  /\bcrm [a-z][a-z-]+\b/g,
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g,
  /\bhttps?:\/\/\S+/g,
  /\b[A-Z][a-z]+\/[A-Z][A-Za-z_]+\b/g,
  new RegExp(`(?<!\\w)(?:${DEMO_LABELS.map((label) => label.replace(/[()]/g, '\\$&')).join('|')})(?!\\w)`, 'g'),
];
const WORD = String.raw`[A-Za-z]+(?:['’][A-Za-z]+)*`;
// Two or more English words in a row ("Not found", "must be positive", "Customer is not in
// the pool"); a word touching a digit or an underscore is a code (T20261201, P1, erp_system).
const RUN = new RegExp(String.raw`(?<![\w@./])${WORD}(?:[ ,;:'’-]+${WORD})+(?![\w@])`, 'g');
// A word of two letters or more standing alone.
const LONE = /(?<![\w@./])[A-Za-z]{2,}(?![\w@])/;

function withoutAllowed(line) {
  let out = line;
  for (const pattern of VALUES) out = out.replace(pattern, ' | ');
  return out.replace(/(?<![\w@./-])[A-Za-z_]+(?![\w@-])/g, (word) => (TERMS.has(word) ? ' | ' : word));
}

/**
 * What in `text` a zh-CN reader should not see: raw API keys, runs of two or more English words,
 * and lines (or table cells) in ASCII only whose letters are not an allowed term. Each finding
 * is a short description quoting the offending text.
 */
export function untranslatedIn(text, keys) {
  const found = new Set();
  for (const key of text.match(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g) ?? []) if (keys.has(key)) found.add(`raw key "${key}"`);
  for (const raw of text.split(/[\n\t]+/)) {
    const line = raw.trim();
    if (!/[A-Za-z]/.test(line)) continue;
    const rest = withoutAllowed(line);
    const runs = (rest.match(RUN) ?? []).filter((run) => run.split(/[ ,;:'’-]+/).some((w) => w.length > 1));
    for (const run of runs) found.add(`English "${run}"`);
    if (!runs.length && /^[\x20-\x7e]+$/.test(line) && LONE.test(rest)) found.add(`English "${line}"`);
  }
  return [...found];
}

/**
 * The classifier on sample strings, so that a change to it that lets English through fails the
 * run at once rather than silently passing every page.
 */
export function checkClassifier(keys) {
  const caught = [
    ['Not found', 'English "Not found"'],
    ['Invalid cursor', 'English "Invalid cursor"'],
    ['操作失败：must be positive', 'English "must be positive"'],
    ['Customer 12 is not in the public pool (someone claimed it, or it is archived).', 'English "is not in the public pool"'],
    ['Failed', 'English "Failed"'],
    ['Not a field of an organization customer', 'English "Not a field of an organization customer"'],
    ['Contract types are listed', 'English "Contract types are listed"'], // an allowed label inside English
    ['budget_max：取值无效', 'raw key "budget_max"'],
  ];
  const passed = [
    '已为 2 个客户添加标签',
    '导出 Excel 文件（PDF 同步生成）',
    'API 密钥',
    'linxh@example.com',
    'C202612010001',
    'T202612010001: 设备频繁死机',
    'P1',
    'SLA 4h',
    'zhangwei',
    'erp_system',
    'Asia/Shanghai',
    '恢复请在服务器上运行 crm restore 备份文件。',
    '¥8,000.00',
    'A',
  ];
  const wrong = [];
  for (const [text, expected] of caught) {
    const found = untranslatedIn(text, keys);
    if (!found.includes(expected)) wrong.push(`"${text}" not caught as ${expected} (got ${found.join(', ') || 'nothing'})`);
  }
  for (const text of passed) {
    const found = untranslatedIn(text, keys);
    if (found.length) wrong.push(`"${text}" flagged: ${found.join(', ')}`);
  }
  if (wrong.length) throw new Error(`the untranslated-text classifier is off:\n  ${wrong.join('\n  ')}`);
}

// Runs in every page before the app: reports each message, notification, field error and
// alert when it appears or its text changes, with the page's path and language at that moment.
function recorder(selector) {
  const last = new WeakMap();
  const report = (el) => {
    const text = (el.innerText || el.textContent || '').trim();
    if (!text || last.get(el) === text) return;
    last.set(el, text);
    const lang = document.documentElement.lang || localStorage.getItem('crm.language') || navigator.language;
    void window.__crmShown?.({
      text,
      kind: selector.split(', ').find((s) => el.matches(s)),
      path: location.pathname + location.search,
      lang,
    });
  };
  const look = (node) => {
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    if (!el) return;
    const own = el.closest(selector);
    if (own) report(own);
    if (node === el) el.querySelectorAll(selector).forEach(report);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') look(r.target);
      else {
        const own = r.target.nodeType === Node.ELEMENT_NODE ? r.target.closest(selector) : null;
        if (own) report(own);
        r.addedNodes.forEach(look);
      }
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

const TRANSIENT = '.ant-message-notice, .ant-notification-notice, .ant-form-item-explain-error, .ant-alert';

/**
 * A browser whose every new context records the transient texts its pages show. `shown` holds
 * them all ({ text, kind, path, lang }); `take()` returns the zh-CN ones with a finding that
 * were not taken before, as "path: finding in kind «text»" lines. `probe(page, text)` puts
 * `text` on the page as a message and returns take() once it was recorded.
 */
export function watchTransientTexts(browser, keys) {
  const shown = [];
  let taken = 0;
  let onShown = () => undefined;
  const newContext = async (options) => {
    const context = await browser.newContext(options);
    await context.exposeBinding('__crmShown', (_source, entry) => {
      shown.push(entry);
      onShown(entry);
    });
    await context.addInitScript(recorder, TRANSIENT);
    return context;
  };
  const watched = new Proxy(browser, {
    get(target, prop) {
      if (prop === 'newContext') return newContext;
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const take = () => {
    const fresh = shown.slice(taken);
    taken = shown.length;
    return fresh
      .filter((entry) => entry.lang.startsWith('zh'))
      .flatMap((entry) => {
        const found = untranslatedIn(entry.text, keys);
        // A message, a notification or a field error is one sentence: in ASCII only, it is English.
        // eslint-disable-next-line no-control-regex
        if (!found.length && /[A-Za-z]/.test(entry.text) && /^[\x00-\x7f]+$/.test(entry.text)) found.push(`ASCII-only "${entry.text}"`);
        return found.map((f) => `${entry.path}: ${f} in ${entry.kind} «${entry.text}»`);
      });
  };
  const probe = async (page, text) => {
    let timer;
    const recorded = new Promise((resolve, reject) => {
      onShown = (entry) => entry.text === text && resolve();
      timer = setTimeout(() => reject(new Error(`a message put on ${page.url()} was not recorded`)), 10_000);
    });
    try {
      await page.evaluate((t) => {
        const el = Object.assign(document.createElement('div'), { className: 'ant-message-notice', textContent: t });
        el.dataset.e2eProbe = '';
        document.body.append(el);
      }, text);
      await recorded;
    } finally {
      clearTimeout(timer);
      onShown = () => undefined;
      await page.evaluate(() => document.querySelector('[data-e2e-probe]')?.remove());
    }
    return take();
  };
  return { browser: watched, shown, take, probe };
}
