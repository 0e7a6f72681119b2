/// The console's script (`GET /console.js`): reads the documented API and renders it with
/// DOM calls (text nodes only, never HTML made from data), refreshing every 5 s.
enum ConsoleScript {
    static let source = ##"""
// The recorder's console: reads the documented API (listStreams, listConfig, listRecordings,
// storageInfo, version) and calls record / removeConfig after a confirmation. No framework,
// no request outside this server. Everything a publisher or a path can name (stream names,
// files) goes into the page as text, never as HTML.
"use strict";

const REFRESH_MS = 5000;
// A hole between two recordings of a stream shorter than this is the chunk boundary's
// rounding, not a gap.
const GAP_TOLERANCE_S = 1.5;

const state = { streams: [], configs: [], recordings: [], storage: null, selectedStream: null };

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function query(params) {
  return Object.entries(params).filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v)).join("&");
}

async function api(command, params) {
  const response = await fetch("/" + command + (params ? "?" + query(params) : ""), { credentials: "same-origin" });
  if (response.status === 401) { location.reload(); throw new Error("login needed"); }
  const answer = await response.json();
  if (answer.status !== "SUCCESS") throw new Error(answer.description);
  return answer.data;
}

function bytes(n) {
  if (n === null || n === undefined) return "?";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return (i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)) + " " + units[i];
}

// 6.04 -> "6.0s", 86400 -> "24h", 3725 -> "1h 2m 5s".
function seconds(s) {
  if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + "s";
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return [h ? h + "h" : "", m ? m + "m" : "", r ? r + "s" : ""].filter(Boolean).join(" ");
}

function two(n) { return String(n).padStart(2, "0"); }
function localDay(t) { const d = new Date(t * 1000); return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()); }
function localTime(t) { const d = new Date(t * 1000); return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()); }
function localInput(t) { return localDay(t) + "T" + localTime(t); }

// listStreams describes tracks as text ("h264 640x360"), listRecordings as objects.
function describeVideo(v) {
  if (!v) return "none";
  return typeof v === "string" ? v : [v.codec, v.width && v.height ? v.width + "x" + v.height : null].filter(Boolean).join(" ");
}
function describeAudio(a) {
  if (!a) return "none";
  return typeof a === "string" ? a : [a.codec, a.sampleRate ? a.sampleRate + " Hz" : null, a.channels ? a.channels + " ch" : null].filter(Boolean).join(" ");
}
function describeTracks(tracks) {
  return (tracks || []).map(t => t.width ? describeVideo(t) : describeAudio(t)).join(", ");
}

function showError(where, error) {
  const box = document.getElementById(where);
  box.replaceChildren(el("p", { className: "error" }, String(error.message || error)));
}

// MARK: Live streams

function renderStreams() {
  const rows = state.streams.map(s => el("tr", { "data-stream": s.localStreamName },
    el("td", {}, s.localStreamName),
    el("td", {}, s.source, s.clientAddress ? el("div", { className: "dim" }, s.clientAddress) : null),
    el("td", {}, describeVideo(s.video)),
    el("td", {}, describeAudio(s.audio)),
    el("td", { className: "num" }, s.bitrateKbps + " kbps"),
    el("td", {}, el("span", { className: s.active ? "pill live" : "pill" }, s.active ? "live" : "inactive")),
    el("td", {}, s.recording
      ? [el("span", { className: "pill rec" }, "recording"), el("div", { className: "dim" }, (s.currentFile || "between chunks") + " · " + seconds(s.duration) + " · " + bytes(s.bytes))]
      : el("span", { className: "pill" }, "not recorded"),
      s.lastError ? el("div", { className: "error" }, s.lastError) : null,
      (s.notRecorded || []).map(n => el("div", { className: "dim" }, n))),
    el("td", {}, el("button", { onclick: () => prefillRecord(s.localStreamName) }, "Record…"))));
  document.getElementById("streams").replaceChildren(rows.length
    ? el("table", {}, el("thead", {}, el("tr", {}, ["Stream", "Protocol", "Video", "Audio", "Bitrate", "State", "Recording", ""].map(h => el("th", {}, h)))), el("tbody", {}, rows))
    : el("p", { className: "dim" }, "No live streams."));
}

