// One patient: the last hour of each vital as a plot (from the FHIR export), alarm history, proof links.
'use strict';
(async () => {
  const { label, escape, priorityMark, json } = EdgeTwin;
  const q = new URLSearchParams(location.search);
  const gw = q.get('gw') || '';
  const patient = q.get('patient') || '';
  document.getElementById('title').textContent = `${patient} on ${gw}`;
  const since = new Date(Date.now() - 3600 * 1000).toISOString();
  const fhirUrl = `api/patients/${encodeURIComponent(patient)}/observations?since=${encodeURIComponent(since)}`;
  document.getElementById('links').innerHTML = `<a id="fhir" href="${fhirUrl}">FHIR export (last hour)</a> · <a id="twin" href="api/patients/${encodeURIComponent(patient)}/twin">cloud twin (JSON)</a>`;

  const plot = (name, unit, points) => {
    const w = 640, h = 140, pad = 30;
    const xs = points.map((p) => p.t), ys = points.map((p) => p.v);
    const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y0 = Math.min(...ys), y1 = Math.max(...ys, y0 + 1);
    const sx = (t) => pad + ((t - x0) / (x1 - x0)) * (w - 2 * pad);
    const sy = (v) => h - pad / 2 - ((v - y0) / (y1 - y0)) * (h - pad);
    const line = points.map((p) => `${sx(p.t).toFixed(1)},${sy(p.v).toFixed(1)}`).join(' ');
    const latest = points[points.length - 1];
    return `<figure><figcaption>${escape(name)}: latest ${escape(latest.v)} ${escape(unit)} (${points.length} samples, ${escape(y0)}–${escape(y1)})</figcaption>
      <svg class="plot" role="img" aria-label="${escape(name)} over the last hour" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
      <text x="2" y="12">${escape(y1)}</text><text x="2" y="${h - 4}">${escape(y0)}</text><polyline points="${line}"/></svg></figure>`;
  };

  try {
    const bundle = await json(fhirUrl);
    const series = new Map();
    const proofs = [];
    for (const e of bundle.entry || []) {
      const r = e.resource;
      if (r.resourceType === 'Observation' && r.valueQuantity && typeof r.valueQuantity.value === 'number') {
        const coding = (r.code.coding || [])[0] || {};
        const key = `${coding.system && coding.system.includes('loinc') ? 'loinc:' : ''}${coding.code}`;
        if (!series.has(key)) series.set(key, { unit: r.valueQuantity.unit || '', points: [] });
        series.get(key).points.push({ t: Date.parse(r.effectiveDateTime || r.effectiveInstant), v: r.valueQuantity.value });
      } else if (r.resourceType === 'Provenance') {
        for (const en of r.entity || []) {
          const id = en.what && en.what.identifier && en.what.identifier.value;
          if (id) proofs.push(id);
        }
      }
    }

    document.getElementById('plots').innerHTML = series.size === 0 ? '<p class="empty">No verified vitals in the last hour.</p>'
      : [...series.entries()].map(([k, s]) => plot(label(k), s.unit, s.points.sort((a, b) => a.t - b.t))).join('');
    // A proof link must lead to a proof: each is asked for first, and only those the ingest gives are
    // listed; for the rest (anchoring off, the newest checkpoint not verified yet) the page says why.
    const proofUrl = (id) => `api/proofs/${id.split('/').map(encodeURIComponent).join('/')}`;
    const answers = await Promise.all(proofs.slice(-5).map(async (id) => {
      const r = await fetch(proofUrl(id), { headers: { accept: 'application/json' } });
      return { id, ok: r.ok, why: r.ok ? '' : (await r.json().catch(() => ({}))).error || String(r.status) };
    }));
    const good = answers.filter((a) => a.ok);
    const bad = answers.filter((a) => !a.ok);
    document.getElementById('proofs').innerHTML = proofs.length === 0 ? '<p class="empty">No checkpoint covers these yet.</p>'
      : (good.length === 0 ? '' : `<ul>${good.map((a) => `<li><a class="proof" href="${proofUrl(a.id)}">proof of checkpoint ${escape(a.id)}</a></li>`).join('')}</ul>`)
      + (bad.length === 0 ? '' : `<p class="empty" id="no-proofs">${good.length === 0 ? 'No proof' : `${bad.length} more without a proof`}: ${escape(bad[bad.length - 1].why)}.</p>`);
  } catch (e) {
    // Wrong role: say so once, in words, and ask for nothing more (each refusal is logged and counted at
    // the ingest); the page's links and sections would only answer 403 too.
    if (e.status === 403) {
      document.getElementById('links').innerHTML = '';
      document.getElementById('plots').innerHTML = '<p id="refused">The bed page is for clinicians: this sign-in has no clinician role (403). Operators: see the Chains page.</p>';
      document.getElementById('alarms').innerHTML = '';
      return;
    }

    document.getElementById('plots').innerHTML = `<p>Could not load the observations: ${escape(e.message)}</p>`;
  }

  try {
    const twin = await json(`api/patients/${encodeURIComponent(patient)}/twin`);
    const alarms = twin.alarms || [];
    document.getElementById('alarms').innerHTML = alarms.length === 0 ? '<p class="empty">No alarm.</p>'
      : `<table><thead><tr><th>priority</th><th>condition</th><th>state</th><th>text</th></tr></thead><tbody>${alarms.map((a) =>
        `<tr data-alarm="${escape(a.condition)}" data-priority="${escape(a.priority)}" data-state="${escape(a.state)}"><td class="prio-${escape(a.priority)}">${escape(priorityMark(a.priority))}</td><td>${escape(a.condition)}</td><td>${escape(a.state)}</td><td>${escape(a.text)}</td></tr>`).join('')}</tbody></table>`;
  } catch (e) {
    document.getElementById('alarms').innerHTML = `<p class="empty">No verified alarm record (${escape(e.message)}).</p>`;
  }
})();
