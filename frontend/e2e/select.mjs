// Choosing an option of an antd Select, shared by the scenarios.

/** The option of the open dropdown marked selected. */
export function selectedOption(page, option) {
  return page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option-selected')
    .filter({ hasText: option })
    .first();
}

/**
 * Open the select, optionally type to search, and click the option. A click while the dropdown
 * is still opening (in a dialog, or a freshly opened list) can be swallowed, the option only
 * taking the hover: when the option is not marked selected and its dropdown is still open, it
 * is clicked once more (a single select closes its dropdown on a good click; a multiple one marks
 * the option).
 */
export async function pick(page, select, option, { type } = {}) {
  await select.click();
  if (type) await page.keyboard.type(type);
  const item = page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: option })
    .first();
  await item.click();
  const marked = await selectedOption(page, option)
    .waitFor({ timeout: 5_000 })
    .then(
      () => true,
      () => false,
    );
  if (!marked && (await item.isVisible())) await item.click();
}