// MARK: Record configs

function renderConfigs() {
  const rows = state.configs.map(c => el("tr", { "data-config": c.configId },
    el("td", { className: "num" }, c.configId),
    el("td", {}, c.localStreamName),
    el("td", {}, c.pathToFile, el("div", { className: "dim" }, c.type + (c.chunkLength ? ", chunks of " + seconds(c.chunkLength) : ", one file") + (c.dateFolderStructure ? ", date folders" : ""))),
    el("td", {}, el("span", { className: "pill " + (c.state === "recording" ? "rec" : c.state === "error" || c.state === "paused" ? "bad" : "") }, c.state),
      c.lastError ? el("div", { className: "error" }, c.lastError) : null),
    el("td", { className: "num" }, (c.filesWritten || []).length),
    el("td", {}, [c.retentionAge ? "age " + seconds(c.retentionAge) : null, c.retentionBytes ? "max " + bytes(c.retentionBytes) : null].filter(Boolean).join(", ") || "global"),
    el("td", {}, el("button", { className: "danger", onclick: () => stopConfig(c) }, "Stop"))));
  document.getElementById("configs").replaceChildren(rows.length
    ? el("table", {}, el("thead", {}, el("tr", {}, ["Id", "Stream", "Path", "State", "Files", "Retention", ""].map(h => el("th", {}, h)))), el("tbody", {}, rows))
    : el("p", { className: "dim" }, "No record configs."));
}

function prefillRecord(name) {
  const form = document.getElementById("record-form");
  form.localStreamName.value = name;
  if (!form.pathToFile.value) form.pathToFile.value = name;
  form.localStreamName.focus();
}

async function startRecording(event) {
  event.preventDefault();
  const form = event.target;
  const params = { localStreamName: form.localStreamName.value.trim(), pathToFile: form.pathToFile.value.trim(), type: form.type.value,
                   chunkLength: form.chunkLength.value };
  if (!params.localStreamName || !params.pathToFile) return;
  if (!confirm("Record stream \"" + params.localStreamName + "\" to " + params.pathToFile + " (" + params.type + ")?")) return;
  try {
    const data = await api("record", params);
    document.getElementById("record-result").textContent = "Config " + data.configId + " writes " + data.computedPathToFile;
  } catch (error) { document.getElementById("record-result").textContent = error.message; }
  refresh();
}

async function stopConfig(config) {
  if (!confirm("Stop recording \"" + config.localStreamName + "\" (config " + config.configId + ")? The open file is closed and kept.")) return;
  try { await api("removeConfig", { id: config.configId }); } catch (error) { alert(error.message); }
  refresh();
}

// MARK: Recordings

function recordingsByStream() {
  const byStream = new Map();
  for (const r of state.recordings) {
    if (!byStream.has(r.localStreamName)) byStream.set(r.localStreamName, []);
    byStream.get(r.localStreamName).push(r);
  }
  for (const list of byStream.values()) list.sort((a, b) => a.startTime - b.startTime);
  return byStream;
}

