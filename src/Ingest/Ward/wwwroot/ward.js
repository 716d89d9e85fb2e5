// The ward view: one tile per bed, refreshed when the ingest says a gateway's data changed (server-sent events).
'use strict';
(() => {
  const { label, waveform, byClinicalOrder, escape, age, priorityMark, json } = EdgeTwin;
  const ward = document.getElementById('ward');
  const live = document.getElementById('live');
  let last = null;

  // A chain's state in words (docs/protocol.md §8): verified through, pending, missing, BROKEN.
  const chainText = (c) => `${escape(c.lane)}: ${c.state === 'broken' ? `BROKEN (${escape(c.problems)}), ` : c.state === 'gaps' ? `${c.missing} missing, ` : ''}verified through ${c.verifiedThrough}, ${c.pending} pending`;
  const chainAttrs = (c) => `data-chain-state="${escape(c.state)}" data-lane="${escape(c.lane)}" data-verified-through="${c.verifiedThrough}" data-pending="${c.pending}" title="${escape(c.lane)} ${escape(c.epoch)}"`;
  const chainBadge = (c) => `<span class="badge ${escape(c.state)}" ${chainAttrs(c)}>${chainText(c)}</span>`;
  // On a tile: the chains carrying this bed's records, and when anchoring is on the newest anchor holding
  // one of their checkpoints (g.anchor: not the ingest's latest anchor, which may hold none of them).
  const anchorText = (a) => a ? `last anchor #${escape(a.index)}, ${age(a.at)}` : 'not anchored yet';
  const tileChains = (g, anchoring) => `<ul class="chains" aria-label="record chains">${g.chains.map((c) => `<li class="${escape(c.state)}" ${chainAttrs(c)}>${chainText(c)}</li>`).join('')}${anchoring ? `<li class="anchor" data-anchor="${g.anchor ? escape(g.anchor.index) : 'none'}">${anchorText(g.anchor)}</li>` : ''}</ul>`;

  // Alarms forwarded to the hospital's alarm managers (IHE ACM): delivery, and who answered.
  const forwarded = (f) => !f ? '' : ` <span class="forwarded" data-forwarded="${escape(f.delivery)}">sent: ${escape(f.delivery || 'queued')}${f.lastStatus ? `; ${escape(f.lastStatus.status)}${f.lastStatus.who ? ` by ${escape(f.lastStatus.who)}` : ''}` : ''}</span>`;
  const forwardedList = (g) => !g.alarmsOut || g.alarmsOut.length === 0 ? '' : `<details class="alarms-out"><summary>Forwarded to alarm managers (${g.alarmsOut.length})</summary><ul>${g.alarmsOut
    .map((f) => `<li data-alarm-out="${escape(f.condition)}">${escape(priorityMark(f.priority))} ${escape(f.condition)} ${escape(f.bed || '')} (${escape(f.phase)})${forwarded(f)}</li>`).join('')}</ul></details>`;

  const tile = (g, b, anchoring) => {
    const high = b.alarms.some((a) => a.priority === 'high');
    const medium = b.alarms.some((a) => a.priority === 'medium');
    const n = b.news2;
    const band = n && n.band ? String(n.band) : '';
    const news2 = n ? `<div class="news2 band-${band.includes('high') ? 'high' : band.includes('medium') ? 'medium' : 'low'}" data-news2="${n.v}" data-band="${escape(band)}" data-complete="${n.complete === true}">NEWS2 <span class="score">${n.v}</span> ${escape(band)}${n.complete ? '' : ' <span class="incomplete">(incomplete: at least this)</span>'}</div>`
      : '<div class="news2 empty">NEWS2 not scored</div>';
    const shown = b.vitals.filter((v) => !waveform(v.code)).sort((x, y) => byClinicalOrder(x.code, y.code));
    const vitals = shown.length === 0 ? '<p class="empty">no verified vitals yet</p>'
      : `<div class="vitals">${shown.map((v) => `<div class="vital" data-code="${escape(v.code)}"><span>${escape(label(v.code))}</span><span>${escape(v.value)} ${escape(v.unit)}</span><span class="age">${age(v.at)}</span></div>`).join('')}</div>`;
    const alarms = b.alarms.length === 0 ? '' : `<ul class="alarms" aria-label="active alarms">${b.alarms
      .sort((x, y) => ['high', 'medium', 'low'].indexOf(x.priority) - ['high', 'medium', 'low'].indexOf(y.priority))
      .map((a) => `<li class="prio-${escape(a.priority)}" data-alarm="${escape(a.condition)}" data-priority="${escape(a.priority)}">${escape(priorityMark(a.priority))} ${escape(a.condition)} (${escape(a.state)})${forwarded(a.forwarded)}</li>`).join('')}</ul>`;
    const href = `bed.html?gw=${encodeURIComponent(g.gw)}&patient=${encodeURIComponent(b.patient)}`;
    return `<a class="tile${high ? ' alarm-high' : medium ? ' alarm-medium' : ''}" href="${href}" data-bed="${escape(b.bed ?? '')}" data-patient="${escape(b.patient)}">
      <div class="bed">${escape(b.bed ?? 'no bed')}</div><div class="patient">${escape(b.patient)}</div>${news2}${alarms}${vitals}${tileChains(g, anchoring)}</a>`;
  };

  const gateway = (g, anchoring) => {
    const online = g.online === true;
    return `<section class="gateway" data-gw="${escape(g.gw)}" data-received-at="${g.receivedAt}" aria-label="gateway ${escape(g.gw)}">
      <h2>${escape(g.gw)} <span class="badge ${online ? 'online' : 'offline'}" data-online="${online}">${online ? 'online' : `OFFLINE, last seen ${age(g.lastSeen)}`}</span>
      ${g.chains.map(chainBadge).join(' ')}</h2>
      <div class="tiles">${g.beds.length === 0 ? '<p class="empty">no patient in a bed</p>' : g.beds.map((b) => tile(g, b, anchoring)).join('')}</div>${forwardedList(g)}</section>`;
  };

  const render = (data) => {
    last = data;
    // Re-rendering replaces the tiles: a keyboard user's focus goes back to the same bed's tile.
    const focused = ward.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    const anchor = data.anchoring ? `<p>Last anchor: ${data.anchoring.last ? `#${data.anchoring.last.index}, ${data.anchoring.last.leaves} checkpoints, ${age(data.anchoring.last.at)}` : 'none yet'}</p>` : '';
    ward.innerHTML = data.gateways.length === 0 ? '<p class="empty">No gateway has reported yet.</p>' : anchor + data.gateways.map((g) => gateway(g, data.anchoring)).join('');
    ward.dataset.generatedAt = data.generatedAt;
    const again = focused && [...ward.querySelectorAll('a[href]')].find((a) => a.getAttribute('href') === focused);
    if (again) again.focus({ preventScroll: true });
  };

  // A change names one gateway: only the named ones are fetched again and put in place (null: everything).
  let pending = null;
  let changed = new Set();
  let everything = false;
  const merge = (part) => {
    const byGw = new Map(last.gateways.map((g) => [g.gw, g]));
    part.gateways.forEach((g) => byGw.set(g.gw, g));
    return { ...part, gateways: [...byGw.values()].sort((x, y) => (x.gw < y.gw ? -1 : x.gw > y.gw ? 1 : 0)) };
  };
  const refresh = (gw) => {
    if (gw) changed.add(gw); else everything = true;
    if (pending) return;
    pending = setTimeout(async () => {
      const names = everything || !last || changed.size > 50 ? null : [...changed];
      pending = null; changed = new Set(); everything = false;
      try {
        const data = await json(names === null ? 'api/ward' : `api/ward?${names.map((n) => `gw=${encodeURIComponent(n)}`).join('&')}`);
        // When this page received each gateway's data (page clock): what the browser test measures against the ingest's verification.
        const receivedAt = Date.now();
        data.gateways.forEach((g) => { g.receivedAt = receivedAt; });
        // A new anchor may hold checkpoints of gateways not named since: fetch them all once.
        const anchorMoved = names !== null && last && data.anchoring && (data.anchoring.last || {}).index !== ((last.anchoring || {}).last || {}).index;
        render(names === null ? data : merge(data));
        if (anchorMoved) refresh();
      } catch (e) {
        live.textContent = `error: ${e.message}`;
        // Wrong role: say so once and stop asking (each refusal is logged and counted at the ingest).
        if (e.status === 403) {
          events.close();
          live.textContent = 'not live';
          ward.innerHTML = '<p id="refused">The ward view is for clinicians: this sign-in has no clinician role (403). Operators: see the Chains page.</p>';
        }
      }
    }, 200);
  };

  const events = new EventSource('api/ward/events');
  // A page left for another (kept by the browser for Back) must not keep its live feed: a browser opens at most
  // six connections to the ingest, and feeds of pages left behind would leave the next page none. Back to it: load afresh.
  addEventListener('pagehide', () => events.close());
  addEventListener('pageshow', (e) => { if (e.persisted) location.reload(); });
  events.addEventListener('open', () => { live.textContent = 'live'; refresh(); });
  events.addEventListener('changed', (e) => refresh(e.data));
  events.addEventListener('error', () => { live.textContent = 'reconnecting…'; });
  // Ages and "last seen" move on even when nothing arrives.
  setInterval(() => { if (last) render(last); }, 5000);
  refresh();
})();
