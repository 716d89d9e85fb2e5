// The box page: reads /status every two seconds, and /twin (the alarms by bed: patient data) when the
// admin token was entered (kept for this tab only). Health and priority are words, not only colours.
'use strict';
(() => {
  const escape = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const mark = (p) => ({ high: '!!! HIGH', medium: '!! MEDIUM', low: '! LOW' }[p] || p);
  const seconds = (s) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`);

  const tokenKey = 'edgetwin-admin-token';
  const form = document.getElementById('token-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(tokenKey, document.getElementById('token').value.trim());
    document.getElementById('token').value = '';
    tick();
  });

  // twin: the /twin document, or a string saying why the alarms by bed are not shown.
  const renderAlarms = (status, twin) => {
    const head = `<p>Annunciation: <strong>${escape(status.annunciation)}</strong></p>`;
    if (typeof twin === 'string') {
      document.getElementById('alarms').innerHTML = `${head}<p id="alarms-locked">${escape(twin)}</p>`;
      form.hidden = false;
      return;
    }

    form.hidden = true;
    const sounding = [];
    for (const [patient, p] of Object.entries((twin.state || {}).patients || {})) {
      for (const [condition, a] of Object.entries(p.alarms || {})) {
        if (a.state !== 'cleared') sounding.push({ bed: p.bed, patient, condition, ...a });
      }
    }
    document.getElementById('alarms').innerHTML = head + (sounding.length === 0 ? '<p>No alarm sounding.</p>'
      : `<ul>${sounding.map((a) => `<li data-alarm="${escape(a.condition)}"><span class="prio-${escape(a.priority)}">${escape(mark(a.priority))}</span> ${escape(a.condition)} (${escape(a.state)}), ${escape(a.bed || 'no bed')}${a.response ? `, <span class="response">${escape(a.response.status)} by ${escape(a.response.by || 'someone not named')} at ${escape(a.response.at)}</span>` : ''}</li>`).join('')}</ul>`);
  };

  const render = (status, twin) => {
    document.getElementById('title').textContent = `EdgeTwin box ${status.gw} (${status.site})`;
    const devices = Object.entries(status.devices || {}).sort(([a], [b]) => a.localeCompare(b));
    document.getElementById('devices').innerHTML = `<thead><tr><th>device</th><th>model</th><th>health</th><th>enabled</th><th>last sample</th></tr></thead><tbody>${devices
      .map(([id, d]) => `<tr data-device="${escape(id)}" data-health="${escape(d.health)}"><td>${escape(id)}</td><td>${escape(d.model)}</td><td class="health-${escape(d.health)}">${d.health === 'ok' ? 'ok' : `${escape(String(d.health).toUpperCase())}`}</td><td>${d.enabled ? 'yes' : 'no'}</td><td>${escape(d.lastSample || 'never')}</td></tr>`).join('')}</tbody>`;

    renderAlarms(status, twin);

    const oldest = status.oldestUnreceiptedSeconds || {};
    document.getElementById('uplink').innerHTML = [
      ['uplink', 'uplink', status.connected ? 'connected' : 'DISCONNECTED'],
      ['queues', 'in flight / live / backlog', `${status.inFlight} / ${status.live} / ${status.backlog}`],
      ['oldest', 'oldest record without a receipt', `telemetry ${seconds(oldest.telemetry || 0)}, alarm ${seconds(oldest.alarm || 0)}`],
      ['stored', 'stored (telemetry, alarm)', `${status.lanes.telemetry.storedRecords}, ${status.lanes.alarm.storedRecords} records`],
      ['storage', 'storage', status.storage.full ? `FULL since ${status.storage.fullSince} (${status.storage.reason})` : `ok, ${Math.round((status.storage.freeBytes || 0) / 1048576)} MiB free`],
    ].map(([id, k, v]) => `<dt>${escape(k)}</dt><dd id="uplink-${id}">${escape(v)}</dd>`).join('');
    const u = document.getElementById('uplink');
    u.dataset.connected = status.connected;
    u.dataset.backlog = status.backlog;
    u.dataset.oldestTelemetry = oldest.telemetry || 0;
    u.dataset.oldestAlarm = oldest.alarm || 0;

    const m = status.model;
    const model = document.getElementById('model');
    model.textContent = m ? `${m.id} ${m.version}: ${m.status}${m.reason ? ` (${m.reason})` : ''}` : 'no model (inference not configured)';
    model.dataset.status = m ? m.status : 'none';
    document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  };

  const tick = async () => {
    try {
      const token = sessionStorage.getItem(tokenKey);
      const twin = token
        ? fetch('twin', { headers: { Authorization: `Bearer ${token}` } }).then((r) => (r.status === 401
          ? 'The admin token was not accepted: enter the content of the gateway\'s admin-token file (Gateway:AdminTokenFile).'
          : r.json()))
        : Promise.resolve('The alarms by bed are patient data: enter the admin token (the content of Gateway:AdminTokenFile) to show them.');
      const [status, alarms] = await Promise.all([fetch('status').then((r) => r.json()), twin]);
      render(status, alarms);
    } catch (e) {
      document.getElementById('updated').textContent = `cannot read the box: ${e.message}`;
    }
  };
  tick();
  setInterval(tick, 2000);
})();
