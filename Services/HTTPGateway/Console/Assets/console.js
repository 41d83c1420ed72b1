// Monolog console: plain JavaScript over the JSON API (/api/openapi.json describes it).
// Every value from the broker goes into the page through textContent, never as HTML.
"use strict";

const refreshMs = 2000;
const state = { topic: null, group: null, previousCounts: new Map(), previousTime: 0 };

const $ = (selector) => document.querySelector(selector);

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body.error || {};
    throw new Error(`${error.code || response.status}: ${error.message || response.statusText}`);
  }
  return body;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function formatBytes(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

async function refreshReadiness() {
  const badge = $("#readiness");
  try {
    await api("/readyz");
    badge.textContent = "ready";
    badge.className = "badge ok";
  } catch (error) {
    badge.textContent = "not ready";
    badge.title = error.message;
    badge.className = "badge bad";
  }
}

async function refreshTopics() {
  const { topics } = await api("/api/topics");
  const now = performance.now();
  const seconds = state.previousTime ? (now - state.previousTime) / 1000 : 0;
  const body = $("#topics tbody");
  body.replaceChildren();
  for (const topic of topics) {
    const row = body.insertRow();
    row.className = "clickable" + (topic.name === state.topic ? " selected" : "");
    row.dataset.topic = topic.name;
    cell(row, topic.name);
    cell(row, String(topic.partitions), "num");
    cell(row, topic.messages.toLocaleString("en-US"), "num messages");
    cell(row, formatBytes(topic.bytes), "num");
    const before = state.previousCounts.get(topic.name);
    const rate = seconds > 0 && before !== undefined ? Math.max(0, (topic.messages - before) / seconds) : null;
    cell(row, rate === null ? "–" : rate.toFixed(rate < 10 ? 1 : 0), "num");
    row.addEventListener("click", () => selectTopic(topic.name));
  }
  state.previousCounts = new Map(topics.map((topic) => [topic.name, topic.messages]));
  state.previousTime = now;
  $("#topics-empty").hidden = topics.length > 0;
}

async function selectTopic(name) {
  state.topic = name;
  for (const row of document.querySelectorAll("#topics tbody tr")) {
    row.classList.toggle("selected", row.dataset.topic === name);
  }
  const topic = await api(`/api/topics/${encodeURIComponent(name)}`);
  $("#browser-section").hidden = false;
  $("#browser-topic").textContent = name;
  const select = $("#browser-partition");
  select.replaceChildren();
  for (const partition of topic.partitions) {
    const option = document.createElement("option");
    option.value = String(partition.partition);
    option.textContent = `${partition.partition} (offsets ${partition.log_start_offset}–${partition.high_watermark})`;
    select.append(option);
  }
  $("#browser-offset").value = String(topic.partitions[0] ? topic.partitions[0].log_start_offset : 0);
  await readMessages();
}

async function readMessages() {
  const partition = $("#browser-partition").value || "0";
  const offset = $("#browser-offset").value || "0";
  const limit = $("#browser-limit").value || "20";
  const body = $("#messages tbody");
  try {
    const page = await api(
      `/api/topics/${encodeURIComponent(state.topic)}/messages?partition=${partition}&offset=${offset}&limit=${limit}`
    );
    body.replaceChildren();
    for (const message of page.messages) {
      const row = body.insertRow();
      cell(row, String(message.offset), "num");
      cell(row, new Date(message.timestamp).toISOString());
      cell(row, message.key ?? "");
      cell(row, message.value ?? (message.value_base64 !== undefined ? `base64: ${message.value_base64}` : "null"), "value");
      cell(row, message.headers ? Object.entries(message.headers).map(([k, v]) => `${k}=${v}`).join(", ") : "");
    }
    $("#browser-watermarks").textContent =
      `${page.messages.length} message(s); next offset ${page.next_offset}; high watermark ${page.high_watermark}`;
    $("#browser-next").dataset.next = String(page.next_offset);
  } catch (error) {
    $("#browser-watermarks").textContent = error.message;
  }
}

async function refreshGroups() {
  const { groups } = await api("/api/groups");
  const body = $("#groups tbody");
  body.replaceChildren();
  for (const group of groups) {
    const row = body.insertRow();
    row.className = "clickable" + (group.group === state.group ? " selected" : "");
    cell(row, group.group);
    cell(row, String(group.partitions), "num");
    cell(row, group.total_lag.toLocaleString("en-US"), "num");
    row.addEventListener("click", () => { state.group = group.group; refreshGroupLag(); });
  }
  $("#groups-empty").hidden = groups.length > 0;
  if (state.group) await refreshGroupLag();
}

async function refreshGroupLag() {
  const table = $("#group-lag");
  try {
    const detail = await api(`/api/groups/${encodeURIComponent(state.group)}`);
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const offset of detail.offsets) {
      const row = body.insertRow();
      cell(row, offset.topic);
      cell(row, String(offset.partition), "num");
      cell(row, String(offset.committed_offset), "num");
      cell(row, String(offset.high_watermark), "num");
      cell(row, String(offset.lag), "num");
    }
    table.hidden = false;
  } catch {
    state.group = null;
    table.hidden = true;
  }
}

async function produce(event) {
  event.preventDefault();
  const result = $("#produce-result");
  const topic = $("#produce-topic").value.trim();
  const message = { value: $("#produce-value").value };
  const key = $("#produce-key").value;
  if (key !== "") message.key = key;
  const partition = $("#produce-partition").value;
  if (partition !== "") message.partition = Number(partition);
  try {
    const answer = await api(`/api/topics/${encodeURIComponent(topic)}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(message),
    });
    result.className = "";
    result.textContent = `stored at partition ${answer.partition}, offset ${answer.offset}`;
    await refreshTopics();
  } catch (error) {
    result.className = "error";
    result.textContent = error.message;
  }
}

async function refresh() {
  try {
    await Promise.all([refreshReadiness(), refreshTopics(), refreshGroups()]);
    $("#updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $("#updated").textContent = `update failed: ${error.message}`;
  }
}

$("#produce-form").addEventListener("submit", produce);
$("#browser-form").addEventListener("submit", (event) => { event.preventDefault(); readMessages(); });
$("#browser-next").addEventListener("click", () => {
  $("#browser-offset").value = $("#browser-next").dataset.next || "0";
  readMessages();
});
refresh();
setInterval(refresh, refreshMs);
// A link to /?topic=NAME opens that topic's messages.
const linkedTopic = new URLSearchParams(location.search).get("topic");
if (linkedTopic) selectTopic(linkedTopic).catch((error) => { $("#updated").textContent = error.message; });
