// Search and saved views in the browser: the header box finds a customer by a contact's mobile
// fragment, by two characters of its name and by pinyin initials; a saved view survives a
// reload and opens. Screenshots at 1440×900 and 390×844.
import { join } from 'node:path';
import { saveViewAs } from './views.mjs';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const NAME = '上海云帆科技有限公司';

async function apiGet(base, token, path) {
  const res = await fetch(`${base}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return res.json();
}

async function signIn(base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', body: new URLSearchParams({ username, password }) });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return (await res.json()).access_token;
}

export async function searchScenario({ browser, base, artifacts, password, storageState }) {
  const token = await signIn(base, 'admin', password);
  const [customer] = (await apiGet(base, token, `/customers?q=${encodeURIComponent('云帆')}`)).items;
  if (!customer) throw new Error(`the demo data has no ${NAME}`);
  const contacts = await apiGet(base, token, `/customers/${customer.id}/contacts`);
  const mobile = contacts.map((c) => c.mobile).find(Boolean);
  if (!mobile) throw new Error(`${NAME} has no contact with a mobile`);
  const fragment = mobile.replace(/\D/g, '').slice(-8); // the last eight digits

  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'UTC', storageState });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const box = page.getByTestId('header-search');
  const option = () =>
    page
      .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) [data-testid="search-hit-customers"]')
      .filter({ hasText: NAME })
      .first();
  try {
    await page.goto(`${base}/customers`);
    await page.getByRole('link', { name: NAME }).waitFor();

    // "/" focuses the box; a mobile fragment finds the customer, the phone highlighted
    await page.keyboard.press('/');
    await box.and(page.locator(':focus')).waitFor();
    await box.fill(fragment);
    await option().waitFor();
    await option().locator('mark').filter({ hasText: fragment }).waitFor();
    await page.screenshot({ path: join(artifacts, 'desktop-search-mobile-fragment.png') });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/customers/${customer.id}`);

    // Ctrl+K, two characters of the name; Enter without choosing opens the results page
    await page.keyboard.press('Control+k');
    await box.and(page.locator(':focus')).waitFor();
    await box.fill('云帆');
    await option().locator('mark').filter({ hasText: '云帆' }).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    await page.getByTestId('search-group-customers').getByRole('link', { name: NAME }).waitFor();
    await page.screenshot({ path: join(artifacts, 'desktop-search-results.png') });

    // pinyin initials
    await box.fill('shyf');
    await option().waitFor();
    await page.screenshot({ path: join(artifacts, 'desktop-search-pinyin.png') });
    await box.fill('');

    // save the current filters as a view, reload, open it
    await page.goto(`${base}/customers?stage=customer`);
    const viewName = `成交客户 ${Date.now() % 100000}`;
    await saveViewAs(page, viewName);
    await page.goto(`${base}/customers`);
    await page.reload();
    await page.getByTestId('views-menu').click();
    await page.locator('.ant-dropdown:not(.ant-dropdown-hidden)').getByText(viewName).click();
    await page.waitForURL(/\/customers\?stage=customer/);
    await page.getByRole('link', { name: NAME }).waitFor();
    await page.getByTestId('views-menu').click();
    await page.locator('.ant-dropdown:not(.ant-dropdown-hidden)').getByText('重点客户 (S/A)').waitFor();
    await page.screenshot({ path: join(artifacts, 'desktop-views-menu.png') });
    await page.keyboard.press('Escape');

    // the phone: the box in the header, and the results page
    const phone = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      storageState: await context.storageState(),
    });
    const mobilePage = await phone.newPage();
    mobilePage.setDefaultTimeout(30_000);
    await mobilePage.goto(`${base}/search?q=${encodeURIComponent('云帆')}`);
    await mobilePage.getByTestId('search-group-customers').getByRole('link', { name: NAME }).waitFor();
    await mobilePage.screenshot({ path: join(artifacts, 'phone-search-results.png') });
    await mobilePage.getByTestId('header-search').fill('云帆');
    await mobilePage.locator('[data-testid="search-hit-customers"]').first().waitFor();
    await mobilePage.screenshot({ path: join(artifacts, 'phone-search-box.png') });
    await phone.close();
  } catch (error) {
    await page.screenshot({ path: join(artifacts, 'failure-search.png') }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}
