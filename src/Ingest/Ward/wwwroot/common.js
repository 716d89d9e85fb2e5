// Shared by the ward, bed and chains pages: labels, ages, escaping. No framework, no build step.
'use strict';
const EdgeTwin = (() => {
  // LOINC (and MDC) codes of the vitals the gateway publishes, shortest clinical label first.
  const labels = {
    'loinc:9279-1': 'RR', 'loinc:59408-5': 'SpO2', 'loinc:3150-0': 'O2', 'loinc:8480-6': 'Sys BP', 'loinc:8462-4': 'Dia BP',
    'loinc:8867-4': 'HR', 'loinc:8889-8': 'Pulse (SpO2)', 'loinc:76477-9': 'Pulse (cuff)', 'loinc:8310-5': 'Temp',
    'loinc:80288-4': 'ACVPU', 'loinc:8478-0': 'MAP', 'loinc:29463-7': 'Weight',
    'loinc:41653-7': 'Glucose', 'loinc:14743-9': 'Glucose', 'loinc:2339-0': 'Glucose', 'loinc:15074-8': 'Glucose', 'loinc:4548-4': 'HbA1c',
  };
  const label = (code) => labels[code] || code;
  // Waveforms (ECG lead II, pleth) are plotted on the bed page, not shown as a number on a tile.
  const waveform = (code) => code === 'mdc:131330' || code === 'mdc:150452';
  // Tiles list the vitals in the order NEWS2 reads them, the rest after.
  const order = Object.keys(labels);
  const byClinicalOrder = (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b);
  const escape = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const age = (at, now = Date.now()) => {
    if (!at) return 'never';
    const s = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
    return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
  };
  // IEC 60601-1-8 marks priority with 3, 2 and 1 exclamation marks: readable without colour.
  const priorityMark = (p) => ({ high: '!!! HIGH', medium: '!! MEDIUM', low: '! LOW' }[p] || p);
  const json = async (url) => {
    const r = await fetch(url, { headers: { accept: 'application/json' } });
    // The session cookie expired or was never there: back to the sign-in page (docs/ingest.md "Access").
    if (r.status === 401) { location.href = '/signin'; throw new Error(`${url}: 401`); }
    if (!r.ok) throw Object.assign(new Error(`${url}: ${r.status}`), { status: r.status });
    return r.json();
  };
  return { label, waveform, byClinicalOrder, escape, age, priorityMark, json };
})();
