/// The console's page (`GET /`): the layout the script fills in; no data of its own, so it
/// never holds anything a client sent.
enum ConsolePage {
    static let html = ##"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Recorder console</title>
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<header>
  <h1>Recorder</h1>
  <span id="version" class="dim"></span>
  <span class="spacer"></span>
  <span id="updated" class="dim"></span>
  <button id="refresh">Refresh</button>
  <a href="/logout">Log out</a>
</header>
<main>
  <section>
    <h2>Live streams</h2>
    <div id="streams"><p class="dim">Loading…</p></div>
  </section>
  <section>
    <h2>Record configs</h2>
    <div id="configs"><p class="dim">Loading…</p></div>
    <form id="record-form" class="inline">
      <label>Stream <input name="localStreamName" required placeholder="cam1"></label>
      <label>Path <input name="pathToFile" required placeholder="cam1 (in the media folder)"></label>
      <label>Type <select name="type"><option>mp4</option><option>flv</option><option>ts</option></select></label>
      <label>Chunk seconds <input name="chunkLength" type="number" min="0" max="86400" value="600"></label>
      <button type="submit">Record…</button>
      <span id="record-result" class="dim"></span>
    </form>
  </section>
  <section>
    <h2>Recordings
      <select id="days" title="recordings that reach into this period">
        <option value="1">last day</option><option value="7" selected>last 7 days</option>
        <option value="30">last 30 days</option><option value="0">all</option>
      </select>
    </h2>
    <div id="recordings"><p class="dim">Loading…</p></div>
  </section>
  <section id="player-section">
    <h2>Player</h2>
    <form id="export-form" class="inline">
      <label>Stream <input name="localStreamName" required></label>
      <label>From <input name="start" type="datetime-local" step="1" required></label>
      <label>To <input name="end" type="datetime-local" step="1" required></label>
      <button type="submit">Play export</button>
      <a id="export-download" download>download</a>
      <a id="export-m3u8">HLS playlist</a>
      <a id="export-ffconcat">ffconcat list</a>
    </form>
    <p id="player-title" class="dim">Pick a finished recording (Play) or a time range (Play export).</p>
    <video id="player" controls preload="metadata" playsinline></video>
    <p id="player-error" class="error"></p>
  </section>
  <section>
    <h2>Storage</h2>
    <div id="storage"><p class="dim">Loading…</p></div>
  </section>
</main>
</body>
</html>
"""##
}
