// Independent Bitcoin signer for the ownership tests: fresh random keys,
// BIP-322 simple signatures from bip322-js (P2SH-P2WPKH, P2WPKH, P2TR; for
// P2PKH bip322-js emits a legacy BIP-137 signature), and legacy signed
// messages from bitcoinjs-message with BIP-137 headers.
// Usage: node sign.cjs COUNT MESSAGE  -> one JSON object per line on stdout.
'use strict';
const crypto = require('crypto');
const { Signer, Address } = require('bip322-js');
const bitcoinMessage = require('bitcoinjs-message');
const ecc = require('@bitcoinerlab/secp256k1');
const { ECPairFactory } = require('ecpair');
const ECPair = ECPairFactory(ecc);

const count = Number(process.argv[2] || '4');
const baseMessage = process.argv[3] || 'por reserves v1';
for (let i = 0; i < count; i++) {
  const key = ECPair.makeRandom();
  const wif = key.toWIF();
  const message = i === 0 ? baseMessage : `${baseMessage} #${i} ${crypto.randomBytes(4).toString('hex')} \u2665`;
  for (const type of ['p2pkh', 'p2sh-p2wpkh', 'p2wpkh', 'p2tr']) {
    const addresses = Address.convertPubKeyIntoAddress(key.publicKey, type);
    const address = addresses.mainnet;
    const signature = Signer.sign(wif, address, message);
    console.log(JSON.stringify({ signer: 'bip322-js', type, address, message, signature }));
    if (i === 1) {
      // Network awareness: the same key's testnet address, signed with a testnet key.
      const twif = ECPair.fromPrivateKey(key.privateKey, { network: require('bitcoinjs-lib').networks.testnet }).toWIF();
      const taddress = addresses.testnet;
      const tsig = Signer.sign(twif, taddress, message);
      console.log(JSON.stringify({ signer: 'bip322-js', type, network: 'testnet', address: taddress, message, signature: tsig }));
    }
  }
  const legacy = [
    ['p2pkh', undefined],
    ['p2sh-p2wpkh', 'p2sh(p2wpkh)'],
    ['p2wpkh', 'p2wpkh'],
  ];
  for (const [type, segwitType] of legacy) {
    const address = Address.convertPubKeyIntoAddress(key.publicKey, type).mainnet;
    const sig = bitcoinMessage.sign(message, key.privateKey, true, segwitType ? { segwitType } : undefined);
    console.log(JSON.stringify({ signer: 'bitcoinjs-message', type, address, message, signature: sig.toString('base64') }));
  }
}
