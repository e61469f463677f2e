"""Independent EVM signer for the ownership tests (eth-account).

Fresh random keys; for each: EIP-191 personal_sign of the message, OKX's
personal_sign of keccak256(message), and HTX's raw keccak256(message).
Usage: python eth_sign.py COUNT MESSAGE -> one JSON object per line.
"""
import json
import os
import sys

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

count = int(sys.argv[1]) if len(sys.argv) > 1 else 4
base = sys.argv[2] if len(sys.argv) > 2 else "por reserves v1"
for i in range(count):
    acct = Account.create()
    message = base if i == 0 else f"{base} #{i} {os.urandom(4).hex()} \u2665"
    raw = message.encode("utf-8")
    out = [
        ("eip191-personal-sign", Account.sign_message(encode_defunct(text=message), acct.key)),
        ("okx-evm-personal-sign-of-keccak", Account.sign_message(encode_defunct(primitive=keccak(raw)), acct.key)),
        ("htx-raw-keccak", Account.unsafe_sign_hash(keccak(raw), acct.key)),
    ]
    for scheme, signed in out:
        sig = signed.signature.hex()
        if not sig.startswith("0x"):
            sig = "0x" + sig
        address = acct.address if i % 2 == 0 else acct.address.lower()
        print(json.dumps({"signer": "eth-account", "scheme": scheme, "address": address, "message": message, "signature": sig}))
