// The browser script, step by step. Every wait is for something to appear on the page
// (Playwright's auto-waiting), never for time to pass.
import { join } from 'node:path';
import { importScenario } from './imports.mjs';
import { analyticsScenario } from './analytics.mjs';
import { apiKeysScenario } from './apiKeys.mjs';
import { backups } from './backups.mjs';
import { filtersScenario } from './filters.mjs';
import { searchScenario } from './search.mjs';
import { webhooksScenario } from './webhooks.mjs';
import { pick } from './select.mjs';
import { apiFieldKeys, checkClassifier, watchTransientTexts } from './texts.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
// Generous: CI machines are shared, and a slow answer is not a failure of what is tested here.
const TIMEOUT = 30_000;
const VALID_CREDIT_CODE = '91350100M000100Y43';
const BAD_CREDIT_CODE = '91350100M000100Y44'; // check digit off by one

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Tick an antd checkbox and wait until the page shows it ticked. Playwright's check() fails at
 * once when a busy page has not re-rendered yet; a click that was swallowed (a dialog still
 * opening) is clicked again.
 */
async function tick(box) {
  const ticked = box.and(box.page().locator(':checked, .ant-checkbox-wrapper-checked, .ant-checkbox-checked'));
  for (let attempt = 1; ; attempt += 1) {
    await box.click();
    try {
      await ticked.waitFor({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** What the page says right now (messages, alerts, field errors): context for a failed step. */
async function pageMessages(page) {
  const texts = await page
    .locator('.ant-message-notice, .ant-alert, .ant-form-item-explain-error')
    .allInnerTexts()
    .catch(() => []);
  return (
    texts
      .map((text) => text.trim())
      .filter(Boolean)
      .join(' | ') || 'none'
  );
}

async function login(page, base, username, password, path = '/') {
  await page.goto(`${base}${path}`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Client-side navigation (as a click on a link would), so a screenshot tour reloads nothing. */
async function visit(page, base, path) {
  if (!page.url().startsWith(base) || new URL(page.url()).pathname === '/login') {
    await page.goto(`${base}${path}`);
    return;
  }
  await page.evaluate((to) => {
    window.history.pushState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  await page.waitForURL(`${base}${path}`);
}

// A 1×1 PNG: attachments are recognised by their bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

async function api(base, token, path) {
  const res = await fetch(`${base}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  check(res.ok, `GET ${path}: ${res.status}`);
  return res.json();
}

async function token(base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
  });
  check(res.ok, `login ${username}: ${res.status}`);
  return (await res.json()).access_token;
}

export async function scenario({ browser: plainBrowser, base, artifacts, password, runJob }) {
  const keys = apiFieldKeys();
  checkClassifier(keys);
  // Every context of the run records the messages, field errors and alerts its pages show.
  const transient = watchTransientTexts(plainBrowser, keys);
  const browser = transient.browser;
  const untranslatedShown = (during) => {
    const bad = transient.take();
    check(bad.length === 0, `shown to a zh-CN reader ${during}:\n  ${bad.join('\n  ')}`);
  };
  let current = 'start';
  const step = async (name, fn) => {
    current = name;
    const t0 = Date.now();
    await fn();
    untranslatedShown('in this step');
    console.log(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };
  const shots = [];
  const shot = async (page, name) => {
    const file = `${name}.png`;
    await page.screenshot({ path: join(artifacts, file), fullPage: false });
    shots.push(file);
  };

  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  let customerUrl = '';
  let ticketUrl = '';

  try {
    await step('log in as admin, back to the page asked for', async () => {
      await page.goto(`${base}/customers`);
      await page.waitForURL(/\/login\?next=%2Fcustomers/);
      await shot(page, 'desktop-login');
      await page.getByLabel('用户名').fill('admin');
      await page.getByLabel('密码').fill(password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(`${base}/customers`);
      await page.getByRole('link', { name: '上海云帆科技有限公司' }).waitFor();
    });

    await step('a message in English would be caught: one put on the page is recorded and refused', async () => {
      const caught = await transient.probe(page, 'Customer 12 is not in the public pool.');
      check(
        caught.length === 1 &&
          caught[0] === '/customers: English "is not in the public pool" in .ant-message-notice «Customer 12 is not in the public pool.»',
        `the probe: ${caught.join('; ') || 'not caught'}`,
      );
    });

    await step('customer list filters live in the URL', async () => {
      await pick(page, page.locator('.ant-select').filter({ hasText: '生命周期阶段' }), '成交');
      await page.waitForURL(/stage=customer/);
      await page.getByRole('link', { name: '上海云帆科技有限公司' }).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: '张三' }).waitFor();
      await page.reload();
      await page.getByRole('link', { name: '张三' }).waitFor();
      await page.getByTestId('filter-chip').filter({ hasText: '生命周期阶段：成交' }).waitFor();
      await page.getByTestId('clear-filters').click();
      await page.waitForURL(`${base}/customers`);
    });

    await step('column chooser (remembered) and bulk tag assignment', async () => {
      await page.getByTestId('column-chooser').click();
      await page.getByRole('checkbox', { name: '客户编号' }).uncheck();
      await page.getByRole('columnheader', { name: '客户编号' }).waitFor({ state: 'detached' });
      await page.reload();
      await page.getByRole('link', { name: '上海云帆科技有限公司' }).waitFor();
      check((await page.getByRole('columnheader', { name: '客户编号' }).count()) === 0, 'the column choice was forgotten');
      await page.getByTestId('column-chooser').click();
      await page.getByRole('checkbox', { name: '客户编号' }).check();
      await page.getByRole('columnheader', { name: '客户编号' }).waitFor();
      await page.keyboard.press('Escape');
      for (const name of ['张三', '李梅']) {
        await page
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name, exact: true }) })
          .getByRole('checkbox')
          .check();
      }
      await page.getByTestId('bulk-tags').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('已选 2 个客户').waitFor();
      await pick(page, dialog.locator('.ant-select'), '价值-高');
      await dialog.locator('.ant-select').getByText('价值-高').waitFor();
      await dialog.getByText('已选 2 个客户').click(); // closes the tag dropdown, which covers the buttons
      await dialog.getByRole('button', { name: '确定' }).click();
      await page.getByText('已为 2 个客户添加标签').waitFor();
      for (const name of ['张三', '李梅']) {
        await page
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name, exact: true }) })
          .getByText('价值-高')
          .waitFor();
      }
    });

    await step('an invalid credit code is refused in Chinese before any request', async () => {
      await page.getByTestId('new-organization').click();
      await page.waitForURL(/\/customers\/new\?kind=organization/);
      const posts = [];
      const onRequest = (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/customers') posts.push(r);
      };
      page.on('request', onRequest);
      await page.getByRole('textbox', { name: '名称' }).fill('闽江测试科技有限公司');
      await page.getByRole('textbox', { name: '统一社会信用代码' }).fill(BAD_CREDIT_CODE);
      await page.getByTestId('save-customer').click();
      const error = page.locator('.ant-form-item-explain-error').filter({ hasText: '统一社会信用代码校验位不正确' });
      await error.waitFor();
      page.off('request', onRequest);
      if (posts.length) throw new Error('the form sent a credit code it could have refused');
      await error.scrollIntoViewIfNeeded();
      await shot(page, 'desktop-customer-form-error');
    });

    await step('the corrected code creates the customer', async () => {
      await page.getByRole('textbox', { name: '统一社会信用代码' }).fill(VALID_CREDIT_CODE);
      await page.getByTestId('save-customer').click();
      await page.waitForURL(/\/customers\/\d+$/);
      customerUrl = page.url();
      await page.getByTestId('customer-name').filter({ hasText: '闽江测试科技有限公司' }).waitFor();
      await page.getByTestId('warning-fewer-than-two-contact-methods').waitFor();
    });

    await step('add a contact', async () => {
      await page.getByRole('tab', { name: '联系人' }).click();
      await page.getByTestId('add-contact').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('姓名').fill('林小华');
      await dialog.getByLabel('手机').fill('13800138123');
      await dialog.getByLabel('邮箱').fill('linxh@example.com');
      await dialog.getByRole('button', { name: '保存' }).click();
      await page.getByRole('cell', { name: '+8613800138123' }).waitFor();
      await shot(page, 'desktop-customer-contacts');
    });

    await step('add a tag', async () => {
      await page.getByTestId('add-tag').click();
      await pick(page, page.getByTestId('tag-picker'), '区域-华东', { type: '华东' });
      await page.getByTestId('tag-add-confirm').click();
      await page.getByTestId('customer-tags').getByText('区域-华东').waitFor();
    });

    await step('record a follow-up (an empty summary is refused) and see it on the timeline', async () => {
      await page.getByRole('tab', { name: '跟进记录' }).click();
      await page.getByTestId('add-follow-up').click();
      const form = page.getByTestId('follow-up-form');
      await pick(page, page.getByTestId('follow-up-method'), '拜访');
      await form.getByTestId('save-follow-up').click();
      await form.locator('.ant-form-item').filter({ hasText: '跟进内容' }).getByText('必填').waitFor();
      await form.getByRole('textbox', { name: '跟进内容' }).fill('上门拜访，演示新版设备');
      await form.getByRole('textbox', { name: '客户反馈' }).fill('有兴趣，要报价');
      await form.getByRole('textbox', { name: '下一步行动' }).fill('发送报价单');
      await form.getByRole('checkbox').check();
      await form.getByTestId('save-follow-up').click();
      const entry = page.getByTestId('follow-up-timeline').getByTestId('follow-up').filter({ hasText: '上门拜访，演示新版设备' });
      await entry.waitFor();
      await entry.getByText('有效跟进', { exact: true }).waitFor();
      await entry.getByText('拜访', { exact: true }).waitFor();
      await shot(page, 'desktop-customer-follow-up-recorded');
    });

    await step('create a complaint ticket for the customer', async () => {
      await page.getByRole('tab', { name: '工单' }).click();
      await page.getByTestId('new-ticket').click();
      await page.waitForURL(/\/tickets\/new\?customer_id=\d+/);
      await page.getByTestId('customer-picker').getByText('闽江测试科技有限公司').waitFor();
      await pick(page, page.getByTestId('ticket-type'), '投诉');
      await page.getByRole('textbox', { name: '根本原因' }).waitFor(); // complaint fields: the type took
      await page.getByRole('textbox', { name: '标题' }).fill('设备频繁死机');
      await page.getByRole('textbox', { name: '问题描述' }).fill('客户反映设备每天死机两三次。');
      await page.getByTestId('save-ticket').click();
      await page.waitForURL(/\/tickets\/\d+$/);
      ticketUrl = page.url();
      await page.getByTestId('ticket-status').filter({ hasText: '已分派' }).waitFor();
      await page.getByTestId('sla-first_response').waitFor();
    });

    const move = async (to, label) => {
      await page.getByTestId(`transition-${to}`).click();
      await page.getByRole('dialog').getByRole('textbox', { name: '说明（选填）' }).waitFor();
      await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
      await page.getByTestId('ticket-status').filter({ hasText: label }).waitFor();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    };

    await step('move the ticket through its states', async () => {
      await move('in_progress', '处理中');
      await move('waiting_customer', '等待客户');
      await page.getByTestId('sla-resolution').and(page.locator('[data-state="paused"]')).waitFor();
      await move('in_progress', '处理中');
      await page.getByTestId('comment-body').fill('已远程排查，更换主板。');
      await page.getByTestId('submit-comment').click();
      await page.getByTestId('timeline-comment').filter({ hasText: '已远程排查' }).waitFor();
      await page.locator('input[type=file]').setInputFiles({ name: '故障截图.png', mimeType: 'image/png', buffer: PNG });
      await page.getByTestId('timeline-attachment').filter({ hasText: '故障截图.png' }).waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载' }).click()]);
      check(download.suggestedFilename() === '故障截图.png', `downloaded ${download.suggestedFilename()}`);
      await move('resolved', '已解决');
      await shot(page, 'desktop-ticket-resolved');
    });

    await step('close it with a satisfaction score', async () => {
      check((await page.getByTestId('transition-assigned').count()) === 0, 'an illegal transition is offered');
      await page.getByTestId('transition-closed').click();
      const dialog = page.getByRole('dialog');
      await tick(dialog.getByTestId('customer-accepted'));
      for (const name of ['response_speed', 'resolution', 'attitude', 'overall']) {
        await dialog.getByTestId(`rate-${name}`).locator('li').nth(4).click();
      }
      await dialog.getByRole('button', { name: '保存' }).click();
      await page.getByTestId('ticket-status').filter({ hasText: '已关闭' }).waitFor();
      await page.getByTestId('satisfaction').filter({ hasText: '总体 5' }).waitFor();
      await page.getByTestId('timeline-transition').filter({ hasText: '已解决 → 已关闭' }).waitFor();
      await shot(page, 'desktop-ticket-closed');
    });

    await step('the customer history shows it, before → after', async () => {
      await page.goto(`${customerUrl}?tab=history`);
      const history = page.getByTestId('history');
      await history.getByText('状态变更').first().waitFor();
      await history.getByText('已解决 → 已关闭').waitFor();
      await history.getByText(`统一社会信用代码：${VALID_CREDIT_CODE}`).waitFor();
      await history.getByText('打标签').waitFor();
      await history
        .getByText(/^跟进内容：/)
        .first()
        .waitFor();
      await shot(page, 'desktop-customer-history');
    });

    await step('switch to English: the same page in English', async () => {
      await page.getByTestId('language-switch').click();
      await page.getByRole('tab', { name: 'History' }).waitFor();
      await page.getByText('Status change').first().waitFor();
      check((await page.getByText('变更历史').count()) === 0, 'Chinese left on the English page');
      await shot(page, 'desktop-customer-history-en');
      await page.goto(ticketUrl);
      await page.getByTestId('ticket-status').filter({ hasText: 'Closed' }).waitFor();
      await shot(page, 'desktop-ticket-detail-en');
      await page.getByTestId('language-switch').click();
      await page.getByTestId('ticket-status').filter({ hasText: '已关闭' }).waitFor();
    });

    await step('an expired access token is refreshed; a dead session returns to login and back', async () => {
      // A token the server refuses (its signature broken) stands for an expired one.
      const forge = (refresh) => {
        const session = JSON.parse(localStorage.getItem('crm.session'));
        const access = `${session.access.slice(0, session.access.lastIndexOf('.'))}.forged`;
        localStorage.setItem('crm.session', JSON.stringify({ access, refresh: refresh ?? session.refresh }));
      };
      await page.evaluate(forge);
      await page.goto(`${base}/tickets`);
      await page.getByRole('link', { name: /^T\d+/ }).first().waitFor();
      check(page.url() === `${base}/tickets`, 'refresh did not keep the user on the page');
      await page.evaluate(forge, 'revoked');
      await page.goto(`${base}/tickets/board`);
      await page.waitForURL(/\/login\?next=%2Ftickets%2Fboard/);
      await page.getByLabel('用户名').fill('admin');
      await page.getByLabel('密码').fill(password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(`${base}/tickets/board`);
      await page.getByTestId('ticket-board').waitFor();
    });

    const screens = [
      ['customers', '/customers', (p) => p.getByRole('link', { name: '上海云帆科技有限公司' })],
      ['customer-detail', customerUrl.slice(base.length), (p) => p.getByTestId('customer-name')],
      ['customer-follow-ups', `${customerUrl.slice(base.length)}?tab=follow-ups`, (p) => p.getByTestId('follow-up').first()],
      ['follow-ups-due', '/follow-ups/due', (p) => p.getByRole('heading', { name: '我的待跟进' })],
      ['customer-orders', `${customerUrl.slice(base.length)}?tab=orders`, (p) => p.getByTestId('add-order')],
      ['customer-opportunities', `${customerUrl.slice(base.length)}?tab=opportunities`, (p) => p.getByTestId('add-opportunity')],
      ['opportunity-board', '/opportunities/board', (p) => p.getByTestId('column-lost')],
      ['tickets', '/tickets', (p) => p.getByRole('link', { name: /^T\d+/ }).first()],
      ['ticket-board', '/tickets/board', (p) => p.getByTestId('ticket-board')],
      ['ticket-detail', ticketUrl.slice(base.length), (p) => p.getByTestId('timeline')],
      ['notifications', '/notifications', (p) => p.getByTestId('inbox')],
      ['admin-users', '/admin/users', (p) => p.getByRole('cell', { name: 'zhangwei' })],
      ['admin-departments', '/admin/departments', (p) => p.getByRole('cell', { name: 'after_sales' })],
      ['admin-sla', '/admin/sla', (p) => p.getByRole('cell', { name: 'P1' }).first()],
      ['admin-cadence', '/admin/cadence', (p) => p.getByRole('spinbutton', { name: '每' }).first()],
      ['admin-custom-fields', '/admin/custom-fields', (p) => p.getByRole('cell', { name: 'erp_system' })],
      ['admin-change-requests', '/admin/change-requests', (p) => p.getByRole('heading', { name: '变更审批' })],
      ['admin-tags', '/admin/tags', (p) => p.getByText('区域-华东').first()],
    ];
    const photograph = async (p, prefix) => {
      for (const [name, path, ready] of screens) {
        await visit(p, base, path);
        await ready(p).waitFor();
        await shot(p, `${prefix}-${name}`);
      }
    };

    await step('screenshots of the main screens at 1280×800', () => photograph(page, 'desktop'));

    await step('the main screens at 390×844, and the menu in its drawer', async () => {
      const phone = await browser.newContext({
        viewport: PHONE,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
        storageState: await context.storageState(),
      });
      const mobile = await phone.newPage();
      mobile.setDefaultTimeout(TIMEOUT);
      await mobile.goto(`${base}/customers`);
      await photograph(mobile, 'phone');
      await mobile.getByRole('button', { name: '打开菜单' }).click();
      await mobile.getByRole('menuitem', { name: '工单看板' }).click();
      await mobile.waitForURL(`${base}/tickets/board`);
      await mobile.getByTestId('ticket-board').waitFor();
      await phone.close();
    });

    await step('the assignee follows the bell to the ticket, sees ID numbers withheld, signs out', async () => {
      const agent = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
      const apage = await agent.newPage();
      apage.setDefaultTimeout(TIMEOUT);
      await login(apage, base, 'agent', password, '/notifications');
      await apage
        .getByTestId('inbox')
        .getByText(/新工单 T\d+: 设备频繁死机/)
        .waitFor();
      await shot(apage, 'desktop-notifications-agent');
      await apage.getByTestId('unread-count').locator('.ant-badge-count').waitFor();
      await apage.getByRole('button', { name: '通知' }).click();
      await apage
        .locator('.ant-popover')
        .getByText(/新工单 T\d+: 设备频繁死机/)
        .click();
      await apage.waitForURL(ticketUrl);
      await apage.getByTestId('timeline').waitFor();
      check((await apage.getByRole('menuitem', { name: '用户与角色' }).count()) === 0, 'an agent sees the admin menu');
      const admin = await token(base, 'admin', password);
      const [zhang] = (await api(base, admin, `/customers?name=${encodeURIComponent('张三')}`)).items;
      await visit(apage, base, `/customers/${zhang.id}`);
      await apage.getByTestId('masked-id_number').filter({ hasText: '无权查看' }).waitFor();
      check((await apage.getByRole('tab', { name: '订单' }).count()) === 0, 'an agent is offered the orders tab');
      check((await apage.getByRole('tab', { name: '商机' }).count()) === 0, 'an agent is offered the opportunities tab');
      await apage.getByTestId('user-menu').hover();
      await apage.getByRole('menuitem', { name: '退出登录' }).click();
      await apage.waitForURL(/\/login\?next=/);
      await agent.close();
    });

    await step('an account manager opening another manager’s customer sees "not found"', async () => {
      const admin = await token(base, 'admin', password);
      const users = await api(base, admin, '/users');
      const lina = users.find((u) => u.username === 'lina');
      const theirs = await api(base, admin, `/customers?owner_id=${lina.id}&limit=1`);
      const other = theirs.items[0];
      check(other, 'the demo data has no customer of lina');
      const manager = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
      const mpage = await manager.newPage();
      mpage.setDefaultTimeout(TIMEOUT);
      await login(mpage, base, 'zhangwei', password, `/customers/${other.id}`);
      await mpage.waitForURL(`${base}/customers/${other.id}`);
      await mpage.getByText('未找到').waitFor();
      await mpage.getByText('该记录不存在，或您无权查看。').waitFor();
      await shot(mpage, 'desktop-not-found');
      check((await mpage.getByRole('menuitem', { name: '用户与角色' }).count()) === 0, 'an account manager sees the admin menu');
      await mpage.getByRole('menuitem', { name: '我的待跟进' }).click();
      await mpage.waitForURL(`${base}/follow-ups/due`);
      await mpage.getByRole('heading', { name: '我的待跟进' }).waitFor();
      await mpage.getByTestId('due-list').or(mpage.getByText('今天没有待跟进的事项')).first().waitFor();
      await shot(mpage, 'desktop-follow-ups-due-manager');
      // The new-customer form offers no field only an admin may set.
      await mpage.goto(`${base}/customers/new?kind=individual`);
      await mpage.getByRole('textbox', { name: '身份证号' }).fill('11010519491231002Y');
      await mpage.getByTestId('save-customer').click();
      await mpage.getByText('身份证号应为 17 位数字加一位数字或 X').waitFor();
      for (const id of ['customer-grade', 'customer-grade-locked', 'customer-owner', 'create-into-pool']) {
        check((await mpage.getByTestId(id).count()) === 0, `an account manager is offered ${id}`);
      }
      await shot(mpage, 'desktop-customer-form-manager');
      await manager.close();
    });

    await step('import a file with one bad row, get the report, fix, import, revert; export', () =>
      importScenario({ browser, base, artifacts, password, shot }),
    );
    await analyticsScenario({ browser, base, artifacts, password, step, shots });

    await (
      await import('./webapp-tour.mjs')
    ).webappTour({ browser, base, artifacts, password, storageState: await context.storageState(), customerUrl, ticketUrl, step, shots });
    await step('admin backups: start one, see it complete, download it', () => backups({ browser, base, artifacts, password }));
    await apiKeysScenario({ browser, base, artifacts, password, storageState: await context.storageState(), step, shots });
    await webhooksScenario({ browser, base, artifacts, storageState: await context.storageState(), step, shots, runJob });
    await step('search: mobile fragment, two characters, pinyin initials; a saved view', async () =>
      searchScenario({ browser, base, artifacts, password, storageState: await context.storageState() }),
    );
    await step('list filters: a drawer filter as a chip with the count, removed; a ticket view saved, reloaded, opened', async () =>
      filtersScenario({ browser, base, artifacts, password, storageState: await context.storageState() }),
    );
    check(errors.length === 0, `errors in the page: ${errors.join('; ')}`);
    untranslatedShown('at the end of the run');
    const zh = transient.shown.filter((entry) => entry.lang.startsWith('zh')).length;
    console.log(`  messages, field errors and alerts seen: ${transient.shown.length} (${zh} in zh-CN, all in Chinese)`);
    console.log(`  screenshots: ${shots.join(', ')}`);
  } catch (error) {
    await page.screenshot({ path: join(artifacts, 'failure.png') }).catch(() => undefined);
    throw new Error(
      `e2e step "${current}" failed at ${page.url()} (screenshot e2e-artifacts/failure.png; ` +
        `the page says: ${await pageMessages(page)}): ${error.message}`,
      { cause: error },
    );
  } finally {
    await context.close();
  }
}
