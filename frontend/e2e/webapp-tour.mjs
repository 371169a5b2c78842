// Issue 15's browser checks: the new screens photographed at 1440×900 and 390×844, every route
// of the app walked at 390×844 failing on horizontal overflow, every zh-CN page scanned for
// the API's raw field keys and for English (texts.mjs), an account manager's claims refused in
// the pool, the opportunity board worked by tap on a phone, and a screen whose code fails to load.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { creditCode } from './imports.mjs';
import { apiFieldKeys, untranslatedIn } from './texts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT = 30_000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** The route patterns of src/router.tsx, so that a new screen cannot be left out of the walk. */
function routePatterns() {
  const source = readFileSync(resolve(here, '../src/router.tsx'), 'utf8');
  return [...source.matchAll(/path: '([^']+)'/g)].map((m) => m[1]).filter((p) => p !== '*' && p !== '/');
}

async function settle(page) {
  // The screen left behind stays up while the next one's code loads (the navigation is a React
  // transition): wait for the new screen, on its tab, then for its data (no spinner left).
  await page.locator('.ant-layout-content > :not([data-e2e-left])').first().waitFor();
  const tab = new URL(page.url()).searchParams.get('tab');
  if (tab) await page.locator(`.ant-tabs-tab-active[data-node-key="${tab}"]`).first().waitFor();
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: TIMEOUT })
    .catch(() => undefined);
}

/**
 * The raw keys and English a zh-CN page shows (menu, header and content), its inputs'
 * placeholders and its buttons' and links' own accessible names among them; texts.mjs says what
 * counts.
 */
async function untranslated(page, keys) {
  const text = await page.evaluate(() =>
    [
      document.body.innerText,
      ...[...document.querySelectorAll('[placeholder]')].map((el) => el.getAttribute('placeholder')),
      // Not rc-select's clear button: its "Clear" is fixed in the library (antd's locale has no say).
      ...[...document.querySelectorAll('button[aria-label]:not(.ant-select-clear), a[aria-label]')].map((el) =>
        el.getAttribute('aria-label'),
      ),
    ].join('\n'),
  );
  return untranslatedIn(text, keys);
}

/** Elements sticking out to the right of a phone's screen (the page scrolls sideways). */
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && box.width > 0 && !el.closest('.ant-table-content, .ant-table-body, [data-scroll-x]')) {
        out.push(`${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]} right=${Math.round(box.right)}`);
        if (out.length > 4) break;
      }
    }
    return [`scrollWidth ${document.documentElement.scrollWidth} > ${width}`, ...out];
  });
}

