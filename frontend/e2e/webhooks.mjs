// The webhooks page (admins), at 1440×900 and 390×844: subscribe a receiver on this machine
// (the e2e server runs with CRM_WEBHOOKS_ALLOW_PRIVATE=1), see the signing secret once, send a
// test that the receiver refuses (500) and see it in the delivery log, redeliver it and see it
// delivered (200), the receiver checking X-CRM-Signature with the secret each time; on a phone
// the subscriptions and the log are cards, and nothing sticks out or is in English.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { apiFieldKeys, untranslatedIn } from './texts.mjs';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT = 30_000;
const SECRET = /^whsec_[A-Za-z0-9_-]{40,}$/;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** A receiver on a free loopback port: answers the first `failFirst` requests with 500, then
 *  200, and records each request with whether its signature is right for `secret`. */
async function receiver(failFirst) {
  const got = [];
  let secret = '';
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const header = String(req.headers['x-crm-signature'] ?? '');
      const { t = '', v1 = '' } = Object.fromEntries(header.split(',').map((part) => part.split('=', 2)));
      const mac = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
      const signed = v1.length === mac.length && timingSafeEqual(Buffer.from(v1), Buffer.from(mac));
      got.push({ event: JSON.parse(body.toString('utf8')), id: req.headers['x-crm-event-id'], signed });
      res.writeHead(got.length <= failFirst ? 500 : 200).end();
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/crm`,
    got,
    setSecret: (s) => {
      secret = s;
    },
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Elements sticking out to the right of the screen (the page scrolls sideways). */
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    return [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest('.ant-table-content'))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}`);
  });
}

/** Raw keys or English in what the page (and an open modal or drawer) shows. */
async function untranslated(page, keys) {
  return untranslatedIn(await page.evaluate(() => document.body.innerText), keys);
}

