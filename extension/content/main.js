// Runs on the pages the manifest names. Reads the fields the site's reader finds, asks the
// extension's background (where the validator runs) for the findings, and shows each beside its
// field. Both sites render late and re-render often (React, ServiceNow UI policies, the classic
// UI's frames), so the page is watched and re-read; a page without the expected fields gets
// nothing injected. It never logs, and never talks to anything but its own extension.
'use strict';

(() => {
  const { dom, ui, site } = threelo;
  if (!site) return;

  const TYPING_DELAY_MS = 30; // under the gap between two keystrokes: feels immediate, coalesces bursts
  const MUTATION_DELAY_MS = 80;

  let view = { page: 'none', bindings: [] };
  let lastAsked = '';
  let lastAnswer = null;
  let lastAnswered = ''; // the question whose answer is drawn
  let scans = 0;
  let asking = 0;
  let timer = 0;
  let dueAt = 0;
  let stopped = false;
  // Whether the next question may add this page's values to the cross-check's memory: not when it
  // is only asked again because the memory changed (after Forget, an open tab must not undo it).
  let remember = true;

  /**
   * Reads the page again within `delay` ms. A sooner reading already planned stands: a page that
   * keeps changing (an animation, a ticking clock) delays nothing by more than MUTATION_DELAY_MS.
   */
  function schedule(delay) {
    if (stopped) return;
    const due = performance.now() + delay;
    if (timer && due >= dueAt) return;
    clearTimeout(timer);
    dueAt = due;
    timer = setTimeout(() => {
      timer = 0;
      scan();
    }, delay);
  }

  function fieldsOf(bindings) {
    const fields = {};
    for (const binding of bindings) fields[binding.field] = binding.value();
    return fields;
  }

  /** The scopes a Permissions page lists as not added to the app. */
  function offeredOf(bindings) {
    return bindings.flatMap((binding) => (binding.offered ?? []).map((row) => row.code));
  }

  function scan() {
    scans += 1;
    try {
      view = site.read(document);
    } catch {
      view = { page: 'none', bindings: [] };
    }
    if (view.bindings.length === 0) {
      ui.clearAll();
      lastAsked = '';
      lastAnswer = null;
      lastAnswered = '';
      return;
    }
    const fields = fieldsOf(view.bindings);
    const offered = offeredOf(view.bindings);
    const question = JSON.stringify([view.page, fields, offered]);
    if (question === lastAsked) {
      // Same values, but the page may have moved or dropped our findings: put them back.
      if (lastAnswer) show(lastAnswer);
      return;
    }
    lastAsked = question;
    ask(fields, offered, remember, question);
    remember = true;
  }

  async function ask(fields, offered, rememberThem, question) {
    const mine = ++asking;
    let answer;
    try {
      answer = await chrome.runtime.sendMessage({ kind: 'check', page: view.page, fields, offered, remember: rememberThem });
    } catch {
      // The extension was updated or reloaded under this page: this script is orphaned. Stay silent.
      stop();
      return;
    }
    if (mine !== asking || !answer || !Array.isArray(answer.findings)) return;
    lastAnswer = answer;
    lastAnswered = question;
    show(answer);
  }

  /** Whether what the page shows now has been checked and its findings drawn: nothing is pending. */
  function settled() {
    if (timer) return false;
    let now;
    try {
      now = site.read(document);
    } catch {
      return false;
    }
    if (now.bindings.length === 0) return lastAsked === '';
    return JSON.stringify([now.page, fieldsOf(now.bindings), offeredOf(now.bindings)]) === lastAnswered;
  }

  function show(answer) {
    const used = new Set();
    // With two or more safe fixes on the page, the first panel offers them all at once.
    const safe = answer.findings.filter((finding) => finding.fix?.applicability === 'safe' && canFix(finding.fix)).length;
    let offerAll = safe >= 2;
    for (const binding of view.bindings) {
      // A configuration template is one field holding a whole setup: every finding is its.
      const findings = binding.all ? answer.findings : answer.findings.filter((finding) => finding.field === binding.field);
      if (binding.rows) {
        showRows(binding, findings, used);
        continue;
      }
      used.add(binding.field);
      const applyAll = offerAll && findings.length > 0 ? { count: safe, apply: applyAllSafeFixes } : null;
      if (applyAll) offerAll = false;
      ui.render(binding.field, binding.where, findings, { ...options(binding), applyAll });
    }
    for (const key of ui.keys()) if (!used.has(key)) ui.clear(key);
  }

  /**
   * Scope findings go to the row of the scope they name (a requested scope not on the app, to its
   * row with Add); the others above the table.
   */
  function showRows(binding, findings, used) {
    const perRow = binding.rows.map(() => []);
    const offered = binding.offered ?? [];
    const perOffered = offered.map(() => []);
    const general = [];
    for (const finding of findings) {
      const at = finding.span ? binding.rows.findIndex((row) => finding.span.start >= row.start && finding.span.start < row.end) : -1;
      const offeredAt = finding.scope ? offered.findIndex((row) => row.code === finding.scope) : -1;
      if (at >= 0) perRow[at].push(finding);
      else if (offeredAt >= 0) perOffered[offeredAt].push(finding);
      else general.push(finding);
    }
    binding.rows.forEach((row, i) => {
      const key = `${binding.field}#${i}`;
      used.add(key);
      ui.render(key, { append: row.cell }, perRow[i], options(binding));
    });
    offered.forEach((row, i) => {
      const key = `${binding.field}#offered-${i}`;
      used.add(key);
      ui.render(key, { append: row.cell }, perOffered[i], options(binding));
    });
    used.add(binding.field);
    ui.render(binding.field, binding.where, general, options(binding));
  }

  function options(binding) {
    return {
      theme: site.theme,
      label: binding.label,
      canFix,
      onFix: applyFix,
    };
  }

  /** Whether a fix's field is on this page and can be typed into. */
  function canFix(fix) {
    const target = view.bindings.find((candidate) => candidate.field === fix.field);
    return Boolean(target?.control && dom.isEditable(target.control));
  }

  /**
   * Apply all safe fixes: the background applies them with the core's applyFixes and answers the
   * fields they change; each is set as typing would, so the page's own scripts see it.
   */
  async function applyAllSafeFixes() {
    let answer;
    try {
      answer = await chrome.runtime.sendMessage({ kind: 'apply-all', page: view.page, fields: fieldsOf(view.bindings), remember: false });
    } catch {
      stop();
      return;
    }
    for (const [field, value] of Object.entries(answer?.fields ?? {})) {
      if (typeof value === 'string') setField(field, value);
    }
    schedule(0);
  }

  function applyFix(fix) {
    const control = setField(fix.field, fix.replacement);
    if (!control) return;
    control.focus();
    schedule(0);
  }

  /** Sets a field of the page as typing would; its control, or null when it is not there to set. */
  function setField(field, value) {
    const target = view.bindings.find((binding) => binding.field === field);
    if (!target?.control || !dom.isEditable(target.control) || !dom.setValue(target.control, value)) return null;
    return target.control;
  }

  function onEdit(event) {
    if (ui.isOurs(event.target)) return;
    schedule(TYPING_DELAY_MS);
  }

  /** Mutations that are only our own findings coming and going are not the page changing. */
  function onMutations(records) {
    const theirs = records.some((record) => !ui.isOurs(record.target)
      && !(record.type === 'childList' && [...record.addedNodes, ...record.removedNodes].every((node) => ui.isOurs(node))));
    if (theirs) schedule(MUTATION_DELAY_MS);
  }

  const observer = new MutationObserver(onMutations);

  function stop() {
    stopped = true;
    clearTimeout(timer);
    observer.disconnect();
    document.removeEventListener('input', onEdit, true);
    document.removeEventListener('change', onEdit, true);
    ui.clearAll();
  }

  /**
   * From the extension itself. `recheck`: the other side changed (in another tab, or Forget), so
   * ask again with the same values. `status`: the popup asks which fields this tab has; only a
   * frame that found some answers, and when none does, the popup says the fields were not found.
   * `scanned`: every frame answers how often it has read its page and whether it is `settled`, the
   * signal a test waits for before it asserts that something did not appear.
   */
  function onMessage(message, sender, sendResponse) {
    if (sender.id !== chrome.runtime.id) return false;
    if (message?.kind === 'scanned') {
      sendResponse({ scans, settled: settled() });
      return false;
    }
    if (view.bindings.length === 0) return false;
    if (message?.kind === 'recheck') {
      lastAsked = '';
      remember = false;
      schedule(0);
      return false;
    }
    if (message?.kind !== 'status') return false;
    sendResponse({
      site: site.name,
      page: view.page,
      fields: view.bindings.map((binding) => binding.label),
      findings: lastAnswer?.findings.length ?? 0,
    });
    return false;
  }

  document.addEventListener('input', onEdit, true);
  document.addEventListener('change', onEdit, true);
  observer.observe(document.documentElement, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['style', 'class', 'hidden'],
  });
  chrome.runtime.onMessage.addListener(onMessage);
  scan();
})();
