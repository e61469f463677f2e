// Independent Bitcoin signer for the audit benchmark (benches/audit-10k.sh):
// COUNT fresh random keys, each signing the SAME message for its P2PKH
// (bip322-js emits a BIP-137 legacy signature), P2SH-P2WPKH, P2WPKH and P2TR
// (BIP-322 simple) addresses.
// Usage: node sign-canonical.cjs COUNT MESSAGE -> one JSON object per line.
'use strict';
const { Signer, Address } = require('bip322-js');
const ecc = require('@bitcoinerlab/secp256k1');
const { ECPairFactory } = require('ecpair');
const ECPair = ECPairFactory(ecc);

const count = Number(process.argv[2] || '1');
const message = process.argv[3];
if (!message) { console.error('usage: node sign-canonical.cjs COUNT MESSAGE'); process.exit(2); }
for (let i = 0; i < count; i++) {
  const key = ECPair.makeRandom();
  const wif = key.toWIF();
  for (const type of ['p2pkh', 'p2sh-p2wpkh', 'p2wpkh', 'p2tr']) {
    const address = Address.convertPubKeyIntoAddress(key.publicKey, type).mainnet;
    const signature = Signer.sign(wif, address, message);
    console.log(JSON.stringify({ signer: 'bip322-js', type, address, message, signature }));
  }
}
