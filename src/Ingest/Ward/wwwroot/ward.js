// The ward view: one tile per bed, refreshed when the ingest says a gateway's data changed (server-sent events).
'use strict';
(() => {
  const { label, waveform, byClinicalOrder, escape, age, priorityMark, json } = EdgeTwin;
  const ward = document.getElementById('ward');
  const live = document.getElementById('live');
  let last = null;

  const chainBadge = (c) => `<span class="badge ${c.state}" data-chain-state="${c.state}" title="${escape(c.lane)} ${escape(c.epoch)}">${escape(c.lane)}: ${c.state === 'broken' ? 'BROKEN' : c.state === 'gaps' ? `${c.missing} missing` : 'verified'} through ${c.verifiedThrough}${c.problems ? ` (${escape(c.problems)})` : ''}</span>`;

  // Alarms forwarded to the hospital's alarm managers (IHE ACM): delivery, and who answered.
  const forwarded = (f) => !f ? '' : ` <span class="forwarded" data-forwarded="${escape(f.delivery)}">sent: ${escape(f.delivery || 'queued')}${f.lastStatus ? `; ${escape(f.lastStatus.status)}${f.lastStatus.who ? ` by ${escape(f.lastStatus.who)}` : ''}` : ''}</span>`;
  const forwardedList = (g) => !g.alarmsOut || g.alarmsOut.length === 0 ? '' : `<details class="alarms-out"><summary>Forwarded to alarm managers (${g.alarmsOut.length})</summary><ul>${g.alarmsOut
    .map((f) => `<li data-alarm-out="${escape(f.condition)}">${escape(priorityMark(f.priority))} ${escape(f.condition)} ${escape(f.bed || '')} (${escape(f.phase)})${forwarded(f)}</li>`).join('')}</ul></details>`;

  const tile = (g, b) => {
    const high = b.alarms.some((a) => a.priority === 'high');
    const medium = b.alarms.some((a) => a.priority === 'medium');
    const n = b.news2;
    const band = n && n.band ? String(n.band) : '';
    const news2 = n ? `<div class="news2 band-${band.includes('high') ? 'high' : band.includes('medium') ? 'medium' : 'low'}" data-news2="${n.v}" data-band="${escape(band)}">NEWS2 <span class="score">${n.v}</span> ${escape(band)}${n.complete ? '' : ' <span class="incomplete">(incomplete: at least this)</span>'}</div>`
      : '<div class="news2 empty">NEWS2 not scored</div>';
    const shown = b.vitals.filter((v) => !waveform(v.code)).sort((x, y) => byClinicalOrder(x.code, y.code));
    const vitals = shown.length === 0 ? '<p class="empty">no verified vitals yet</p>'
      : `<div class="vitals">${shown.map((v) => `<span>${escape(label(v.code))}</span><span>${escape(v.value)} ${escape(v.unit)}</span><span class="age">${age(v.at)}</span>`).join('')}</div>`;
    const alarms = b.alarms.length === 0 ? '' : `<ul class="alarms" aria-label="active alarms">${b.alarms
      .sort((x, y) => ['high', 'medium', 'low'].indexOf(x.priority) - ['high', 'medium', 'low'].indexOf(y.priority))
      .map((a) => `<li class="prio-${escape(a.priority)}" data-alarm="${escape(a.condition)}" data-priority="${escape(a.priority)}">${escape(priorityMark(a.priority))} ${escape(a.condition)} (${escape(a.state)})${forwarded(a.forwarded)}</li>`).join('')}</ul>`;
    const href = `bed.html?gw=${encodeURIComponent(g.gw)}&patient=${encodeURIComponent(b.patient)}`;
    return `<a class="tile${high ? ' alarm-high' : medium ? ' alarm-medium' : ''}" href="${href}" data-bed="${escape(b.bed ?? '')}" data-patient="${escape(b.patient)}">
      <div class="bed">${escape(b.bed ?? 'no bed')}</div><div class="patient">${escape(b.patient)}</div>${news2}${alarms}${vitals}</a>`;
  };

  const gateway = (g) => {
    const online = g.online === true;
    return `<section class="gateway" data-gw="${escape(g.gw)}" aria-label="gateway ${escape(g.gw)}">
      <h2>${escape(g.gw)} <span class="badge ${online ? 'online' : 'offline'}" data-online="${online}">${online ? 'online' : `OFFLINE, last seen ${age(g.lastSeen)}`}</span>
      ${g.chains.map(chainBadge).join(' ')}</h2>
      <div class="tiles">${g.beds.length === 0 ? '<p class="empty">no patient in a bed</p>' : g.beds.map((b) => tile(g, b)).join('')}</div>${forwardedList(g)}</section>`;
  };

  const render = (data) => {
    last = data;
    const anchor = data.anchoring ? `<p>Last anchor: ${data.anchoring.last ? `#${data.anchoring.last.index}, ${data.anchoring.last.leaves} checkpoints, ${age(data.anchoring.last.at)}` : 'none yet'}</p>` : '';
    ward.innerHTML = data.gateways.length === 0 ? '<p class="empty">No gateway has reported yet.</p>' : anchor + data.gateways.map(gateway).join('');
    ward.dataset.generatedAt = data.generatedAt;
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
        render(names === null ? await json('api/ward') : merge(await json(`api/ward?${names.map((n) => `gw=${encodeURIComponent(n)}`).join('&')}`)));
      } catch (e) { live.textContent = `error: ${e.message}`; }
    }, 200);
  };

  const events = new EventSource('api/ward/events');
  events.addEventListener('open', () => { live.textContent = 'live'; refresh(); });
  events.addEventListener('changed', (e) => refresh(e.data));
  events.addEventListener('error', () => { live.textContent = 'reconnecting…'; });
  // Ages and "last seen" move on even when nothing arrives.
  setInterval(() => { if (last) render(last); }, 5000);
  refresh();
})();