async function visit(page, base, path) {
  if (!page.url().startsWith(base)) {
    await page.goto(`${base}${path}`);
    return;
  }
  if (new URL(page.url()).pathname !== new URL(path, base).pathname) {
    // Marks the screen being left, so that settle() can wait for the next one.
    await page.evaluate(() => document.querySelectorAll('.ant-layout-content > *').forEach((el) => el.setAttribute('data-e2e-left', '')));
  }
  await page.evaluate((to) => {
    window.history.pushState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  await page.waitForURL(`${base}${path}`);
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

async function token(base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', body: new URLSearchParams({ username, password }) });
  check(res.ok, `login ${username}: ${res.status}`);
  return (await res.json()).access_token;
}

async function signIn(page, base, username, password, path) {
  await page.goto(`${base}${path}`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: /^登\s*录$/ }).click();
  await page.waitForURL(`${base}${path}`);
}

/** The local date (YYYY-MM-DD) of an instant in a time zone, `days` later. */
function localDay(iso, zone, days = 0) {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A message saying `text` once it has faded in (antd's motion classes gone): a screenshot shows it. */
function message(page, text) {
  return page.locator('.ant-message-notice:not([class*="-appear"])').filter({ hasText: text });
}

/** Click `button` and return the answer to the claim it sends (status and problem code). */
async function claimAnswer(page, button, customerId, how) {
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/pool/${customerId}/claim`,
  );
  await button[how]();
  const response = await answered;
  return { status: response.status(), code: (await response.json()).code };
}

export async function webappTour({ browser, base, artifacts, password, storageState, customerUrl, ticketUrl, step, shots }) {
  const keys = apiFieldKeys();
  const customerPath = customerUrl.slice(base.length);
  const customerId = Number(customerPath.split('/')[2]);
  const ticketPath = ticketUrl.slice(base.length);
  const admin = await token(base, 'admin', password);

  // Data the new screens show: a customer in the pool, a manual task on the tour's customer.
  const users = await call(base, admin, 'GET', '/users');
  const lina = users.find((u) => u.username === 'lina');
  const linas = await call(base, admin, 'GET', `/customers?owner_id=${lina.id}&limit=5`);
  const pooled = linas.items.at(-1);
  await call(base, admin, 'POST', `/customers/${pooled.id}/release`, { reason: '客户暂无采购计划' });
  await call(base, admin, 'POST', '/tasks', { title: '寄送年度维保报价', due_on: '2026-01-05', customer_id: customerId });

  const shot = async (page, name) => {
    const file = `${name}.png`;
    await page.screenshot({ path: join(artifacts, file), fullPage: false });
    shots.push(file);
  };
  const newScreens = [
    ['pool', '/pool', (p) => p.getByText(pooled.name).first()],
    ['tasks', '/tasks', (p) => p.getByText('寄送年度维保报价').first()],
    ['customer-tasks', `${customerPath}?tab=tasks`, (p) => p.getByText('寄送年度维保报价').first()],
    ['customer-value', `${customerPath}?tab=value`, (p) => p.getByTestId('verified-at')],
    ['customer-history-readable', `${customerPath}?tab=history`, (p) => p.getByTestId('history')],
    ['profile', '/profile', (p) => p.getByTestId('password-form')],
  ];

  for (const [size, viewport, extra] of [
    ['desktop', DESKTOP, {}],
    ['phone', PHONE, { isMobile: true, hasTouch: true }],
  ]) {
    await step(`the new screens at ${viewport.width}×${viewport.height}, free of raw keys and English`, async () => {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', storageState, ...extra });
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT);
      const problems = [];
      try {
        await page.goto(`${base}/customers`);
        for (const [name, path, ready] of newScreens) {
          await visit(page, base, path);
          await ready(page).waitFor();
          await settle(page);
          await shot(page, `${size}-${name}`);
          const bad = await untranslated(page, keys);
          if (bad.length) problems.push(`${path}: ${bad.join(', ')}`);
        }
      } finally {
        await context.close();
      }
      check(problems.length === 0, `at ${viewport.width}×${viewport.height}:\n  ${problems.join('\n  ')}`);
    });
  }

  await step('an account manager’s claims are refused in Chinese: the cooldown at 390×844, the limit at 1440×900', async () => {
    const before = await call(base, admin, 'GET', '/lifecycle-settings');
    const { timezone } = await call(base, admin, 'GET', '/business-calendar');
    // lina was the owner of `pooled` when the admin released it: she counts as its releaser.
    const cooldown = 7;
    await call(base, admin, 'PATCH', '/lifecycle-settings', { pool_reclaim_cooldown_days: cooldown });
    const [inPool] = (await call(base, admin, 'GET', `/pool?name=${encodeURIComponent(pooled.name)}`)).items;
    check(inPool?.id === pooled.id && inPool.released_by === lina.id, `${pooled.name} in the pool: ${JSON.stringify(inPool)}`);
    // Nobody released this one: only the claim limit stands in lina's way.
    const fresh = await call(base, admin, 'POST', '/customers', {
      kind: 'individual',
      name: '周公海',
      id_number: '320102198808083574',
      region: '江苏-南京',
      owner_id: null, // straight into the pool
    });
    const owned = (await call(base, admin, 'GET', `/customers?owner_id=${lina.id}&limit=200`)).items.length;
    const stillInPool = async (customer) => {
      const now = await call(base, admin, 'GET', `/customers/${customer.id}`);
      check(now.owner_id === null && !now.archived, `${customer.name} left the pool: owner ${now.owner_id}`);
      const listed = (await call(base, admin, 'GET', `/pool?name=${encodeURIComponent(customer.name)}`)).items;
      check(
        listed.some((c) => c.id === customer.id),
        `${customer.name} is not listed in the pool`,
      );
    };

    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    let desktop;
    try {
      const page = await phone.newPage();
      page.setDefaultTimeout(TIMEOUT);
      await signIn(page, base, 'lina', password, '/pool');
      await page.getByTestId('pool-cards').getByText(pooled.name).waitFor();
      // Claimable from the start of the local day `cooldown` days after the release (domain/pool.py),
      // shown in the business calendar's zone (the server's CRM_TIMEZONE is the same here).
      const until = `${localDay(inPool.pool_entered_at, timezone, cooldown)} 00:00`;
      const refused = await claimAnswer(page, page.getByTestId(`claim-${pooled.id}`), pooled.id, 'tap');
      check(refused.status === 409 && refused.code === 'reclaim-cooldown', `claiming ${pooled.name}: ${JSON.stringify(refused)}`);
      await message(page, `该客户由您释放，${until} 起才能再次领取。`).waitFor();
      await shot(page, 'phone-pool-claim-cooldown');
      await stillInPool(pooled);

      await call(base, admin, 'PATCH', '/lifecycle-settings', { pool_claim_limit: owned });
      desktop = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', storageState: await phone.storageState() });
      const wide = await desktop.newPage();
      wide.setDefaultTimeout(TIMEOUT);
      await wide.goto(`${base}/pool`);
      await wide.getByTestId('pool-table').getByText(fresh.name).waitFor();
      const limited = await claimAnswer(wide, wide.getByTestId(`claim-${fresh.id}`), fresh.id, 'click');
      check(limited.status === 409 && limited.code === 'claim-limit', `claiming ${fresh.name}: ${JSON.stringify(limited)}`);
      await message(wide, `您已拥有 ${owned} 个客户，达到领取上限 ${owned} 个。`).waitFor();
      await shot(wide, 'desktop-pool-claim-limit');
      await stillInPool(fresh);
    } finally {
      await desktop?.close();
      await phone.close();
      await call(base, admin, 'PATCH', '/lifecycle-settings', {
        pool_claim_limit: before.pool_claim_limit,
        pool_reclaim_cooldown_days: before.pool_reclaim_cooldown_days,
      });
    }
  });

  await step('English labels are not cut off in the sidebar and the filters', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', storageState });
    await context.addInitScript(() => localStorage.setItem('crm.language', 'en'));
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const cut = [];
    try {
      for (const path of ['/customers', '/tickets', '/pool']) {
        await page.goto(`${base}${path}`);
        await page.getByRole('menuitem', { name: 'Departments and routing' }).waitFor();
        await settle(page);
        cut.push(
          ...(await page.evaluate(() =>
            [
              ...document.querySelectorAll(
                '.ant-menu-title-content, .ant-select-selection-placeholder, .ant-picker-input input, .ant-btn > span',
              ),
            ]
              .filter((el) => el.scrollWidth > el.clientWidth + 1)
              .map((el) => el.textContent || el.getAttribute('placeholder') || ''),
          )),
        );
      }
      await shot(page, 'desktop-pool-en');
    } finally {
      await context.close();
    }
    check(cut.length === 0, `English labels cut off: ${[...new Set(cut)].join(', ')}`);
  });

  await step('every route at 390×844: no horizontal overflow, no raw keys or English in zh-CN', async () => {
    const tabs = ['basic', 'contacts', 'orders', 'follow-ups', 'opportunities', 'tickets', 'tasks', 'value', 'history'];
    const paths = {
      login: null, // the login page is walked signed out, below
      customers: ['/customers'],
      'customers/new': ['/customers/new'],
      'customers/:id': tabs.map((tab) => `${customerPath}?tab=${tab}`),
      'customers/:id/edit': [`${customerPath}/edit`],
      'follow-ups/due': ['/follow-ups/due'],
      'opportunities/board': ['/opportunities/board'],
      tickets: ['/tickets'],
      'tickets/board': ['/tickets/board'],
      'tickets/new': ['/tickets/new'],
      'tickets/:id': [ticketPath],
      notifications: ['/notifications'],
      'admin/users': ['/admin/users'],
      'admin/departments': ['/admin/departments'],
      'admin/sla': ['/admin/sla'],
      'admin/custom-fields': ['/admin/custom-fields'],
      'admin/tags': ['/admin/tags'],
      'admin/cadence': ['/admin/cadence'],
      'admin/change-requests': ['/admin/change-requests'],
      pool: ['/pool'],
      tasks: ['/tasks'],
      profile: ['/profile'],
      reports: ['/reports'],
      imports: ['/imports'],
      downloads: ['/downloads'],
      'admin/backups': ['/admin/backups'],
      'admin/api-keys': ['/admin/api-keys'],
      'admin/webhooks': ['/admin/webhooks'],
      search: ['/search?q=' + encodeURIComponent('杭州')],
    };
    const missing = routePatterns()
      .map((p) => p.replace(/^\//, ''))
      .filter((p) => !(p in paths));
    check(missing.length === 0, `routes not walked at 390×844: ${missing.join(', ')} (add them to e2e/webapp-tour.mjs)`);

    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', storageState });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const problems = [];
    try {
      await page.goto(`${base}/customers`);
      // Lists are cards on a phone.
      const cards = {
        '/customers': 'customer-cards',
        '/tickets': 'ticket-cards',
        '/pool': 'pool-cards',
        '/admin/api-keys': 'api-key-cards',
        '/admin/webhooks': 'webhook-cards',
      };
      for (const path of Object.values(paths).flat().filter(Boolean)) {
        await visit(page, base, path);
        await settle(page);
        if (cards[path]) {
          await page
            .getByTestId(cards[path])
            .waitFor({ timeout: 15_000 })
            .catch(() => problems.push(`${path}: not shown as cards`));
        }
        const wide = await overflow(page);
        if (wide.length) problems.push(`${path}: overflow ${wide.join('; ')}`);
        const bad = await untranslated(page, keys);
        if (bad.length) problems.push(`${path}: ${bad.join(', ')}`);
      }
      const out = await browser.newContext({ viewport: PHONE, isMobile: true, locale: 'zh-CN' });
      const login = await out.newPage();
      await login.goto(`${base}/login`);
      await login.getByRole('button', { name: /登\s*录/ }).waitFor();
      const wide = await overflow(login);
      if (wide.length) problems.push(`/login: overflow ${wide.join('; ')}`);
      await out.close();
    } finally {
      await context.close();
    }
    check(problems.length === 0, `at 390×844:\n  ${problems.join('\n  ')}`);
  });

  await step('the opportunity board by tap at 390×844: edit a card, then lose it through its stage menu', async () => {
    const opportunity = await call(base, admin, 'POST', '/opportunities', {
      customer_id: customerId,
      title: '手机看板演练',
      stage: 'intent',
      budget_max: '8000',
    });
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', storageState });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    try {
      await page.goto(`${base}/opportunities/board`);
      const card = page.getByTestId(`opportunity-${opportunity.id}`);
      await card.getByText('¥8,000.00').waitFor();
      await page.getByTestId(`edit-${opportunity.id}`).tap();
      const edit = page.getByRole('dialog');
      await edit.getByTestId('budget-max').fill('9000');
      await edit.getByRole('button', { name: /确\s*定/ }).tap();
      await card.getByText('¥9,000.00').waitFor();
      await page.getByTestId(`stage-menu-${opportunity.id}`).tap();
      await page.getByRole('menuitem', { name: '输单' }).tap();
      const lose = page.getByRole('dialog');
      await lose.getByTestId('lost-reason').fill('预算取消');
      await lose.getByRole('button', { name: /确\s*定/ }).tap();
      await page.getByTestId('column-lost').getByTestId(`opportunity-${opportunity.id}`).waitFor();
      await lose.waitFor({ state: 'hidden' });
      await shot(page, 'phone-opportunity-board-lost');
      const saved = await call(base, admin, 'GET', `/opportunities/${opportunity.id}`);
      check(saved.stage === 'lost' && saved.lost_reason === '预算取消', `the opportunity: ${JSON.stringify(saved)}`);
      check(saved.budget_max === '9000.00', `its budget: ${saved.budget_max}`);
    } finally {
      await context.close();
    }
  });

  await step('a new customer with its primary contact at 390×844, called from the list in one tap, warned of the pool', async () => {
    const before = await call(base, admin, 'GET', '/lifecycle-settings');
    const name = `手机新建客户${Date.now() % 1_000_000}`;
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', storageState });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    try {
      await page.goto(`${base}/customers/new?kind=organization`);
      await page.getByRole('textbox', { name: '名称' }).fill(name);
      await page.getByRole('textbox', { name: '统一社会信用代码' }).fill(creditCode(Date.now() % 1_000_000_000));
      await page.getByTestId('primary-contact-mobile').fill('139 0013 9000');
      await page.getByTestId('save-customer').tap();
      // a way to reach them without a name is refused before any request
      await page.getByText('填写了联系方式时，请填写联系人姓名').waitFor();
      await page.getByTestId('primary-contact-name').fill('周经理');
      await page.getByText('填写了联系方式时，请填写联系人姓名').waitFor({ state: 'detached' }); // the name given clears it
      await page.getByTestId('primary-contact-name').scrollIntoViewIfNeeded();
      await shot(page, 'phone-customer-new-with-contact');
      await page.getByTestId('save-customer').tap();
      await page.waitForURL(/\/customers\/\d+$/);
      const id = Number(new URL(page.url()).pathname.split('/')[2]);
      const contacts = await call(base, admin, 'GET', `/customers/${id}/contacts`);
      check(
        contacts.length === 1 && contacts[0].name === '周经理' && contacts[0].is_primary && contacts[0].mobile === '+8613900139000',
        `the new customer's contacts: ${JSON.stringify(contacts)}`,
      );
      const strip = page.getByTestId('call-primary');
      check((await strip.getAttribute('href')) === 'tel:+8613900139000', `the summary's call link: ${await strip.getAttribute('href')}`);

      await visit(page, base, `/customers?name=${encodeURIComponent(name)}`);
      const card = page.getByTestId('customer-cards').locator('.ant-list-item').filter({ hasText: name });
      const dial = card.getByTestId('call-customer');
      await dial.waitFor();
      check((await dial.getAttribute('href')) === 'tel:+8613900139000', `the card's call link: ${await dial.getAttribute('href')}`);
      check((await dial.innerText()).includes('139 0013 9000'), `the card's number: ${await dial.innerText()}`);

      // A warning period as long as the rules allow: the demo's customers, engaged days ago,
      // fall within it, and the list says so beside each.
      const longest = Math.min(before.pool_release_days, before.pool_no_order_days ?? Infinity) - 1;
      await call(base, admin, 'PATCH', '/lifecycle-settings', { pool_warning_days: longest });
      await visit(page, base, '/customers');
      const warned = page
        .getByTestId('customer-cards')
        .locator('.ant-list-item')
        .filter({ has: page.getByTestId('pool-warning-tag') });
      await warned
        .first()
        .getByText(/天后将被收回公海$|^今天将被收回公海$/)
        .waitFor();
      await warned.first().getByTestId('call-customer').waitFor(); // the demo's customers have a primary contact
      await shot(page, 'phone-customer-list-call');
    } finally {
      await context.close();
      await call(base, admin, 'PATCH', '/lifecycle-settings', { pool_warning_days: before.pool_warning_days });
    }
  });

  await step('a screen whose code cannot be loaded (a redeploy, or offline) offers a reload, not a developer error', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', storageState });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    try {
      await page.goto(`${base}/customers`);
      await settle(page);
      // The chunks the app has not loaded yet are gone, as after a redeploy.
      await page.route(/\/assets\/.*\.js$/, (route) => route.abort());
      await visit(page, base, '/admin/backups');
      const error = page.getByTestId('route-error');
      await error.getByText('新版本已发布或网络异常').waitFor();
      await error.getByTestId('reload').waitFor();
      await page.locator('.ant-menu').getByText('客户', { exact: true }).waitFor(); // the menu around it is still there
      await shot(page, 'desktop-chunk-failed');
    } finally {
      await context.close();
    }
  });
}
