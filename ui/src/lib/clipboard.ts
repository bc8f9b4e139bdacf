/**
 * Copies text to the clipboard from a click: `navigator.clipboard` when the webview allows it,
 * else the selection-and-copy command webviews have long supported. Call it directly in the click
 * handler (before any `await`), so the click still counts as the user's gesture. Resolves `false`
 * when neither works; the caller then shows the text to copy by hand.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection copy
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = typeof document.execCommand === 'function' && document.execCommand('copy');
  } catch {
    ok = false;
  } finally {
    area.remove();
  }
  return ok;
}
