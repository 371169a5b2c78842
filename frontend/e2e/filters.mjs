// The list filters in the browser: a filter from the customer list's "more filters" drawer
// shows as a chip with the result count, and closing the chip removes it; a view saved on the
// ticket list survives a reload and opens (its name on the views button). Screenshots of both
// lists with the panel open at 1440×900 and 390×844.
import { join } from 'node:path';
import { pick, selectedOption } from './select.mjs';
import { saveViewAs } from './views.mjs';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const NAME = '上海云帆科技有限公司';

async function signIn(base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', body: new URLSearchParams({ username, password }) });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return (await res.json()).access_token;
}

async function total(base, token, query) {
  const res = await fetch(`${base}/api/v1/customers?${query}&with_total=true&limit=1`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /customers?${query}: ${res.status}`);
  return (await res.json()).total.toLocaleString('zh-CN'); // as the list shows it: 1,234
}

/** Choose an option of the antd (multiple) Select with this test id (in the bar or the drawer)
 * and see it marked selected. */
async function pickFilter(page, testId, option) {
  await pick(page, page.getByTestId(testId), option);
  await selectedOption(page, option).waitFor();
}

const drawer = (page) => page.getByRole('dialog').filter({ has: page.getByTestId('filters-done') });

export async function filtersScenario({ browser, base, artifacts, password, storageState }) {
  // Drawers slide in: a screenshot finishes their transition instead of catching it half way.
  const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`), animations: 'disabled' });
  const token = await signIn(base, 'admin', password);
  const exhibition = await total(base, token, 'source=exhibition');
  const all = await total(base, token, 'archived=false');

  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'UTC', storageState });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  try {
    // a filter from the drawer: its chip, the count; closing the chip removes it
    await page.goto(`${base}/customers`);
    await page.getByRole('link', { name: NAME }).waitFor();
    await page
      .getByTestId('result-count')
      .filter({ hasText: `共 ${all} 个客户` })
      .first()
      .waitFor();
    await page.getByTestId('more-filters').click();
    await drawer(page).waitFor();
    await pickFilter(page, 'filter-source', '展会');
    await page.waitForURL(/source=exhibition/);
    await drawer(page)
      .getByTestId('result-count')
      .filter({ hasText: `共 ${exhibition} 个客户` })
      .waitFor();
    await page.getByTestId('filters-done').click();
    await drawer(page).waitFor({ state: 'hidden' });
    const chip = page.getByTestId('filter-chip').filter({ hasText: '来源：展会' });
    await chip.waitFor();
    await page
      .getByTestId('result-count')
      .filter({ hasText: `共 ${exhibition} 个客户` })
      .first()
      .waitFor();
    await shot(page, 'desktop-customers-chips');
    // opened again (the source's options closed with it): the drawer with the filter set
    await page.getByTestId('more-filters').click();
    await drawer(page).getByTestId('filter-source').filter({ hasText: '展会' }).waitFor();
    await shot(page, 'desktop-customers-filter-drawer');
    await page.getByTestId('filters-done').click();
    await drawer(page).waitFor({ state: 'hidden' });
    await chip.getByLabel('移除条件').click();
    await page.waitForURL((url) => url.pathname === '/customers' && !url.searchParams.has('source'));
    await chip.waitFor({ state: 'detached' });
    await page
      .getByTestId('result-count')
      .filter({ hasText: `共 ${all} 个客户` })
      .first()
      .waitFor();

    // a view saved on the ticket list, reloaded and opened
    await page.goto(`${base}/tickets`);
    await page.getByRole('link', { name: /^T\d+/ }).first().waitFor();
    await pickFilter(page, 'filter-status', '新建');
    await page.waitForURL(/status=new/);
    await page.getByTestId('filter-chip').filter({ hasText: '状态：新建' }).waitFor();
    await page
      .getByTestId('result-count')
      .filter({ hasText: /^共 [\d,]+ 张工单$/ })
      .first()
      .waitFor();
    const viewName = `新工单 ${Date.now() % 100000}`;
    await saveViewAs(page, viewName);
    await page.getByTestId('views-menu').filter({ hasText: viewName }).waitFor();
    await page.goto(`${base}/tickets`);
    await page.reload();
    await page.getByTestId('views-menu').filter({ hasText: '视图' }).click();
    await page.locator('.ant-dropdown:not(.ant-dropdown-hidden)').getByText(viewName).click();
    await page.waitForURL(/\/tickets\?status=new$/);
    await page.getByTestId('filter-chip').filter({ hasText: '状态：新建' }).waitFor();
    await page.getByTestId('views-menu').filter({ hasText: viewName }).waitFor();
    await page.getByTestId('views-menu').click();
    await page.locator('.ant-dropdown:not(.ant-dropdown-hidden)').getByText('即将超时工单').waitFor();
    await shot(page, 'desktop-tickets-views-menu');
    await page.keyboard.press('Escape');
    await page.getByTestId('more-filters').click();
    await drawer(page).waitFor();
    await shot(page, 'desktop-tickets-filter-drawer');
    await page.getByTestId('filters-done').click();

    // the phone: the whole panel is the drawer
    const phone = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      storageState: await context.storageState(),
    });
    const mobile = await phone.newPage();
    mobile.setDefaultTimeout(30_000);
    try {
      for (const [list, cards] of [
        ['customers', 'customer-cards'],
        ['tickets', 'ticket-cards'],
      ]) {
        await mobile.goto(`${base}/${list}?${list === 'customers' ? 'stage=customer' : 'status=new'}`);
        await mobile.getByTestId(cards).waitFor();
        await mobile.getByTestId('filter-chip').first().waitFor();
        await shot(mobile, `phone-${list}-chips`);
        await mobile.getByTestId('more-filters').click();
        await drawer(mobile).waitFor();
        await drawer(mobile).getByTestId('filter-q').waitFor();
        await shot(mobile, `phone-${list}-filter-drawer`);
        await mobile.getByTestId('filters-done').click();
        await drawer(mobile).waitFor({ state: 'hidden' });
      }
    } finally {
      await phone.close();
    }
  } catch (error) {
    await page.screenshot({ path: join(artifacts, 'failure-filters.png') }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}
