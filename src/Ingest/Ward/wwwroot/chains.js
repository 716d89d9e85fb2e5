// The operators' page: every chain's state and figures, and the latest alerts. Both need the operator
// role; a signed-in person without it is told so (docs/ward-view.md).
'use strict';
(async () => {
  const { escape, age, json } = EdgeTwin;
  const cols = ['received', 'verified', 'verifiedThrough', 'pending', 'missing', 'gapCovered', 'duplicates', 'forks', 'badSigs', 'brokenLinks', 'unsignedBranch', 'rejected', 'receiptedThrough'];
  const state = (c) => (c.state === 'broken' ? `BROKEN (${escape(c.problems)})` : c.state === 'gaps' ? `${escape(c.missing)} missing` : 'verified');
  const caption = '<caption>Every chain the ingest holds (docs/protocol.md §8)</caption>';
  const load = async () => {
    const chains = await json('api/chains');
    document.getElementById('chains').innerHTML = `${caption}<thead><tr><th scope="col">gw</th><th scope="col">lane</th><th scope="col">epoch</th><th scope="col">state</th>${cols.map((c) => `<th scope="col">${c}</th>`).join('')}<th scope="col">last checkpoint</th></tr></thead>
      <tbody>${chains.map((c) => `<tr data-gw="${escape(c.gw)}" data-lane="${escape(c.lane)}" data-chain-state="${escape(c.state)}"><td>${escape(c.gw)}</td><td>${escape(c.lane)}</td><td>${escape(c.epoch)}</td><td class="${escape(c.state)}">${state(c)}</td>${cols.map((k) => `<td data-col="${k}">${escape(c[k])}</td>`).join('')}<td>${age(c.lastCheckpointAt)}</td></tr>`).join('')}</tbody>`;
    const alerts = await json('api/alerts?limit=10000');
    document.getElementById('alerts').innerHTML = `<thead><tr><th>at</th><th>kind</th><th>gw</th><th>detail</th></tr></thead><tbody>${alerts.slice(-50).reverse()
      .map((a) => `<tr data-alert="${escape(a.kind)}"><td>${escape(a.at)}</td><td>${escape(a.kind)}</td><td>${escape(a.gw)}</td><td>${escape(a.detail)}</td></tr>`).join('')}</tbody>`;
  };
  try {
    await load();
  } catch (e) {
    if (e.status !== 403) throw e;
    document.getElementById('chains').innerHTML = `${caption}<tbody><tr><td id="refused">The chains and alerts are for operators: this sign-in has no operator role (403). Sign in with an operator token to see them.</td></tr></tbody>`;
    return;
  }
  let timer = null;
  const events = new EventSource('api/ward/events');
  events.addEventListener('changed', () => {
    if (!timer) timer = setTimeout(async () => { timer = null; await load(); }, 1000);
  });
  // As the ward page: a page left behind closes its live feed, and is loaded afresh when one comes back to it.
  addEventListener('pagehide', () => events.close());
  addEventListener('pageshow', (e) => { if (e.persisted) location.reload(); });
})();
