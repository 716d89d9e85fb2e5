// Compiles contracts/EdgeTwinAnchor.sol with solc-js (the exact version pinned in package.json)
// and standard-JSON settings fixed here, so the bytecode is reproducible byte for byte.
//   node tools/evm/compile.js            writes contracts/EdgeTwinAnchor.abi.json and .bin
//   node tools/evm/compile.js --check    exits 1 when the committed files differ from a fresh build
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const contracts = path.resolve(__dirname, '..', '..', 'contracts');
const name = 'EdgeTwinAnchor';
const input = {
  language: 'Solidity',
  sources: { [`${name}.sol`]: { content: fs.readFileSync(path.join(contracts, `${name}.sol`), 'utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'paris',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter(e => e.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(2);
}
const c = output.contracts[`${name}.sol`][name];
const abi = JSON.stringify(c.abi, null, 2) + '\n';
const bin = c.evm.bytecode.object + '\n';
const abiFile = path.join(contracts, `${name}.abi.json`);
const binFile = path.join(contracts, `${name}.bin`);
if (process.argv.includes('--check')) {
  const same = fs.existsSync(abiFile) && fs.existsSync(binFile)
    && fs.readFileSync(abiFile, 'utf8') === abi && fs.readFileSync(binFile, 'utf8') === bin;
  console.log(same ? `${name}: bytecode and ABI match solc ${solc.version()}` : `${name}: committed bytecode or ABI differ from solc ${solc.version()}`);
  process.exit(same ? 0 : 1);
}
fs.writeFileSync(abiFile, abi);
fs.writeFileSync(binFile, bin);
console.log(`${name}: wrote ${path.relative(process.cwd(), abiFile)} and ${path.relative(process.cwd(), binFile)} (solc ${solc.version()})`);
