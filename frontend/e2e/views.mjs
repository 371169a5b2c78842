// Saving a list's filters as a view, shared by the search and filters steps.

/** Save the list's current filters as a view named `name`: fill the dialog, click OK and wait
 * for the server's answer, so a save that never left the browser or that the server refused
 * fails here, saying which, instead of as a missing "saved" message 30 s later. */
export async function saveViewAs(page, name) {
  await page.getByTestId('view-save-as').click();
  await page.getByTestId('view-name').fill(name);
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/saved-views') && r.request().method() === 'POST', {
    timeout: 15_000,
  });
  await page.getByTestId('view-save-ok').click();
  const response = await answered.catch(() => {
    throw new Error(`saving the view "${name}": no request was sent after clicking OK`);
  });
  if (!response.ok()) {
    throw new Error(`saving the view "${name}": the server answered ${response.status()} ${await response.text()}`);
  }
  await page.getByText('视图已保存').waitFor();
}