export async function webhooksScenario({ browser, base, artifacts, storageState, step, shots, runJob }) {
  const keys = apiFieldKeys();
  const hook = await receiver(1);
  const shot = async (page, name) => {
    // Modals zoom in, drawers slide in, checkboxes tick: a shot when they have finished.
    await page.evaluate(() =>
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a.effect?.getTiming().iterations !== Infinity)
          .map((a) => a.finished.catch(() => undefined)),
      ),
    );
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
    shots.push(`${name}.png`);
  };
  try {
    await step('webhooks at 1440×900: subscribe, the secret once, a test refused then redelivered, signed', async () => {
      const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', storageState });
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT);
      try {
        await page.goto(`${base}/customers`);
        await page.getByRole('menuitem', { name: '网络钩子' }).click();
        await page.waitForURL(`${base}/admin/webhooks`);
        await page.getByRole('heading', { name: '网络钩子（Webhook）' }).waitFor();
        await page.evaluate(() => window.scrollTo(0, 0)); // the menu's click scrolled the page under the header

        await page.getByTestId('new-webhook').click();
        const form = page.getByRole('dialog');
        await form.getByTestId('webhook-url').fill(hook.url);
        await form.getByRole('checkbox', { name: '新建客户' }).check();
        await form.getByRole('checkbox', { name: '工单状态变更' }).check();
        await form.getByRole('checkbox', { name: '新建订单' }).check();
        check((await untranslated(page, keys)).length === 0, `English in the form: ${await untranslated(page, keys)}`);
        await shot(page, 'desktop-admin-webhooks-form');
        await form.getByRole('button', { name: /确\s*定/ }).click();

        const secretBox = page.getByTestId('webhook-secret');
        await secretBox.waitFor();
        const secret = (await secretBox.innerText()).trim();
        check(SECRET.test(secret), `the secret shown is ${secret}`);
        hook.setSecret(secret);
        await page.getByText('签名密钥只显示这一次').waitFor();
        await page
          .getByTestId('signature-help')
          .getByText(/X-CRM-Signature/)
          .waitFor();
        await shot(page, 'desktop-admin-webhooks-secret');
        await page.getByTestId('close-secret').click();
        await secretBox.waitFor({ state: 'detached' });
        check(!(await page.content()).includes(secret), 'the secret is still in the page after closing');

        const row = page.locator('.ant-table-row').filter({ hasText: hook.url });
        await row.getByText('工单状态变更').waitFor();
        await row.getByText('正常').waitFor();
        await row.getByText('尚无投递').waitFor();

        // A test: queued, sent by the job, refused by the receiver; the open log shows it.
        await row.getByTestId('webhook-test').click();
        await page.getByText('测试事件已排队，一分钟内发送，结果见投递记录').waitFor();
        const drawer = page.locator('.ant-drawer');
        await drawer.getByText('投递记录').first().waitFor();
        const delivery = drawer.locator('.ant-table-row').filter({ hasText: '测试事件' });
        await delivery.getByText('待发送').waitFor();
        check((await runJob('webhooks')).ran, 'the webhooks job did not run');
        await delivery.getByText('重试中').waitFor(); // the log asks again while something is pending
        await delivery.getByText('500').waitFor();
        check(hook.got.length === 1 && hook.got[0].event.type === 'ping', `the receiver got ${JSON.stringify(hook.got)}`);
        check(hook.got[0].signed, 'the test was not signed with the secret shown');

        await delivery.getByRole('button', { name: /重新投递/ }).click();
        await page.getByText('已重新排队，一分钟内发送').waitFor();
        check((await runJob('webhooks')).ran, 'the webhooks job did not run again');
        await delivery.getByText('已送达').waitFor();
        await delivery.getByText('200').waitFor();
        await delivery.getByText('2 次').waitFor();
        check(hook.got.length === 2 && hook.got[1].signed, `the redelivery: ${JSON.stringify(hook.got[1])}`);
        check(hook.got[1].id === hook.got[0].id, 'a redelivery carries the same X-CRM-Event-Id');
        check((await untranslated(page, keys)).length === 0, `English in the log: ${await untranslated(page, keys)}`);
        await page.mouse.move(0, 0);
        await page.getByText('已重新排队，一分钟内发送').waitFor({ state: 'detached' });
        await shot(page, 'desktop-admin-webhooks-deliveries');
        await drawer.locator('.ant-drawer-close').click();
        await drawer.waitFor({ state: 'detached' });
        await row.getByTestId('last-delivery').getByText('200').waitFor();
        check((await untranslated(page, keys)).length === 0, `English in the list: ${await untranslated(page, keys)}`);
        await shot(page, 'desktop-admin-webhooks');
      } catch (error) {
        await page.screenshot({ path: join(artifacts, 'failure-webhooks-desktop.png') }).catch(() => undefined);
        throw error;
      } finally {
        await context.close();
      }
    });

    await step('webhooks at 390×844: cards, the form and the delivery log fit, all in Chinese', async () => {
      const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', storageState });
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT);
      try {
        await page.goto(`${base}/admin/webhooks`);
        const cards = page.getByTestId('webhook-cards');
        const card = cards.locator('.ant-list-item').filter({ hasText: hook.url });
        await card.getByTestId('last-delivery').getByText('200').waitFor();
        check((await overflow(page)).length === 0, `the list overflows: ${await overflow(page)}`);
        check((await untranslated(page, keys)).length === 0, `English in the list: ${await untranslated(page, keys)}`);
        await shot(page, 'phone-admin-webhooks');

        await page.getByTestId('new-webhook').click();
        const form = page.getByRole('dialog');
        await form.getByRole('checkbox', { name: '新建客户' }).waitFor();
        await form.getByRole('button', { name: /取\s*消/ }).click({ trial: true }); // zoomed in
        check((await overflow(page)).length === 0, `the form overflows: ${await overflow(page)}`);
        await shot(page, 'phone-admin-webhooks-form');
        await form.getByRole('button', { name: /取\s*消/ }).click();
        await form.waitFor({ state: 'detached' });

        await card.getByTestId('webhook-deliveries').click();
        const log = page.getByTestId('delivery-cards');
        await log.locator('.ant-list-item[data-state="delivered"]').filter({ hasText: '测试事件' }).waitFor();
        await page.locator('.ant-drawer-close').click({ trial: true }); // slid in
        check((await overflow(page)).length === 0, `the log overflows: ${await overflow(page)}`);
        check((await untranslated(page, keys)).length === 0, `English in the log: ${await untranslated(page, keys)}`);
        await shot(page, 'phone-admin-webhooks-deliveries');
      } catch (error) {
        await page.screenshot({ path: join(artifacts, 'failure-webhooks-phone.png') }).catch(() => undefined);
        throw error;
      } finally {
        await context.close();
      }
    });
  } finally {
    await hook.close();
  }
}
