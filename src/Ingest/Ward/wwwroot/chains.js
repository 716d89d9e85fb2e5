// The operators' page: every chain's figures and the latest alerts.
'use strict';
(async () => {
  const { escape, age, json } = EdgeTwin;
  const cols = ['gw', 'lane', 'epoch', 'received', 'verified', 'verifiedThrough', 'pending', 'missing', 'gapCovered', 'duplicates', 'forks', 'badSigs', 'brokenLinks', 'unsignedBranch', 'rejected', 'receiptedThrough'];
  const load = async () => {
    const chains = await json('api/chains');
    document.getElementById('chains').innerHTML = `<caption>Every chain the ingest holds (docs/protocol.md §8)</caption><thead><tr>${cols.map((c) => `<th scope="col">${c}</th>`).join('')}<th>last checkpoint</th></tr></thead>
      <tbody>${chains.map((c) => `<tr>${cols.map((k) => `<td>${escape(c[k])}</td>`).join('')}<td>${age(c.lastCheckpointAt)}</td></tr>`).join('')}</tbody>`;
    const alerts = await json('api/alerts?limit=10000');
    document.getElementById('alerts').innerHTML = `<thead><tr><th>at</th><th>kind</th><th>gw</th><th>detail</th></tr></thead><tbody>${alerts.slice(-50).reverse()
      .map((a) => `<tr><td>${escape(a.at)}</td><td>${escape(a.kind)}</td><td>${escape(a.gw)}</td><td>${escape(a.detail)}</td></tr>`).join('')}</tbody>`;
  };
  await load();
  let timer = null;
  new EventSource('api/ward/events').addEventListener('changed', () => {
    if (!timer) timer = setTimeout(async () => { timer = null; await load(); }, 1000);
  });
})();