function renderRecordings() {
  const byStream = recordingsByStream();
  const names = [...byStream.keys()].sort();
  if (!names.includes(state.selectedStream)) state.selectedStream = names[0] || null;
  const picker = el("div", { className: "tabs" }, names.map(n => el("button", {
    className: n === state.selectedStream ? "tab selected" : "tab", "data-stream": n,
    onclick: () => { state.selectedStream = n; renderRecordings(); prefillExport(); } }, n, " ", el("span", { className: "dim" }, byStream.get(n).length))));
  const list = byStream.get(state.selectedStream) || [];
  const days = new Map();
  let previousEnd = null;
  for (const r of list) {
    const gap = previousEnd !== null && r.startTime - previousEnd > GAP_TOLERANCE_S ? r.startTime - previousEnd : 0;
    previousEnd = Math.max(previousEnd || 0, r.startTime + r.duration);
    const day = localDay(r.startTime);
    if (!days.has(day)) days.set(day, []);
    days.get(day).push({ recording: r, gap });
  }
  const sections = [...days.entries()].reverse().map(([day, items]) => {
    const total = items.reduce((s, i) => s + i.recording.duration, 0), size = items.reduce((s, i) => s + i.recording.bytes, 0);
    const gaps = items.filter(i => i.gap > 0).length;
    return el("details", { open: true, className: "day", "data-day": day },
      el("summary", {}, day, el("span", { className: "dim" }, " · " + items.length + " recording(s) · " + seconds(total) + " · " + bytes(size) + " · " + (gaps ? gaps + " gap(s)" : "no gaps"))),
      el("table", {}, el("thead", {}, el("tr", {}, ["Start", "Duration", "Size", "Tracks", "State", ""].map(h => el("th", {}, h)))),
        el("tbody", {}, items.flatMap(({ recording: r, gap }) => [
          gap ? el("tr", { className: "gap" }, el("td", { colspan: 6 }, "gap of " + seconds(gap) + " before " + localTime(r.startTime))) : null,
          el("tr", { className: "recording", "data-file": r.file, "data-state": r.state },
            el("td", {}, localTime(r.startTime), el("div", { className: "dim path" }, r.file)),
            el("td", { className: "num" }, seconds(r.duration)),
            el("td", { className: "num" }, bytes(r.bytes)),
            el("td", {}, describeTracks(r.tracks)),
            el("td", {}, el("span", { className: "pill " + (r.state === "recording" ? "rec" : "") }, r.state)),
            el("td", {}, isFinished(r)
              ? [isPlayable(r) ? [el("button", { className: "play", onclick: () => playRecording(r) }, "Play"), " "] : null,
                 el("a", { href: mediaURL(r.file), download: r.file.split("/").pop() }, "download")]
              : el("span", { className: "dim" }, "not finished")))]))));
  });
  document.getElementById("recordings").replaceChildren(names.length ? picker : el("p", { className: "dim" }, "No recordings."), ...sections);
}

function isFinished(r) { return r.state === "finalized" || r.state === "recovered"; }
// Browsers play MP4, not FLV or MPEG-TS: those are for download.
function isPlayable(r) { return isFinished(r) && /\.mp4$/i.test(r.file); }
function mediaURL(file) { return "/media?" + query({ file }); }

// The recordings asked for: those reaching into the last N days the picker says (all: none
// left out), at most the API's page limit.
function recordingsWindow() {
  const days = Number(document.getElementById("days").value);
  return { limit: 100000, startTime: days ? Math.floor(Date.now() / 1000 - days * 86400) : undefined };
}

// MARK: Storage

function renderStorage() {
  const s = state.storage;
  if (!s) return;
  const limits = s.retention;
  const rows = s.roots.map(root => {
    const used = root.sizeBytes ? root.sizeBytes - root.freeBytes : 0;
    // Through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    const fill = el("div", { className: "fill" });
    fill.style.width = root.sizeBytes ? Math.min(100, 100 * used / root.sizeBytes).toFixed(1) + "%" : "0";
    const bar = root.sizeBytes ? el("div", { className: "bar" }, fill) : null;
    return el("tr", { "data-root": root.root },
      el("td", {}, root.root, root.belowFloor ? el("div", { className: "error" }, "under the free-space floor: recording paused") : null,
        root.error ? el("div", { className: "error" }, root.error) : null),
      el("td", { className: "num" }, bytes(root.usedBytes), el("div", { className: "dim" }, root.recordings + " recording(s)")),
      el("td", { className: "num" }, bytes(root.freeBytes)),
      el("td", { className: "num" }, bytes(root.sizeBytes)),
      el("td", {}, bar));
  });
  document.getElementById("storage").replaceChildren(
    el("table", {}, el("thead", {}, el("tr", {}, ["Root", "Recordings", "Free", "Filesystem", ""].map(h => el("th", {}, h)))), el("tbody", {}, rows)),
    el("p", { className: "dim" }, "Retention: " + [
      limits.maxAgeSeconds ? "delete after " + seconds(limits.maxAgeSeconds) : "no age limit",
      limits.maxBytes ? "keep under " + bytes(limits.maxBytes) : "no size limit",
      limits.minFreeBytes ? "keep " + bytes(limits.minFreeBytes) + " free per filesystem" : "no free-space floor"].join(" · ") +
      " (record configs may set their own age and size: see the configs above)."));
}

