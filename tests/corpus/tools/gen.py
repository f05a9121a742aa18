#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Render the labelled redaction corpus from its templates.

Each tests/corpus/tools/templates/NAME is copied to tests/corpus/labelled/NAME with every
placeholder {{gen[:arg...][#tag]}} replaced by a fake but well-formed value: GitHub and npm
tokens carry a correct CRC32 tail, card numbers pass Luhn, IBANs pass mod-97, SSNs sit in
valid ranges, JWTs have a JSON header.  The same #tag in one file yields the same value.
Placeholders are not labels: a template says what a value is with the inline markers
⟦kind⟧...⟦/⟧ around it, so a generator can also produce hard negatives (Luhn-invalid
cards, SSNs in invalid ranges, UUIDs, hashes) that stay unlabelled.

The random source is seeded from the file name, so re-running this script reproduces the
committed output byte for byte.  The C tests read the committed output only.

    python3 tests/corpus/tools/gen.py            # rewrite tests/corpus/labelled/*
    python3 tests/corpus/tools/gen.py --check    # exit 1 if the output is stale
    python3 tests/corpus/tools/gen.py --sample ghp npm card:amex   # values for test tables
    python3 tests/corpus/tools/gen.py --seeds DIR   # fuzz_redact seeds from the corpus
"""

import base64
import hashlib
import json
import os
import random
import re
import string
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "templates")
OUT = os.path.join(os.path.dirname(HERE), "labelled")

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def s(self, alphabet, n):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def digits(self, n):
        return self.s(string.digits, n)

    # --- checksummed formats ------------------------------------------------

    @staticmethod
    def b62(n, width):
        out = ""
        while n:
            n, d = divmod(n, 62)
            out = B62[d] + out
        return out.rjust(width, "0")

    def crc_token(self, prefix):
        body = self.s(ALNUM, 30)
        return prefix + body + self.b62(zlib.crc32(body.encode()), 6)

    def bad_crc_token(self, prefix):
        tok = self.crc_token(prefix)
        last = tok[-1]
        return tok[:-1] + ("A" if last != "A" else "B")

    @staticmethod
    def luhn_digit(partial):
        total = 0
        for i, ch in enumerate(reversed(partial)):
            d = int(ch)
            if i % 2 == 0:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        return str((10 - total % 10) % 10)

    def card_number(self, brand):
        if brand == "visa":
            p, n = "4" + self.digits(5), 16
        elif brand == "mc":
            p, n = str(self.r.randint(51, 55)) + self.digits(4), 16
        elif brand == "mc2":
            p, n = str(self.r.randint(2221, 2720)) + self.digits(2), 16
        elif brand == "amex":
            p, n = self.r.choice(["34", "37"]) + self.digits(4), 15
        elif brand == "disc":
            p, n = "6011" + self.digits(2), 16
        elif brand == "jcb":
            p, n = str(self.r.randint(3528, 3589)) + self.digits(2), 16
        elif brand == "diners":
            p, n = "36" + self.digits(4), 14
        else:
            raise ValueError("unknown card brand " + brand)
        p += self.digits(n - 1 - len(p))
        return p + self.luhn_digit(p)

    def card(self, brand="visa", fmt="plain", valid=True):
        num = self.card_number(brand)
        if not valid:
            num = num[:-1] + str((int(num[-1]) + 1 + self.r.randint(0, 8)) % 10)
        if fmt == "plain":
            return num
        sep = " " if fmt == "spaced" else "-"
        if len(num) == 15:
            groups = [num[:4], num[4:10], num[10:]]
        elif len(num) == 14:
            groups = [num[:4], num[4:10], num[10:]]
        else:
            groups = [num[i:i + 4] for i in range(0, 16, 4)]
        return sep.join(groups)

    IBAN_BBAN = {
        "DE": "n18", "GB": "a4n14", "FR": "n10c11n2", "NL": "a4n10", "ES": "n20",
        "IT": "a1n10c12", "CH": "n5c12", "BE": "n12", "AT": "n16", "PL": "n24",
        "IE": "a4n14", "SE": "n20", "NO": "n11", "DK": "n14", "PT": "n21", "FI": "n14",
    }

    def bban(self, country):
        out = ""
        for kind, count in re.findall(r"([anc])(\d+)", self.IBAN_BBAN[country]):
            alpha = {"a": string.ascii_uppercase, "n": string.digits,
                     "c": string.ascii_uppercase + string.digits}[kind]
            out += self.s(alpha, int(count))
        return out

    @staticmethod
    def iban_check(country, bban):
        s = bban + country + "00"
        num = "".join(str(int(c, 36)) for c in s)
        return "%02d" % (98 - int(num) % 97)

    def iban(self, country="DE", fmt="plain", valid=True):
        bban = self.bban(country)
        check = self.iban_check(country, bban)
        if not valid:
            check = "%02d" % ((int(check) + 1 + self.r.randint(0, 50)) % 97 + 2)
            if check == self.iban_check(country, bban):
                check = "%02d" % ((int(check) + 1) % 97 + 2)
        iban = country + check + bban
        if fmt == "spaced":
            return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return iban

    def ssn(self, fmt="dashed", bad=None):
        area = self.r.randint(1, 899)
        while area == 666:
            area = self.r.randint(1, 899)
        group = self.r.randint(1, 99)
        serial = self.r.randint(1, 9999)
        if bad == "area0":
            area = 0
        elif bad == "area666":
            area = 666
        elif bad == "area9":
            area = self.r.randint(900, 999)
        elif bad == "group0":
            group = 0
        elif bad == "serial0":
            serial = 0
        if fmt == "plain":
            return "%03d%02d%04d" % (area, group, serial)
        return "%03d-%02d-%04d" % (area, group, serial)

    # --- secrets ---------------------------------------------------------------

    @staticmethod
    def b64url(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def jwt(self, alg="HS256", claims=None):
        header = {"alg": alg, "typ": "JWT"}
        if alg.startswith("RS") or alg.startswith("ES"):
            header["kid"] = self.s(HEX, 16)
        now = 1764200000 + self.r.randint(0, 900000)
        payload = claims or {
            "sub": self.r.choice(["user_", "svc_", "acct_"]) + self.s(ALNUM, 10),
            "iat": now,
            "exp": now + self.r.choice([900, 3600, 86400]),
            "scope": self.r.choice(["read:repo", "openid profile email", "admin", "deploy"]),
        }
        siglen = {"HS256": 32, "HS512": 64, "RS256": 256, "ES256": 64}[alg]
        return ".".join([
            self.b64url(json.dumps(header, separators=(",", ":")).encode()),
            self.b64url(json.dumps(payload, separators=(",", ":")).encode()),
            self.b64url(bytes(self.r.getrandbits(8) for _ in range(siglen))),
        ])

    def pem(self, kind="rsa", esc="none"):
        sizes = {"rsa": 1190, "pkcs8": 1216, "ec": 121, "openssh": 387, "dsa": 448,
                 "encrypted": 1298}
        labels = {"rsa": "RSA PRIVATE KEY", "pkcs8": "PRIVATE KEY", "ec": "EC PRIVATE KEY",
                  "openssh": "OPENSSH PRIVATE KEY", "dsa": "DSA PRIVATE KEY",
                  "encrypted": "ENCRYPTED PRIVATE KEY"}
        raw = bytes(self.r.getrandbits(8) for _ in range(sizes[kind]))
        if kind == "openssh":
            raw = b"openssh-key-v1\x00" + raw
        elif kind in ("rsa", "pkcs8", "encrypted"):
            raw = b"\x30\x82" + raw[2:]
        elif kind == "ec":
            raw = b"\x30\x77\x02\x01\x01\x04\x20" + raw[7:]
        body = base64.b64encode(raw).decode()
        width = 70 if kind == "openssh" else 64
        lines = ["-----BEGIN %s-----" % labels[kind]]
        lines += [body[i:i + width] for i in range(0, len(body), width)]
        lines.append("-----END %s-----" % labels[kind])
        if esc == "json":
            return "\\n".join(lines)
        if esc == "json2":
            return "\\\\n".join(lines)
        if esc.startswith("indent"):
            return ("\n" + " " * int(esc[6:])).join(lines)
        return "\n".join(lines)

    def value(self, name, args):
        a = args
        if name == "ghp":
            return self.crc_token((a[0] if a else "ghp") + "_")
        if name == "ghp-badcrc":
            return self.bad_crc_token("ghp_")
        if name == "github-pat":
            return "github_pat_" + "11" + self.s(B32, 20) + "_" + self.s(ALNUM, 59)
        if name == "npm":
            return self.crc_token("npm_")
        if name == "npm-badcrc":
            return self.bad_crc_token("npm_")
        if name == "akid":
            return (a[0] if a else "AKIA") + self.s(B32, 16)
        if name == "aws-secret":
            return self.s(ALNUM + "+/", 40)
        if name == "aws-session":
            return "IQoJb3JpZ2luX2VjE" + self.s(B64, 20) + "//////////" + self.s(B64, 300) + "="
        if name == "gcp":
            return "AIza" + "Sy" + self.s(URLSAFE, 33)
        if name == "azure-key":
            return base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(64))).decode()
        if name == "azure-sas":
            return base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(32))).decode()
        if name == "glpat":
            return "glpat-" + self.s(URLSAFE, 20)
        if name == "gl-runner":
            return "glrt-" + self.s(URLSAFE, 20)
        if name == "bitbucket":
            return "ATBB" + self.s(ALNUM, 24) + self.s(HEX.upper(), 8)
        if name == "slack":
            p = a[0] if a else "xoxb"
            if p == "xapp":
                return "xapp-1-A0" + self.s(string.ascii_uppercase + string.digits, 9) + "-" + \
                    self.digits(13) + "-" + self.s(HEX, 64)
            if p == "xoxp":
                return "xoxp-" + self.digits(12) + "-" + self.digits(12) + "-" + \
                    self.digits(13) + "-" + self.s(HEX, 32)
            return p + "-" + self.digits(12) + "-" + self.digits(13) + "-" + self.s(ALNUM, 24)
        if name == "slack-webhook":
            return "https://hooks.slack.com/services/T0" + self.s(B32, 8) + "/B0" + \
                self.s(B32, 8) + "/" + self.s(ALNUM, 24)
        if name == "discord-webhook":
            return "https://discord.com/api/webhooks/1" + self.digits(18) + "/" + \
                self.s(URLSAFE, 68)
        if name == "discord-bot":
            uid = "1" + self.digits(18)
            return self.b64url(uid.encode()) + "." + self.s(URLSAFE, 6) + "." + \
                self.s(URLSAFE, 38)
        if name == "telegram":
            return self.digits(10) + ":AA" + self.s(URLSAFE, 33)
        if name == "teams-webhook":
            u = [self.uuid() for _ in range(3)]
            return "https://contoso.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s" % (
                u[0], u[1], self.s(HEX, 32), u[2])
        if name == "stripe":
            return (a[0] if a else "sk_live") + "_" + "51" + self.s(ALNUM, 97)
        if name == "stripe-short":
            return (a[0] if a else "rk_live") + "_" + self.s(ALNUM, 24)
        if name == "square":
            if a and a[0] == "sq0csp":
                return "sq0csp-" + self.s(URLSAFE, 43)
            if a and a[0] == "sq0atp":
                return "sq0atp-" + self.s(URLSAFE, 22)
            return "EAAA" + self.s(URLSAFE, 60)
        if name == "twilio":
            return "SK" + self.s(HEX, 32)
        if name == "twilio-sid":
            return "AC" + self.s(HEX, 32)
        if name == "hex":
            return self.s(HEX, int(a[0]) if a else 32)
        if name == "sendgrid":
            return "SG." + self.s(URLSAFE, 22) + "." + self.s(URLSAFE, 43)
        if name == "mailgun":
            return "key-" + self.s(HEX, 32)
        if name == "mailchimp":
            return self.s(HEX, 32) + "-us" + str(self.r.randint(2, 21))
        if name == "pypi":
            return "pypi-AgEIcHlwaS5vcmcCJ" + self.s(URLSAFE, 150)
        if name == "rubygems":
            return "rubygems_" + self.s(HEX, 48)
        if name == "dockerhub":
            return "dckr_pat_" + self.s(URLSAFE, 27)
        if name == "openai":
            v = a[0] if a else "proj"
            if v == "legacy":
                return "sk-" + self.s(ALNUM, 20) + "T3BlbkFJ" + self.s(ALNUM, 20)
            return "sk-" + v + "-" + self.s(URLSAFE, 74) + "T3BlbkFJ" + self.s(URLSAFE, 74)
        if name == "anthropic":
            v = a[0] if a else "api03"
            return "sk-ant-" + v + "-" + self.s(URLSAFE, 93) + "AA"
        if name == "hf":
            return "hf_" + self.s(string.ascii_letters, 34)
        if name == "groq":
            return "gsk_" + self.s(ALNUM, 52)
        if name == "replicate":
            return "r8_" + self.s(ALNUM, 37)
        if name == "do":
            return (a[0] if a else "dop") + "_v1_" + self.s(HEX, 64)
        if name == "shopify":
            return (a[0] if a else "shpat") + "_" + self.s(HEX, 32)
        if name == "atlassian":
            return "ATATT3xFfGF0" + self.s(URLSAFE, 170) + "=" + self.s(HEX.upper(), 8)
        if name == "newrelic":
            v = a[0] if a else "NRAK"
            if v == "NRJS":
                return "NRJS-" + self.s(HEX, 19)
            return v + "-" + self.s(string.ascii_uppercase + string.digits, 27)
        if name == "linear":
            return "lin_api_" + self.s(ALNUM, 40)
        if name == "notion":
            if a and a[0] == "secret":
                return "secret_" + self.s(ALNUM, 43)
            return "ntn_" + self.digits(11) + self.s(ALNUM, 35)
        if name == "doppler":
            v = a[0] if a else "pt"
            if v == "st":
                return "dp.st.prd." + self.s(ALNUM, 40)
            return "dp." + v + "." + self.s(ALNUM, 43)
        if name == "vault":
            v = a[0] if a else "hvs"
            if v == "hvb":
                return "hvb.AAAAAQ" + self.s(URLSAFE, 130)
            return "hvs.CAESI" + self.s(URLSAFE, 86)
        if name == "terraform":
            return self.s(ALNUM, 14) + ".atlasv1." + self.s(ALNUM, 67)
        if name == "age":
            return "AGE-SECRET-KEY-1" + self.s(BECH32, 58)
        if name == "age-pub":
            return "age1" + self.s(BECH32.lower(), 58)
        if name == "sentry-key":
            return self.s(HEX, 32)
        if name == "jwt":
            return self.jwt(a[0] if a else "HS256")
        if name == "pem":
            return self.pem(a[0] if a else "rsa", a[1] if len(a) > 1 else "none")
        if name == "pem-b64":
            return base64.b64encode((self.pem(a[0] if a else "rsa") + "\n").encode()).decode()
        if name == "cert":
            raw = b"\x30\x82" + bytes(self.r.getrandbits(8) for _ in range(int(a[0]) if a else 900))
            body = base64.b64encode(raw).decode()
            pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(
                body[i:i + 64] for i in range(0, len(body), 64)) + "\n-----END CERTIFICATE-----"
            if len(a) > 1 and a[1] == "b64":
                return base64.b64encode((pem + "\n").encode()).decode()
            return pem
        if name == "basic":
            user = a[0] if a else "deploy"
            return base64.b64encode((user + ":" + self.password()).encode()).decode()
        if name == "opaque":
            return self.s(ALNUM, int(a[0]) if a else 40)
        if name == "password":
            return self.password()
        if name == "card":
            brand = a[0] if a else "visa"
            fmt = a[1] if len(a) > 1 else "plain"
            return self.card(brand, fmt)
        if name == "card-bad":
            brand = a[0] if a else "visa"
            fmt = a[1] if len(a) > 1 else "plain"
            return self.card(brand, fmt, valid=False)
        if name == "iban":
            return self.iban(a[0] if a else "DE", a[1] if len(a) > 1 else "plain")
        if name == "iban-bad":
            return self.iban(a[0] if a else "DE", a[1] if len(a) > 1 else "plain", valid=False)
        if name == "ssn":
            return self.ssn(a[0] if a else "dashed")
        if name == "ssn-bad":
            return self.ssn("dashed", bad=a[0] if a else "area0")
        # Hard negatives.
        if name == "uuid":
            return self.uuid()
        if name == "sha1":
            return self.s(HEX, 40)
        if name == "sha256":
            return self.s(HEX, 64)
        if name == "b64":
            return base64.b64encode(bytes(self.r.getrandbits(8)
                                          for _ in range(int(a[0]) if a else 300))).decode()
        if name == "pngdata":
            raw = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(
                self.r.getrandbits(8) for _ in range(int(a[0]) if a else 600))
            return base64.b64encode(raw).decode()
        if name == "digits":
            return self.digits(int(a[0]) if a else 10)
        raise ValueError("unknown generator '%s'" % name)

    def uuid(self):
        h = self.s(HEX, 32)
        h = h[:12] + "4" + h[13:16] + self.r.choice("89ab") + h[17:]
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def password(self):
        words = ["Falcon", "river", "Quartz", "mango", "Tundra", "violet", "Ember", "cobalt"]
        style = self.r.randint(0, 2)
        # Only characters that may stand unescaped in a URL's userinfo, so the same
        # generator serves database URLs.
        if style == 0:
            return self.s(ALNUM + "!*-_.~", self.r.randint(14, 24))
        if style == 1:
            return self.r.choice(words) + self.r.choice("!*-_.") + \
                self.r.choice(words) + self.digits(self.r.randint(2, 4))
        return self.s(ALNUM, self.r.randint(18, 32))


PLACEHOLDER = re.compile(r"\{\{([a-z0-9-]+)((?::[A-Za-z0-9_-]+)*)(#[A-Za-z0-9_]+)?\}\}")


def render(name, text):
    seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    g = Gen(seed)
    memo = {}

    def sub(m):
        gen, args, tag = m.group(1), m.group(2), m.group(3)
        key = (gen, args, tag)
        if tag and key in memo:
            return memo[key]
        v = g.value(gen, [x for x in args.split(":") if x])
        if tag:
            memo[key] = v
        return v

    # Text such as Postman's {{baseUrl}} or Jinja's {{ x }} does not match the
    # placeholder syntax and stays as it is; an unknown generator name raises.
    out = PLACEHOLDER.sub(sub, text)
    check_markers(name, out)
    return out


def check_markers(name, text):
    """Markers must nest nowhere and close everywhere: the C loader rejects the same."""
    pos = 0
    line = 1
    open_at = None
    for m in re.finditer(r"⟦([^⟧]*)⟧", text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if m.group(1) == "/":
            if open_at is None:
                raise ValueError("%s:%d: close marker without open" % (name, line))
            open_at = None
        else:
            if open_at is not None:
                raise ValueError("%s:%d: nested label (open at line %d)" % (name, line, open_at))
            open_at = line
    if open_at is not None:
        raise ValueError("%s:%d: label never closed" % (name, open_at))


def sample(specs):
    """Print one value per spec (gen[:arg...]) for hand-written test tables."""
    g = Gen("rules")
    for spec in specs:
        parts = spec.split(":")
        print("%-24s %s" % (spec, g.value(parts[0], parts[1:])))
    return 0


def seeds(dst):
    """Write the corpus, labels stripped and cut to 4 KB pieces, as fuzzing seeds.  The
    first byte of a seed is fuzz_redact's chunking selector."""
    os.makedirs(dst, exist_ok=True)
    for i, name in enumerate(sorted(os.listdir(OUT))):
        with open(os.path.join(OUT, name), encoding="utf-8") as f:
            text = re.sub("⟦[^⟧]*⟧", "", f.read()).encode()
        for j in range(0, len(text), 4000):
            with open(os.path.join(dst, "%s.%d" % (name, j)), "wb") as f:
                f.write(bytes([i & 0xff]) + text[j:j + 4000])
    return 0


def main():
    if sys.argv[1:2] == ["--sample"]:
        return sample(sys.argv[2:])
    if sys.argv[1:2] == ["--seeds"] and len(sys.argv) == 3:
        return seeds(sys.argv[2])
    check = "--check" in sys.argv[1:]
    os.makedirs(OUT, exist_ok=True)
    stale = []
    names = sorted(os.listdir(TEMPLATES))
    for name in names:
        with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
            text = render(name, f.read())
        dst = os.path.join(OUT, name)
        old = None
        if os.path.exists(dst):
            with open(dst, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            stale.append(name)
            if not check:
                with open(dst, "w", encoding="utf-8") as f:
                    f.write(text)
    for name in sorted(os.listdir(OUT)):
        if name not in names:
            stale.append(name + " (no template)")
            if not check:
                os.unlink(os.path.join(OUT, name))
    if check and stale:
        print("stale corpus files: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
