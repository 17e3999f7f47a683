// vodstream label: the crops in time order; label by typing only where the counter changes.
//
// Model: `marks` holds the values the user typed, at the crop where each starts (a value
// flows forward until the next mark, as in the 2019 write-up's labelling app); CLEAR is a
// mark that ends a flow (the crops after it are unlabelled). `unread` holds crops marked
// unreadable; they do not break the flow around them. A crop's label is derived from both.
"use strict";

const CLEAR = -1;
const state = {
  vod: null, crops: [], marks: new Map(), unread: new Set(),
  cursor: 0, anchor: 0, dirty: false, sureOrder: null, surePos: -1, cells: [], shown: [],
};
const $ = (id) => document.getElementById(id);

function status(text, kind) {
  const el = $("status");
  el.textContent = text;
  el.className = (kind || "") + (state.dirty ? " dirty" : "");
}

function fmtTime(t) {
  const s = Math.floor(t), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(r).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

// -- the label model ------------------------------------------------------------------------
function flows() {
  const out = new Array(state.crops.length);
  let cur = CLEAR;
  for (let i = 0; i < out.length; i++) {
    if (state.marks.has(i)) cur = state.marks.get(i);
    out[i] = cur;
  }
  return out;
}

// per crop: null (unlabelled), "x" (unreadable) or the kill count
function effective() {
  return flows().map((v, i) => (state.unread.has(i) ? "x" : v === CLEAR ? null : v));
}

function normalise() {
  let cur = CLEAR;
  for (const i of [...state.marks.keys()].sort((a, b) => a - b)) {
    const v = state.marks.get(i);
    if (v === cur) state.marks.delete(i);
    else cur = v;
  }
}

function range() {
  return [Math.min(state.cursor, state.anchor), Math.max(state.cursor, state.anchor)];
}

// change crops a..b with fn, keeping what the crops after b showed before
function editRange(a, b, fn) {
  const n = state.crops.length;
  const before = flows();
  fn(before);
  if (b + 1 < n && !state.marks.has(b + 1)) state.marks.set(b + 1, before[b + 1]);
  normalise();
  changed();
}

function applyValue(v) {
  const [a, b] = range();
  if (a === b) {                       // one crop: the value flows on until the next change
    state.marks.set(a, v);
    state.unread.delete(a);
    normalise();
    changed();
    return;
  }
  editRange(a, b, () => {
    for (let i = a; i <= b; i++) { state.marks.delete(i); state.unread.delete(i); }
    state.marks.set(a, v);
  });
}

function clearSelection() {
  const [a, b] = range();
  editRange(a, b, () => {
    for (let i = a; i <= b; i++) { state.marks.delete(i); state.unread.delete(i); }
    state.marks.set(a, CLEAR);
  });
}

function toggleUnreadable() {
  const [a, b] = range();
  let all = true;
  for (let i = a; i <= b; i++) if (!state.unread.has(i)) all = false;
  for (let i = a; i <= b; i++) { if (all) state.unread.delete(i); else state.unread.add(i); }
  changed();
}

function takeReader() {
  const [a, b] = range();
  editRange(a, b, () => {
    for (let i = a; i <= b; i++) {
      state.unread.delete(i);
      const r = state.crops[i].reading;
      if (r === null || r === undefined) state.marks.delete(i); else state.marks.set(i, r);
    }
  });
}

function loadLabels(labels) {
  const saved = new Map(labels.map((l) => [l.frame_num, l.label]));
  let prev = CLEAR;
  for (let i = 0; i < state.crops.length; i++) {
    if (!saved.has(i)) {
      if (prev !== CLEAR) { state.marks.set(i, CLEAR); prev = CLEAR; }
      continue;
    }
    const v = saved.get(i);
    if (v === null) { state.unread.add(i); continue; }
    if (v !== prev) { state.marks.set(i, v); prev = v; }
  }
}

// The view: a VIEW_W x VIEW_H window (560x175 reference px of the HUD crop) around the skull,
// so the counter is large; without a skull, around where the kill box usually sits.
const REF_W = 560, VIEW_W = 110, VIEW_H = 50;
function place(img, skull) {
  const [x, y] = skull ? [skull[0] - 16, skull[1] - 14] : [150, 20];
  img.style.width = `${(100 * REF_W) / VIEW_W}%`;
  img.style.left = `${(-100 * x) / VIEW_W}%`;
  img.style.top = `${(-100 * y) / VIEW_H}%`;
}

// -- drawing --------------------------------------------------------------------------------
function build() {
  const grid = $("grid");
  grid.textContent = "";
  state.cells = state.crops.map((c, i) => {
    const cell = document.createElement("div");
    cell.className = "cell";
    cell.dataset.frame = String(c.frame_num);
    cell.title = `frame ${c.frame_num} at ${fmtTime(c.vod_time)} (${c.vod_time.toFixed(1)} s); reader: ${c.reason}`;
    const view = document.createElement("div");
    view.className = "view";
    const img = document.createElement("img");
    place(img, c.skull);
    img.loading = "lazy";
    img.alt = `crop ${c.frame_num}`;
    img.src = `/crops/${encodeURIComponent(c.crop)}`;
    const t = document.createElement("span");
    t.className = "t";
    t.textContent = fmtTime(c.vod_time);
    view.append(img, t);
    const meta = document.createElement("div");
    meta.className = "meta";
    const reader = document.createElement("span");
    const known = c.reading !== null && c.reading !== undefined;
    reader.className = "reader" + (known ? "" : " unknown");
    reader.textContent = `${known ? c.reading : "?"} \u00b7 ${c.confidence.toFixed(2)}`;
    const label = document.createElement("span");
    label.className = "label";
    meta.append(reader, label);
    cell.append(view, meta);
    cell.addEventListener("click", (ev) => select(i, ev.shiftKey));
    grid.append(cell);
    return { cell, label };
  });
  state.shown = new Array(state.crops.length).fill(undefined);
}

function render() {
  const eff = effective();
  const [a, b] = range();
  let labelled = 0;
  for (let i = 0; i < state.cells.length; i++) {
    const { cell, label } = state.cells[i];
    const v = eff[i];
    if (v !== null) labelled++;
    const r = state.crops[i].reading;
    const key = `${v}|${state.marks.has(i)}|${i >= a && i <= b}|${i === state.cursor}`;
    if (state.shown[i] === key) continue;
    state.shown[i] = key;
    cell.classList.toggle("sel", i >= a && i <= b);
    cell.classList.toggle("cursor", i === state.cursor);
    label.textContent = v === null ? "\u2013" : v === "x" ? "\u2715" : String(v);
    label.title = v === null ? "unlabelled" : v === "x" ? "unreadable" : "your label";
    label.className = "label" + (v === null ? "" : v === "x" ? " unreadable" : state.marks.has(i) ? " mark" : " flow")
      + (v !== null && v !== "x" && v !== r ? " differs" : "");
    cell.dataset.label = v === null ? "" : String(v);
  }
  state.labelled = labelled;
}

function changed() {
  state.dirty = true;
  render();
  status(`${state.labelled} of ${state.crops.length} labelled`);
}

function select(i, extend) {
  const n = state.crops.length;
  if (!n) return;
  i = Math.max(0, Math.min(n - 1, i));
  state.cursor = i;
  if (!extend) state.anchor = i;
  render();
  state.cells[i].cell.scrollIntoView({ block: "nearest" });
  $("grid").focus({ preventScroll: true });
}

function columns() {
  const cells = state.cells;
  if (cells.length < 2) return 1;
  const top = cells[0].cell.offsetTop;
  let k = 1;
  while (k < cells.length && cells[k].cell.offsetTop === top) k++;
  return k;
}

// the least sure crops first: the reader's unknowns, then by rising confidence
function leastSure() {
  if (!state.sureOrder) {
    state.sureOrder = state.crops.map((c, i) => i).sort((x, y) => {
      const cx = state.crops[x], cy = state.crops[y];
      const sx = cx.reading === null ? -1 : cx.confidence, sy = cy.reading === null ? -1 : cy.confidence;
      return sx - sy || x - y;
    });
  }
  const eff = effective(), order = state.sureOrder, n = order.length;
  for (let k = 1; k <= n; k++) {
    const pos = (state.surePos + k) % n;
    if (eff[order[pos]] === null) {
      state.surePos = pos;
      select(order[pos], false);
      state.cells[order[pos]].cell.scrollIntoView({ block: "center" });
      status(`least sure unlabelled: frame ${order[pos]} (reader ${state.crops[order[pos]].reading ?? "?"})`);
      return;
    }
  }
  status("every crop is labelled");
}

async function save() {
  const eff = effective();
  const labels = [];
  eff.forEach((v, i) => { if (v !== null) labels.push({ frame_num: state.crops[i].frame_num, label: v === "x" ? null : v }); });
  status("saving\u2026");
  try {
    const resp = await fetch("/api/labels", {
      method: "PUT", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ vod_id: state.vod, labels }),
    });
    const doc = await resp.json();
    if (!resp.ok) throw new Error(doc.error || resp.statusText);
    state.dirty = false;
    status(`saved ${doc.saved} labels to ${doc.path}`, "saved");
  } catch (err) {
    status(`not saved: ${err.message}`, "error");
  }
}

