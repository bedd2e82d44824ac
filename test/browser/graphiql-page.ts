/**
 * Drives the GraphiQL page the way a person does: pick an operation from the
 * ▶ menu, edit the variables editor with the keyboard, read the result pane.
 */
import type { Page, Response } from 'playwright-core';

/** Text of a Monaco editor as rendered (non-breaking spaces made plain). */
async function editorText(page: Page, selector: string): Promise<string> {
  return (await page.locator(`${selector} >> visible=true`).first().innerText()).replace(/\u00a0/g, ' ');
}

/** The result pane's text. */
export const resultPane = (page: Page): Promise<string> => editorText(page, '.graphiql-response .view-lines');

/** The query editor's text (the lines on screen). */
export const queryEditor = (page: Page): Promise<string> => editorText(page, '.graphiql-query-editor .view-lines');

/** The visible editor under the Variables/Headers tabs. */
const TOOL_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines';

/**
 * Shows the Variables or Headers editor and returns its document, parsed.
 * Monaco fills its lines over a few frames after the tab shows, so the text
 * is read until it parses (5 s at most).
 */
export async function toolDocument(page: Page, tool: 'Variables' | 'Headers'): Promise<unknown> {
  await page.locator('.graphiql-editor-tools button', { hasText: tool }).click();
  let text = '';
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await page.waitForTimeout(50)) {
    text = await editorText(page, TOOL_EDITOR);
    try {
      return JSON.parse(text);
    } catch {
      // Not all lines rendered yet.
    }
  }
  throw new Error(`${tool} editor: expected a JSON document, got ${JSON.stringify(text)} after 5 s`);
}

/** Replaces the whole variables document. */
export const setVariables = (page: Page, variables: Record<string, unknown>): Promise<void> =>
  setToolDocument(page, 'Variables', variables);

/** Replaces the whole Variables or Headers document. */
export async function setToolDocument(page: Page, tool: 'Variables' | 'Headers', value: Record<string, unknown>): Promise<void> {
  await page.locator('.graphiql-editor-tools button', { hasText: tool }).click();
  await page.locator(TOOL_EDITOR).click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(JSON.stringify(value, null, 2));
  // Monaco may have auto-closed the opening brace: drop whatever follows the text.
  await page.keyboard.press('ControlOrMeta+Shift+End');
  await page.keyboard.press('Delete');
}

/** Replaces line `line` (1-based) of the variables editor with `text`, as a person pastes a value. */
export async function replaceVariablesLine(page: Page, line: number, text: string): Promise<void> {
  await page.locator('.graphiql-editor-tools button', { hasText: 'Variables' }).click();
  await page.locator(TOOL_EDITOR).click();
  await page.keyboard.press('ControlOrMeta+Home');
  for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.keyboard.insertText(text);
  // Drop anything Monaco auto-closed after the pasted text.
  await page.keyboard.press('Shift+End');
  await page.keyboard.press('Delete');
}

/**
 * Runs one operation of the current tab (chosen from the ▶ menu when the
 * document has several) and resolves with the variables the page sent and
 * the HTTP response it got.
 */
export async function runOperation(
  page: Page,
  operationName: string,
): Promise<{ variables: Record<string, any>; body: Record<string, any> }> {
  const response = page.waitForResponse(
    (r: Response) => r.request().method() === 'POST' && r.request().postDataJSON()?.operationName === operationName,
  );
  await page.locator('.graphiql-execute-button').click();
  await page.getByRole('menuitem', { name: operationName, exact: true }).click();
  const answer = await response;
  const body = (await answer.json()) as Record<string, any>;
  // The pane shows the answer once React has rendered it.
  await page.waitForFunction(
    (name) =>
      [...document.querySelectorAll<HTMLElement>('.graphiql-response .view-lines')].some(
        (e) => e.offsetParent && e.textContent?.includes(name),
      ),
    Object.keys(body.data ?? body)[0] ?? 'errors',
    { polling: 100 },
  );
  return { variables: answer.request().postDataJSON()?.variables ?? {}, body };
}
