#!/usr/bin/env python3
"""An independent signer for Gateway commands, using only Python's standard library.

It exists to prove that docs/protocol.md ("Commands") is enough to implement the signature elsewhere: it shares no
code with the gateway. Prints one command message (a JSON line) ready to send to a gateway.

    tests/commands/sign.py --key operator --secret AAECAw...= --device gw-01 --id c-1 \
        --name output.set --args '{"output":"relay","on":true}'
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import math
import secrets


def es_number(value):
    """ECMAScript Number.prototype.toString, as RFC 8785 section 3.2.2.3 requires."""
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, int):
        value = float(value)
    if not math.isfinite(value):
        raise ValueError("NaN and infinity are not JSON")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, exp = shortest_digits(abs(value))
    k, n = len(digits), exp
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = (digits if k == 1 else digits[0] + "." + digits[1:]) + "e" + ("-" if e < 0 else "+") + str(abs(e))
    return sign + text


def shortest_digits(value):
    """(digits, n) with value = 0.digits x 10^n, digits the shortest that round-trip (Python's repr)."""
    text = repr(value)
    if "e" in text or "E" in text:
        mant, e = text.lower().split("e")
        e = int(e)
    else:
        mant, e = text, 0
    if "." in mant:
        int_part, frac = mant.split(".")
    else:
        int_part, frac = mant, ""
    all_digits = int_part + frac
    stripped = all_digits.lstrip("0")
    leading = len(all_digits) - len(stripped)
    return stripped.rstrip("0"), len(int_part) - leading + e


def jcs(value):
    """The JSON Canonicalization Scheme (RFC 8785) text of a parsed JSON value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return es_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        names = sorted(value, key=lambda s: s.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(n, ensure_ascii=False) + ":" + jcs(value[n]) for n in names) + "}"
    raise TypeError(f"not JSON: {type(value)}")


def sign(key, secret, device, command_id, name, args, ts, nonce):
    canonical_args = jcs(args)
    canonical = "\n".join(["gateway-command-v1", key, device, command_id, name, ts, nonce, canonical_args])
    signature = hmac.new(secret, canonical.encode("utf-8"), hashlib.sha256).hexdigest()
    return canonical, signature


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--key", required=True)
    p.add_argument("--secret", required=True, help="base64")
    p.add_argument("--device", required=True)
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--args", default="{}", help="a JSON object")
    p.add_argument("--ts", help="ISO 8601; default now")
    p.add_argument("--nonce", help="default 16 random bytes in hex")
    p.add_argument("--canonical", action="store_true", help="print the canonical string and signature instead")
    a = p.parse_args()
    args = json.loads(a.args)
    ts = a.ts or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{datetime.datetime.now(datetime.timezone.utc).microsecond // 1000:03d}Z"
    nonce = a.nonce or secrets.token_hex(16)
    canonical, signature = sign(a.key, base64.b64decode(a.secret), a.device, a.id, a.name, args, ts, nonce)
    if a.canonical:
        print(canonical)
        print(signature)
        return
    message = {"type": "command", "id": a.id, "device": a.device, "name": a.name, "args": args,
               "key": a.key, "ts": ts, "nonce": nonce, "sig": signature}
    print(json.dumps(message, separators=(",", ":"), ensure_ascii=False))


if __name__ == "__main__":
    main()