function applyTyped() {
  const text = $("value").value.trim();
  if (text === "") return;
  const v = Number(text);
  if (!/^\d{1,2}$/.test(text)) { status(`not a kill count: ${text}`, "error"); return; }
  applyValue(v);
  $("value").value = "";
}

// -- input ------------------------------------------------------------------------------------
document.addEventListener("keydown", (ev) => {
  const input = $("value");
  const inInput = ev.target === input;
  if ((ev.key === "s" || ev.key === "S") && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); save(); return; }
  if (inInput) {
    if (ev.key === "Enter") { ev.preventDefault(); applyTyped(); $("grid").focus(); }
    else if (ev.key === "Escape") { input.value = ""; $("grid").focus(); }
    return;
  }
  if (ev.target instanceof HTMLButtonElement && (ev.key === "Enter" || ev.key === " ")) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns(), ArrowUp: -columns() }[ev.key];
  if (step !== undefined) { ev.preventDefault(); select(state.cursor + step, ev.shiftKey); return; }
  if (ev.key === "Home") { ev.preventDefault(); select(0, ev.shiftKey); return; }
  if (ev.key === "End") { ev.preventDefault(); select(state.crops.length - 1, ev.shiftKey); return; }
  if (/^[0-9]$/.test(ev.key)) {
    ev.preventDefault();
    input.value = (input.value.length >= 2 ? "" : input.value) + ev.key;
    status(`value ${input.value}: Enter applies it`);
    return;
  }
  switch (ev.key) {
    case "Enter": ev.preventDefault(); applyTyped(); break;
    case "Backspace":
      ev.preventDefault();
      if (input.value) input.value = input.value.slice(0, -1); else clearSelection();
      break;
    case "Delete": ev.preventDefault(); clearSelection(); break;
    case "u": case "U": case "x": case "X": ev.preventDefault(); toggleUnreadable(); break;
    case "r": case "R": ev.preventDefault(); takeReader(); break;
    case "n": case "N": ev.preventDefault(); leastSure(); break;
    case "s": case "S": ev.preventDefault(); save(); break;
    case "Escape": input.value = ""; select(state.cursor, false); break;
    default: break;
  }
});

$("apply").addEventListener("click", applyTyped);
$("unreadable").addEventListener("click", toggleUnreadable);
$("clear").addEventListener("click", clearSelection);
$("reader").addEventListener("click", takeReader);
$("leastsure").addEventListener("click", leastSure);
$("save").addEventListener("click", save);
window.addEventListener("beforeunload", (ev) => { if (state.dirty) { ev.preventDefault(); ev.returnValue = ""; } });

async function start() {
  try {
    const resp = await fetch("/api/crops");
    const doc = await resp.json();
    if (!resp.ok) throw new Error(doc.error || resp.statusText);
    state.vod = doc.vod_id;
    state.crops = doc.crops;
    $("vod").textContent = `VOD ${doc.vod_id} \u00b7 ${doc.crops.length} crops \u00b7 ${doc.sampling}` +
      (doc.model ? ` \u00b7 model ${doc.model}` : "");
    build();
    loadLabels(doc.labels || []);
    state.dirty = false;
    render();
    status(`${state.labelled} of ${state.crops.length} labelled`);
    document.body.dataset.ready = "1";
    $("grid").focus();
  } catch (err) {
    status(`cannot load the crops: ${err.message}`, "error");
  }
}

start();
