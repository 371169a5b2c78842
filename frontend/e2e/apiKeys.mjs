// The API keys page (admins), at 1440×900 and 390×844: create a key in the form, see its secret
// once (copied to the clipboard, gone when the modal closes), call the API with it, revoke it
// after confirming and see the API refuse it; on a phone the keys are cards, and a rotation shows
// the new secret and until when the old one works.
import { join } from 'node:path';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT = 30_000;
const SECRET = /^crm_live_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{20,}$/;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function signIn(base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', body: new URLSearchParams({ username, password }) });
  check(res.ok, `login ${username}: ${res.status}`);
  return (await res.json()).access_token;
}

async function call(base, token, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  check(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** The status of a request to the API made with an API key, as another system would. */
async function withKey(base, secret) {
  return (await fetch(`${base}/api/v1/customers?limit=1`, { headers: { 'X-API-Key': secret } })).status;
}

/** Elements sticking out to the right of the screen (the page scrolls sideways). */
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    return [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}`);
  });
}

/** Text that does not fit its box (cut off), among the page's and the modal's labels. */
async function clipped(page) {
  return page.evaluate(() =>
    [
      ...document.querySelectorAll(
        '.ant-table-cell, .ant-list-item *, .ant-modal *, .ant-tag, .ant-btn > span, .ant-form-item-label > label',
      ),
    ]
      .filter(
        (el) =>
          el.children.length === 0 &&
          el.scrollWidth > el.clientWidth + 1 &&
          getComputedStyle(el).overflow !== 'visible' &&
          getComputedStyle(el).textOverflow !== 'ellipsis',
      )
      .map((el) => el.textContent)
      .slice(0, 5),
  );
}

export async function apiKeysScenario({ browser, base, artifacts, password, storageState, step, shots }) {
  const admin = await signIn(base, 'admin', password);
  const users = await call(base, admin, 'GET', '/users');
  const lina = users.find((u) => u.username === 'lina');
  // A second key made by another system's admin, so the list has an active key beside the revoked one.
  await call(base, admin, 'POST', '/api-keys', {
    name: '呼叫中心工单同步',
    scopes: ['customers:read', 'tickets:read', 'tickets:write'],
    owner_id: lina.id,
    allowed_ips: ['10.20.0.0/16', '203.0.113.7', '2001:db8::/48'],
    rate_limit_per_minute: 120,
    expires_at: new Date(Date.now() + 365 * 86_400_000).toISOString(),
  });
  const shot = async (page, name) => {
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
    shots.push(`${name}.png`);
  };

  await step('API keys at 1440×900: create one, its secret shown once and working, revoke it', async () => {
    const context = await browser.newContext({
      viewport: DESKTOP,
      locale: 'zh-CN',
      storageState,
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    try {
      await page.goto(`${base}/customers`);
      await page.getByRole('menuitem', { name: 'API 密钥' }).click();
      await page.waitForURL(`${base}/admin/api-keys`);
      await page.getByRole('heading', { name: 'API 密钥' }).waitFor();
      await page.locator('.ant-table-row').filter({ hasText: '呼叫中心工单同步' }).waitFor();

      await page.getByTestId('new-api-key').click();
      const form = page.getByRole('dialog');
      await form.getByTestId('api-key-name').fill('ERP 客户同步');
      await form.getByRole('checkbox', { name: '读取客户' }).check();
      await form.getByRole('checkbox', { name: '写入客户' }).check();
      await form.getByRole('combobox', { name: '来源 IP' }).fill('10.0.0.300');
      await page.keyboard.press('Enter');
      await form.getByRole('button', { name: /确\s*定/ }).click();
      await form.getByText('10.0.0.300：不是有效的 IP 地址或网段').waitFor(); // refused before any request
      check((await clipped(page)).length === 0, `cut-off text in the form: ${await clipped(page)}`);
      await shot(page, 'desktop-admin-api-keys-form');
      await form.locator('.ant-select-selection-item-remove').click();
      await form.getByRole('combobox', { name: '来源 IP' }).fill('127.0.0.1');
      await page.keyboard.press('Enter');
      await form.getByRole('button', { name: /确\s*定/ }).click();

      const secretBox = page.getByTestId('api-key-secret');
      await secretBox.waitFor();
      const secret = (await secretBox.innerText()).trim();
      check(SECRET.test(secret), `the secret shown is ${secret}`);
      await page.getByText('完整密钥只显示这一次').waitFor();
      await page.getByText(/请求头 X-API-Key/).waitFor();
      await page.getByTestId('copy-secret').click();
      await page.getByText('已复制到剪贴板').waitFor();
      check((await page.evaluate(() => navigator.clipboard.readText())) === secret, 'the clipboard does not hold the secret');
      check((await clipped(page)).length === 0, `cut-off text in the secret modal: ${await clipped(page)}`);
      await shot(page, 'desktop-admin-api-keys-secret');
      check((await withKey(base, secret)) === 200, 'the new key is refused by the API');

      await page.getByTestId('close-secret').click();
      await secretBox.waitFor({ state: 'detached' });
      check(!(await page.content()).includes(secret), 'the secret is still in the page after closing');
      const row = page.locator('.ant-table-row').filter({ hasText: 'ERP 客户同步' });
      await row.getByText(secret.slice(0, 21)).waitFor(); // its prefix
      await row.getByText('写入客户').waitFor();

      await row.getByRole('button', { name: /吊\s*销/ }).click();
      const confirm = page.locator('.ant-popconfirm');
      await confirm.getByText('吊销密钥「ERP 客户同步」？').waitFor();
      await confirm.getByRole('button', { name: /吊\s*销/ }).click();
      await page.getByText('密钥已吊销').waitFor();
      await row.getByText('已吊销').waitFor();
      check((await row.getAttribute('data-status')) === 'revoked', 'the revoked row is not marked');
      check((await withKey(base, secret)) === 401, 'the revoked key still works');
      await page.mouse.move(0, 0);
      await page.getByText('密钥已吊销').waitFor({ state: 'detached' });
      await page.evaluate(() => window.scrollTo(0, 0)); // clicks in the table scrolled the page under the header
      check((await clipped(page)).length === 0, `cut-off text in the list: ${await clipped(page)}`);
      await shot(page, 'desktop-admin-api-keys');
    } catch (error) {
      await page.screenshot({ path: join(artifacts, 'failure-api-keys-desktop.png') }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  });

  await step('API keys at 390×844: cards, a rotation’s secret in a modal that fits, no overflow', async () => {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', storageState });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    try {
      await page.goto(`${base}/admin/api-keys`);
      const cards = page.getByTestId('api-key-cards');
      await cards.waitFor();
      await page.getByTestId('new-api-key').click();
      await page.getByRole('dialog').getByRole('checkbox', { name: '读取客户' }).waitFor();
      await page
        .getByRole('dialog')
        .getByRole('button', { name: /取\s*消/ })
        .click({ trial: true }); // zoomed in
      check((await overflow(page)).length === 0, `the form overflows: ${await overflow(page)}`);
      check((await clipped(page)).length === 0, `cut-off text in the form: ${await clipped(page)}`);
      await shot(page, 'phone-admin-api-keys-form');
      await page
        .getByRole('dialog')
        .getByRole('button', { name: /取\s*消/ })
        .click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      const card = cards.locator('.ant-list-item').filter({ hasText: '呼叫中心工单同步' });
      await card.getByRole('button', { name: /轮\s*换/ }).click();
      const form = page.getByRole('dialog');
      await form.getByText(/旧密钥在宽限期内仍可使用/).waitFor();
      await form.getByRole('button', { name: /确\s*定/ }).click();
      const secret = (await page.getByTestId('api-key-secret').innerText()).trim();
      check(SECRET.test(secret), `the rotated secret shown is ${secret}`);
      await page.getByText(/旧密钥在 .* 前仍然有效/).waitFor();
      await page.getByTestId('close-secret').click({ trial: true }); // the modal has finished zooming in
      check((await overflow(page)).length === 0, `the secret modal overflows: ${await overflow(page)}`);
      check((await clipped(page)).length === 0, `cut-off text in the secret modal: ${await clipped(page)}`);
      await shot(page, 'phone-admin-api-keys-secret');
      await page.getByTestId('close-secret').click();
      await page.getByTestId('api-key-secret').waitFor({ state: 'detached' });
      await card.getByText(/旧密钥有效至/).waitFor();
      await cards.locator('.ant-list-item[data-status="revoked"]').filter({ hasText: 'ERP 客户同步' }).waitFor();
      check((await overflow(page)).length === 0, `the list overflows: ${await overflow(page)}`);
      await page.mouse.move(0, 0);
      await page.getByText('已保存').waitFor({ state: 'detached' });
      await shot(page, 'phone-admin-api-keys');
    } catch (error) {
      await page.screenshot({ path: join(artifacts, 'failure-api-keys-phone.png') }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  });
}
