// What one side showed, remembered for the other side's check: the console's Callback URL and
// Client ID, ServiceNow's Redirect URL, Client ID, grant type and OAuth scope (what it requests,
// held against the console's Permissions pages). Kept in chrome.storage.session
// only: in memory, for this browser session, never synced and never written to disk; readable by
// the extension's own pages and background, not by content scripts (nor, through them, by pages).
// The secret is never kept, nor any value that looks like one (a secret pasted into the wrong
// field).

const KEY = 'remembered';
const MAX_LENGTH = 2048;

/** The fields each side's value is remembered for. */
export const KEPT = {
  atlassian: ['callback_url', 'client_id'],
  servicenow: ['redirect_url', 'client_id', 'grant_type', 'scopes'],
};

/** Only trusted contexts (the background and the popup) may read the session storage. */
export async function restrictAccess() {
  try {
    await chrome.storage.session.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
  } catch {
    // Browsers without setAccessLevel (Firefox) keep session storage from content scripts anyway.
  }
}

/** { atlassian?: {field: {value, host, at}}, servicenow?: {…} } */
export async function read() {
  const stored = await chrome.storage.session.get(KEY);
  return stored[KEY] ?? {};
}

// Two frames or tabs may report at once: updates run one after the other, so none is lost.
let queue = Promise.resolve();

/**
 * Remembers `site`'s kept fields from `fields`: non-empty, and not among `hidden`, the fields the
 * validator's redaction predicate hides (`hiddenFields`: the secret, or a field holding one).
 * Resolves to { memory, changed }.
 */
export function remember(site, fields, { host, at, hidden }) {
  return inTurn(async () => {
    const current = await read();
    const side = { ...(current[site] ?? {}) };
    let changed = false;
    for (const field of KEPT[site] ?? []) {
      const value = fields[field];
      if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_LENGTH) continue;
      if (hidden.has(field) || side[field]?.value === value) continue;
      side[field] = { value, host, at };
      changed = true;
    }
    if (!changed) return { memory: current, changed };
    const next = { ...current, [site]: side };
    await chrome.storage.session.set({ [KEY]: next });
    return { memory: next, changed };
  });
}

/** Runs `work` after every update before it; resolves to its result. */
function inTurn(work) {
  const update = queue.then(work);
  queue = update.catch(() => {});
  return update;
}

/** The ServiceNow instances the user confirmed in the popup (hosts). */
export function confirmedInstances(remembered) {
  return Array.isArray(remembered?.confirmed) ? remembered.confirmed : [];
}

/**
 * Lets the console use what was seen on ServiceNow instance `host` (the popup's confirmation: the
 * console never borrows from an instance the user has not named as theirs). The background tells
 * the open tabs (`confirmationsChanged`), as the popup may close before it could.
 */
export function confirmInstance(host) {
  return inTurn(async () => {
    const current = await read();
    const confirmed = confirmedInstances(current);
    if (confirmed.includes(host)) return;
    await chrome.storage.session.set({ [KEY]: { ...current, confirmed: [...confirmed, host] } });
  });
}

/** Whether a change of the session memory (`chrome.storage.onChanged`) confirmed an instance. */
export function confirmationsChanged(changes, area) {
  if (area !== 'session' || !changes[KEY]) return false;
  return confirmedInstances(changes[KEY].newValue).length !== confirmedInstances(changes[KEY].oldValue).length;
}

export async function forget() {
  await queue;
  await chrome.storage.session.remove(KEY);
  // At once, not coalesced: the popup that called this may close any moment.
  await askTabsAgain();
}

/**
 * Asks the pages open in other tabs to check again, as what they are checked against has changed
 * (a window beside this one shows the other side). Content scripts cannot watch the session memory
 * themselves. Tabs without threelo's content script have no receiver: their refusal is expected.
 */
export async function askTabsAgain(exceptTab) {
  const tabs = await chrome.tabs.query({});
  await Promise.all(tabs.filter((tab) => tab.id !== exceptTab)
    .map((tab) => chrome.tabs.sendMessage(tab.id, { kind: 'recheck' }).catch(() => {})));
}

let telling = 0;

/** askTabsAgain, coalesced: the memory changes with each keystroke. */
export function tellTabs(exceptTab) {
  clearTimeout(telling);
  telling = setTimeout(() => askTabsAgain(exceptTab).catch(() => {}), 250);
}
