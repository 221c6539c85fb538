// crossverify.js: an independent check of refuge's evidence packages and
// checkpoints, written from docs/evidence.md with nothing but Node's own
// crypto module, to show that the formats interoperate. It checks the
// SHA-256 of the file (Node has no BLAKE2b-256; refuge checks that one).
//
//   node crossverify.js package PACKAGE [VKEY]   verify an evidence package
//   node crossverify.js checkpoint NOTE VKEY      verify a signed checkpoint
//
// Prints "RESULT name=crossverify ... ok=1" and exits 0 when it verifies,
// prints the reason and exits 1 otherwise.
'use strict';
const crypto = require('crypto');
const fs = require('fs');

function fail(why) {
    console.log(`RESULT name=crossverify ok=0 reason="${why}"`);
    process.exit(1);
}

const sha256 = (...parts) => {
    const h = crypto.createHash('sha256');
    for (const p of parts) h.update(p);
    return h.digest();
};

function b64(s, what) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail(`${what} is not base64`);
    const b = Buffer.from(s, 'base64');
    if (b.toString('base64') !== s) fail(`${what} is not canonical base64`);
    return b;
}

// A verifier key: NAME+KEYID+base64(0x01 || 32-byte Ed25519 public key).
function parseVkey(v) {
    const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(v);
    if (!m) fail('the verifier key is not NAME+KEYID+KEY');
    const raw = b64(m[3], 'the key');
    if (raw.length !== 33 || raw[0] !== 0x01) fail('not an Ed25519 verifier key');
    const pub = raw.subarray(1);
    const id = sha256(Buffer.from(m[1], 'utf8'), Buffer.from([0x0a, 0x01]), pub).subarray(0, 4);
    if (id.toString('hex') !== m[2]) fail('the key id does not match');
    const key = crypto.createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: pub.toString('base64url') },
        format: 'jwk',
    });
    return { name: m[1], id, key };
}

// A C2SP signed note with one Ed25519 signature by k; returns its text.
function openNote(note, k) {
    const s = note.toString('utf8');
    const split = s.lastIndexOf('\n\n');
    if (split < 0 || !s.endsWith('\n')) fail('not a signed note');
    const text = s.slice(0, split + 1);
    const lines = s.slice(split + 2, -1).split('\n');
    let good = false;
    for (const line of lines) {
        const m = /^\u2014 (\S+) (\S+)$/.exec(line);
        if (!m) fail('bad signature line');
        const sig = b64(m[2], 'a signature');
        if (m[1] !== k.name || sig.length !== 68 || !sig.subarray(0, 4).equals(k.id)) continue;
        good = crypto.verify(null, Buffer.from(text, 'utf8'), k.key, sig.subarray(4));
    }
    if (!good) fail('no valid signature by the key');
    return text;
}

function parseCheckpoint(text, k) {
    const m = /^([^\n]+)\n(0|[1-9][0-9]*)\n([A-Za-z0-9+/=]{44})\n$/.exec(text);
    if (!m) fail('not a checkpoint');
    if (m[1] !== k.name) fail('the origin is not the key name');
    return { size: BigInt(m[2]), root: b64(m[3], 'the root') };
}

const node = (l, r) => sha256(Buffer.from([1]), l, r);

// RFC 9162 section 2.1.3.2.
function verifyInclusion(index, size, leafHash, proof, root) {
    if (index >= size) return false;
    let fn = index, sn = size - 1n, r = leafHash;
    for (const p of proof) {
        if (sn === 0n) return false;
        if ((fn & 1n) === 1n || fn === sn) {
            r = node(p, r);
            while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
        } else {
            r = node(r, p);
        }
        fn >>= 1n; sn >>= 1n;
    }
    return sn === 0n && r.equals(root);
}

const [mode, file, vkey] = process.argv.slice(2);
if (mode === 'checkpoint') {
    const k = parseVkey(vkey || fail('a verifier key is needed'));
    const cp = parseCheckpoint(openNote(fs.readFileSync(file), k), k);
    console.log(`RESULT name=crossverify kind=checkpoint size=${cp.size} ok=1`);
    process.exit(0);
}
if (mode !== 'package') fail('usage: crossverify.js package FILE [VKEY] | checkpoint FILE VKEY');

const lines = fs.readFileSync(file, 'utf8').split('\n');
let i = 0;
const next = (key) => {
    const line = lines[i++];
    if (line === undefined || !line.startsWith(key + ' ')) fail(`expected a "${key}" line`);
    return line.slice(key.length + 1);
};
if (lines[i++] !== 'refuge-evidence/1') fail('not a refuge-evidence/1 package');
const index = BigInt(next('leaf-index'));
const proof = [];
while (lines[i] && lines[i].startsWith('proof ')) proof.push(b64(next('proof'), 'a proof hash'));
const keyText = next('key');
if (vkey && vkey !== keyText) fail('the package is signed with another key');
const k = parseVkey(keyText);
const leaf = b64(next('leaf'), 'the leaf');
const note = b64(next('checkpoint'), 'the checkpoint');
const content = b64(next('content'), 'the content');
if (lines[i++] !== 'end' || lines[i] !== '' || lines.length !== i + 1) fail('expected "end"');

const cp = parseCheckpoint(openNote(note, k), k);
const fields = Object.fromEntries(
    leaf.toString('utf8').split('\n').filter((l) => l).map((l) => {
        const at = l.indexOf(' ');
        return at < 0 ? [l, ''] : [l.slice(0, at), l.slice(at + 1)];
    }));
if (!leaf.toString('utf8').startsWith('refuge-log/1\nkind custody\n')) fail('not a custody leaf');
if (sha256(content).toString('hex') !== fields.sha256) fail('the file is not the one recorded');
if (BigInt(content.length) !== BigInt(fields.size)) fail('the file has another size');
const leafHash = sha256(Buffer.from([0]), leaf);
if (!verifyInclusion(index, cp.size, leafHash, proof, cp.root)) fail('the inclusion proof fails');
console.log(`RESULT name=crossverify kind=package leaf=${index} size=${cp.size} ` +
            `sha256=${fields.sha256} ok=1`);
