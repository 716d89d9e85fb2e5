// The box page: reads /status and /twin every two seconds. Health and priority are words, not only colours.
'use strict';
(() => {
  const escape = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const mark = (p) => ({ high: '!!! HIGH', medium: '!! MEDIUM', low: '! LOW' }[p] || p);
  const seconds = (s) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`);

  const render = (status, twin) => {
    const state = twin.state || {};
    document.getElementById('title').textContent = `EdgeTwin box ${status.gw} (${status.site})`;
    const devices = Object.entries(state.devices || {}).sort(([a], [b]) => a.localeCompare(b));
    document.getElementById('devices').innerHTML = `<thead><tr><th>device</th><th>model</th><th>health</th><th>enabled</th><th>last sample</th></tr></thead><tbody>${devices
      .map(([id, d]) => `<tr data-device="${escape(id)}" data-health="${escape(d.health)}"><td>${escape(id)}</td><td>${escape(d.model)}</td><td class="health-${escape(d.health)}">${d.health === 'ok' ? 'ok' : `${escape(String(d.health).toUpperCase())}`}</td><td>${d.enabled ? 'yes' : 'no'}</td><td>${escape(d.lastSample || 'never')}</td></tr>`).join('')}</tbody>`;

    const sounding = [];
    for (const [patient, p] of Object.entries(state.patients || {})) {
      for (const [condition, a] of Object.entries(p.alarms || {})) {
        if (a.state !== 'cleared') sounding.push({ bed: p.bed, patient, condition, ...a });
      }
    }
    document.getElementById('alarms').innerHTML = `<p>Annunciation: <strong>${escape(status.annunciation)}</strong></p>` + (sounding.length === 0 ? '<p>No alarm sounding.</p>'
      : `<ul>${sounding.map((a) => `<li data-alarm="${escape(a.condition)}"><span class="prio-${escape(a.priority)}">${escape(mark(a.priority))}</span> ${escape(a.condition)} (${escape(a.state)}), ${escape(a.bed || 'no bed')}</li>`).join('')}</ul>`);

    const oldest = status.oldestUnreceiptedSeconds || {};
    document.getElementById('uplink').innerHTML = [
      ['uplink', status.connected ? 'connected' : 'DISCONNECTED'],
      ['in flight / live / backlog', `${status.inFlight} / ${status.live} / ${status.backlog}`],
      ['oldest record without a receipt', `telemetry ${seconds(oldest.telemetry || 0)}, alarm ${seconds(oldest.alarm || 0)}`],
      ['stored (telemetry, alarm)', `${status.lanes.telemetry.storedRecords}, ${status.lanes.alarm.storedRecords} records`],
      ['storage', status.storage.full ? `FULL since ${escape(status.storage.fullSince)} (${escape(status.storage.reason)})` : `ok, ${Math.round((status.storage.freeBytes || 0) / 1048576)} MiB free`],
    ].map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('');

    const m = state.model;
    document.getElementById('model').textContent = m ? `${m.id} ${m.version}: ${m.status}${m.reason ? ` (${m.reason})` : ''}` : 'no model (inference not configured)';
    document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  };

  const tick = async () => {
    try {
      const [status, twin] = await Promise.all([fetch('status').then((r) => r.json()), fetch('twin').then((r) => r.json())]);
      render(status, twin);
    } catch (e) {
      document.getElementById('updated').textContent = `cannot read the box: ${e.message}`;
    }
  };
  tick();
  setInterval(tick, 2000);
})();
