// The Resilience dashboard: reads the JSON endpoints next to this file every two seconds and renders them with DOM
// calls only (textContent, never innerHTML), so text from errors and names can never run as markup.
"use strict";

(() => {
  const token = document.querySelector('meta[name="resilience-antiforgery"]').content;
  const refreshMs = 2000;

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    return node;
  }

  function row(cells) {
    const tr = el("tr");
    for (const cell of cells) {
      const td = el("td");
      if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? "" : String(cell);
      tr.appendChild(td);
    }
    return tr;
  }

  function fill(tableId, rows, columns, emptyText) {
    const body = document.querySelector(`#${tableId} tbody`);
    body.replaceChildren(...rows);
    if (rows.length === 0) body.appendChild(el("tr")).appendChild(el("td", emptyText, { colspan: String(columns), class: "empty" }));
  }

  function time(value) {
    return value ? new Date(value).toLocaleTimeString() : "";
  }

  function button(label, onClick, attrs) {
    const b = el("button", label, Object.assign({ type: "button" }, attrs || {}));
    b.addEventListener("click", onClick);
    return b;
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  async function post(path, method) {
    const response = await fetch(path, {
      method: method || "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", RequestVerificationToken: token },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || body.title || `${response.status}`);
    return body;
  }

  function say(text) {
    document.getElementById("message").textContent = text;
  }

  function confirmDialog(text) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = text;
    return new Promise(resolve => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
    });
  }

  // Every bulk action asks for its dry-run count first and shows it in the confirmation.
  async function bulk(action, group) {
    const filter = `failureGroup=${encodeURIComponent(group)}`;
    try {
      const dry = await post(`api/dead-letters/${action}?${filter}&dryRun=true`);
      if (!(await confirmDialog(`${action[0].toUpperCase()}${action.slice(1)} ${dry.count} dead letter(s) of failure group ${group}?`))) return;
      const done = await post(`api/dead-letters/${action}?${filter}`);
      say(`${action}: ${done.count} dead letter(s)`);
    } catch (error) {
      say(`${action} failed: ${error.message}`);
    }
    await refresh();
  }

  async function breakerAction(name, action) {
    try {
      await post(`api/breakers/${encodeURIComponent(name)}/${action}`);
      say(`${action}: ${name}`);
    } catch (error) {
      say(`${action} failed: ${error.message}`);
    }
    await refresh();
  }

  async function trigger(name) {
    try {
      const result = await post(`api/recovery/workflows/${encodeURIComponent(name)}/trigger`);
      say(`recovery ${name}: ${result.status}`);
    } catch (error) {
      say(`trigger failed: ${error.message}`);
    }
    await refresh();
  }

  function renderBreakers(breakers) {
    fill("breakers", breakers.map(b => {
      const state = el("span", b.state, { class: "state", "data-state": b.state, "data-breaker": b.name });
      const halfOpen = b.secondsUntilHalfOpen === null ? "" : `${Math.ceil(b.secondsUntilHalfOpen)} s`;
      const actions = el("span");
      actions.append(
        button("Isolate", () => breakerAction(b.name, "isolate")),
        button("Close", () => breakerAction(b.name, "close")));
      return row([b.name, state, halfOpen, b.lastFailureType ? `${b.lastFailureType}: ${b.lastFailureMessage}` : "", actions]);
    }), 5, "No circuit breakers yet.");
  }

  function renderLimits(bulkheads, limiters) {
    const rows = bulkheads.map(b => {
      const load = el("meter", null, { min: "0", max: String(b.maxConcurrency), value: String(b.inUse) });
      return row([b.name, `${b.inUse} / ${b.maxConcurrency}`, b.queued, load]);
    }).concat(limiters.map(l => row([`${l.name} (rate limiter)`, `${l.availablePermits ?? "?"} available`, l.queued ?? "", `${l.rejected ?? 0} rejected`])));
    fill("bulkheads", rows, 4, "No bulkheads or rate limiters.");
  }

  function renderDeadLetters(summary) {
    document.getElementById("backlog-total").textContent = String(summary.groups.reduce((sum, g) => sum + g.count, 0));
    fill("dead-letter-groups", summary.groups.map(g => {
      const actions = el("span");
      actions.append(
        button("Replay", () => bulk("replay", g.key), { "data-action": "replay", "data-group": g.key }),
        button("Discard", () => bulk("discard", g.key), { "data-action": "discard", "data-group": g.key }));
      const tr = row([el("code", g.key), g.count, g.operationType, `${g.errorType}: ${g.latestMessage}`, time(g.firstFailedAt), time(g.lastFailedAt), actions]);
      tr.setAttribute("data-group", g.key);
      return tr;
    }), 7, "No dead letter backlog.");
  }

  function renderRecovery(workflows) {
    fill("recovery", workflows.map(w => row([
      w.name, w.state, w.statistics.runs, w.statistics.succeeded, w.statistics.failed,
      w.currentStep ? `running ${w.currentStep}` : "",
      button("Run now", () => trigger(w.name)),
    ])), 7, "No recovery workflows.");
  }

  async function refresh() {
    try {
      const [breakers, bulkheads, limiters, workflows] = await Promise.all([
        getJson("api/breakers"), getJson("api/bulkheads"), getJson("api/rate-limiters"), getJson("api/recovery/workflows"),
      ]);
      renderBreakers(breakers);
      renderLimits(bulkheads, limiters);
      renderRecovery(workflows);
      try {
        renderDeadLetters(await getJson("api/dead-letters/summary"));
      } catch {
        fill("dead-letter-groups", [], 7, "No dead letter queue.");
      }
      document.getElementById("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      document.getElementById("updated").textContent = `refresh failed: ${error.message}`;
    }
  }

  refresh();
  setInterval(refresh, refreshMs);
})();