// MARK: Player

function play(url, title) {
  const video = document.getElementById("player");
  document.getElementById("player-title").textContent = title;
  document.getElementById("player-error").textContent = "";
  video.src = url;
  video.play().catch(() => {});
  document.getElementById("player-section").scrollIntoView({ block: "nearest" });
}

function playRecording(r) { play(mediaURL(r.file), r.localStreamName + " · " + localDay(r.startTime) + " " + localTime(r.startTime)); }

function prefillExport() {
  const form = document.getElementById("export-form");
  const list = recordingsByStream().get(state.selectedStream) || [];
  form.localStreamName.value = state.selectedStream || "";
  const done = list.filter(isPlayable);
  if (done.length && !form.start.value) {
    form.start.value = localInput(Math.floor(done[0].startTime));
    form.end.value = localInput(Math.ceil(done[done.length - 1].startTime + done[done.length - 1].duration));
  }
  updateRangeLinks();
}

// The range's query: the stream and whole Unix seconds covering the picked times.
function rangeQuery(form) {
  const start = new Date(form.start.value).getTime() / 1000, end = new Date(form.end.value).getTime() / 1000;
  return query({ localStreamName: form.localStreamName.value, start: Math.floor(start), end: Math.ceil(end) });
}

// The download and playlist links follow the form (players and ffmpeg take the playlists).
function updateRangeLinks() {
  const form = document.getElementById("export-form");
  const ready = form.localStreamName.value && form.start.value && form.end.value;
  for (const [id, path] of [["export-download", "/export"], ["export-m3u8", "/playlist.m3u8"], ["export-ffconcat", "/playlist.ffconcat"]]) {
    const link = document.getElementById(id);
    if (ready) link.href = path + "?" + rangeQuery(form); else link.removeAttribute("href");
  }
}

function playExport(event) {
  event.preventDefault();
  const form = event.target;
  if (!form.localStreamName.value || !form.start.value || !form.end.value) return;
  updateRangeLinks();
  play("/export?" + rangeQuery(form), form.localStreamName.value + " · " + form.start.value.replace("T", " ") + " to " + form.end.value.replace("T", " "));
}

// MARK: Refresh

async function refresh() {
  const tasks = [
    api("listStreams").then(d => { state.streams = d; renderStreams(); }).catch(e => showError("streams", e)),
    api("listConfig").then(d => { state.configs = d.record; renderConfigs(); }).catch(e => showError("configs", e)),
    api("listRecordings", recordingsWindow()).then(d => { state.recordings = d; renderRecordings(); prefillExport(); }).catch(e => showError("recordings", e)),
    api("storageInfo").then(d => { state.storage = d; renderStorage(); }).catch(e => showError("storage", e)),
  ];
  await Promise.all(tasks);
  document.getElementById("updated").textContent = "updated " + localTime(Date.now() / 1000);
  document.body.dataset.loaded = "1";
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("record-form").addEventListener("submit", startRecording);
  document.getElementById("export-form").addEventListener("submit", playExport);
  document.getElementById("export-form").addEventListener("input", updateRangeLinks);
  document.getElementById("refresh").addEventListener("click", refresh);
  document.getElementById("days").addEventListener("change", refresh);
  const video = document.getElementById("player");
  video.addEventListener("error", () => {
    document.getElementById("player-error").textContent = "cannot play: " + (video.error ? video.error.message || "error " + video.error.code : "error");
  });
  api("version").then(d => { document.getElementById("version").textContent = d.banner; }).catch(() => {});
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
});
"""##
}
