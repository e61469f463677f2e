// Compiles Token.sol with solc-js and prints {"abi": [...], "bytecode": "0x..."} on stdout.
// EVM version "shanghai": ganache 7.9 does not run later opcodes (MCOPY, TSTORE).
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const source = fs.readFileSync(path.join(__dirname, 'Token.sol'), 'utf8');
const input = {
  language: 'Solidity',
  sources: { 'Token.sol': { content: source } },
  settings: {
    evmVersion: 'shanghai',
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) process.stderr.write(e.formattedMessage + '\n');
  process.exit(1);
}
const c = output.contracts['Token.sol'].PorTestToken;
process.stdout.write(JSON.stringify({ abi: c.abi, bytecode: '0x' + c.evm.bytecode.object }) + '\n');
