/**
 * Parts of the console that use another branch's endpoint (the CSV export, issue 15) show only once
 * the server has it.
 */
/** A REST endpoint of another branch (e.g. the CSV export) exists when the server does not answer 404. */
export async function endpointExists(path: string): Promise<boolean> {
  try {
    const response = await fetch(path, { method: 'HEAD', credentials: 'same-origin' });
    return response.status !== 404 && response.status !== 405;
  } catch {
    return false;
  }
}
