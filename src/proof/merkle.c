/*
 * merkle.c: RFC 9162 tree hashing and proofs (see merkle.h).
 */
#include "proof/merkle.h"

#include <string.h>

#include <sodium.h>

void merkle_leaf_hash(const void *data, size_t len, merkle_hash out)
{
    static const unsigned char prefix = 0x00;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(const merkle_hash left, const merkle_hash right, merkle_hash out)
{
    unsigned char in[1 + 2 * MERKLE_HASH_BYTES];
    in[0] = 0x01;
    memcpy(in + 1, left, MERKLE_HASH_BYTES);
    memcpy(in + 1 + MERKLE_HASH_BYTES, right, MERKLE_HASH_BYTES);
    crypto_hash_sha256(out, in, sizeof in);
}

/* The largest power of two smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k < n - k) {
        k <<= 1;
    }
    return k;
}

static void subtree_root(const unsigned char *leaves, uint64_t n, merkle_hash out)
{
    if (n == 1) {
        memcpy(out, leaves, MERKLE_HASH_BYTES);
        return;
    }
    uint64_t k = split_point(n);
    merkle_hash l, r;
    subtree_root(leaves, k, l);
    subtree_root(leaves + k * MERKLE_HASH_BYTES, n - k, r);
    merkle_node_hash(l, r, out);
}

void merkle_root(const unsigned char *leaves, uint64_t n, merkle_hash out)
{
    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    subtree_root(leaves, n, out);
}

/* PATH(m, D[0:n]) of RFC 9162 2.1.3.1, lowest level first. */
static void path(const unsigned char *leaves, uint64_t n, uint64_t m, merkle_hash *proof, int *len)
{
    if (n <= 1) {
        return;
    }
    uint64_t k = split_point(n);
    if (m < k) {
        path(leaves, k, m, proof, len);
        subtree_root(leaves + k * MERKLE_HASH_BYTES, n - k, proof[(*len)++]);
    } else {
        path(leaves + k * MERKLE_HASH_BYTES, n - k, m - k, proof, len);
        subtree_root(leaves, k, proof[(*len)++]);
    }
}

int merkle_inclusion_proof(const unsigned char *leaves, uint64_t size, uint64_t index,
                           merkle_hash proof[MERKLE_MAX_PROOF])
{
    if (index >= size) {
        return -1;
    }
    int len = 0;
    path(leaves, size, index, proof, &len);
    return len;
}

/* SUBPROOF(m, D[0:n], b) of RFC 9162 2.1.4.1. */
static void subproof(const unsigned char *leaves, uint64_t n, uint64_t m, bool whole,
                     merkle_hash *proof, int *len)
{
    if (m == n) {
        if (!whole) {
            subtree_root(leaves, n, proof[(*len)++]);
        }
        return;
    }
    uint64_t k = split_point(n);
    if (m <= k) {
        subproof(leaves, k, m, whole, proof, len);
        subtree_root(leaves + k * MERKLE_HASH_BYTES, n - k, proof[(*len)++]);
    } else {
        subproof(leaves + k * MERKLE_HASH_BYTES, n - k, m - k, false, proof, len);
        subtree_root(leaves, k, proof[(*len)++]);
    }
}

int merkle_consistency_proof(const unsigned char *leaves, uint64_t size1, uint64_t size2,
                             merkle_hash proof[MERKLE_MAX_PROOF])
{
    if (size1 == 0 || size1 > size2) {
        return -1;
    }
    int len = 0;
    subproof(leaves, size2, size1, true, proof, &len);
    return len;
}

static bool same(const merkle_hash a, const merkle_hash b)
{
    return sodium_memcmp(a, b, MERKLE_HASH_BYTES) == 0;
}

/* RFC 9162 2.1.3.2 up to the comparison: the head computed from the proof,
 * false when the proof has the wrong length. */
static bool inclusion_head(uint64_t index, uint64_t size, const merkle_hash leaf_hash,
                           const unsigned char *proof, size_t n, merkle_hash out)
{
    if (index >= size) {
        return false;
    }
    uint64_t fn = index, sn = size - 1;
    merkle_hash r;
    memcpy(r, leaf_hash, MERKLE_HASH_BYTES);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0) {
            return false;
        }
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof + i * MERKLE_HASH_BYTES, r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node_hash(r, proof + i * MERKLE_HASH_BYTES, r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return false;
    }
    memcpy(out, r, MERKLE_HASH_BYTES);
    return true;
}

bool merkle_verify_inclusion(uint64_t index, uint64_t size, const merkle_hash leaf_hash,
                             const unsigned char *proof, size_t n, const merkle_hash root)
{
    merkle_hash r;
    return inclusion_head(index, size, leaf_hash, proof, n, r) && same(r, root);
}

/* The loop of RFC 9162 2.1.4.2 for size1 < size2, over path (root1 already
 * put first by the caller when size1 is a power of two). It stops when the
 * second tree's head is reached and says how many hashes it used, so that a
 * caller may read more after them; fr and sr are the two heads. */
static bool consistency_heads(uint64_t size1, uint64_t size2, const merkle_hash first,
                              const unsigned char *rest, size_t n, merkle_hash fr, merkle_hash sr,
                              size_t *used)
{
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    memcpy(fr, first, MERKLE_HASH_BYTES);
    memcpy(sr, first, MERKLE_HASH_BYTES);
    size_t i = 0;
    for (; i < n && sn != 0; i++) {
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(rest + i * MERKLE_HASH_BYTES, fr, fr);
            merkle_node_hash(rest + i * MERKLE_HASH_BYTES, sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node_hash(sr, rest + i * MERKLE_HASH_BYTES, sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    *used = i;
    return sn == 0;
}

static bool is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

bool merkle_verify_consistency(uint64_t size1, uint64_t size2, const unsigned char *proof, size_t n,
                               const merkle_hash root1, const merkle_hash root2)
{
    if (size1 == 0 || size1 > size2) {
        return false;
    }
    if (size1 == size2) {
        return n == 0 && same(root1, root2);
    }
    if (n == 0) {
        return false;
    }
    const unsigned char *first = root1;
    if (!is_pow2(size1)) {
        first = proof;
        proof += MERKLE_HASH_BYTES;
        n--;
    }
    merkle_hash fr, sr;
    size_t used;
    return consistency_heads(size1, size2, first, proof, n, fr, sr, &used) && used == n &&
           same(fr, root1) && same(sr, root2);
}

/* The smallest k with 2^k >= v (v >= 1). */
static unsigned ceil_log2(uint64_t v)
{
    unsigned k = 0;
    while (k < 64 && ((uint64_t)1 << k) < v) {
        k++;
    }
    return k;
}

bool merkle_subtree_valid(uint64_t start, uint64_t end)
{
    if (start >= end) {
        return false;
    }
    unsigned k = ceil_log2(end - start);
    if (k >= 64) {
        return start == 0;
    }
    return (start & (((uint64_t)1 << k) - 1)) == 0;
}

bool merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end,
                                     const merkle_hash leaf_hash, const unsigned char *proof,
                                     size_t n, const merkle_hash root)
{
    if (!merkle_subtree_valid(start, end) || index < start || index >= end) {
        return false;
    }
    return merkle_verify_inclusion(index - start, end - start, leaf_hash, proof, n, root);
}

/*
 * The subtree [start, end) has height k = ceil(log2(end - start)). Its
 * "grown" node is the node of the big tree at level k that starts at start:
 * [start, min(start + 2^k, size)). When the subtree is full, or ends where
 * the big tree ends, it is that node itself; otherwise the proof begins with
 * a consistency proof (RFC 9162, within the grown node) from the subtree to
 * the grown node. The rest is the inclusion proof of the grown node among
 * the level-k nodes of the big tree, which hash like a tree of leaves.
 */
bool merkle_verify_subtree_consistency(uint64_t start, uint64_t end, uint64_t size,
                                       const unsigned char *proof, size_t n,
                                       const merkle_hash sub_root, const merkle_hash root)
{
    if (start == end && end <= size) {
        /* an empty subtree is part of every tree; its hash is MTH({}) */
        merkle_hash empty;
        crypto_hash_sha256(empty, NULL, 0);
        return n == 0 && same(sub_root, empty);
    }
    if (!merkle_subtree_valid(start, end) || size < end) {
        return false;
    }
    if (start == 0 && end == size) {
        return n == 0 && same(sub_root, root);
    }
    if (n == 0) {
        return false;
    }
    unsigned k = ceil_log2(end - start);
    if (k >= 64) {
        return false;
    }
    merkle_hash grown;
    memcpy(grown, sub_root, MERKLE_HASH_BYTES);
    uint64_t m = end - start;
    if (end != size && !is_pow2(m)) {
        uint64_t room = size - start;
        uint64_t m2 = room < ((uint64_t)1 << k) ? room : ((uint64_t)1 << k);
        merkle_hash fr;
        size_t used;
        if (!consistency_heads(m, m2, proof, proof + MERKLE_HASH_BYTES, n - 1, fr, grown, &used) ||
            !same(fr, sub_root)) {
            return false;
        }
        proof += (1 + used) * MERKLE_HASH_BYTES;
        n -= 1 + used;
    }
    uint64_t index = start >> k;
    uint64_t level_size = ((size - 1) >> k) + 1;
    return merkle_verify_inclusion(index, level_size, grown, proof, n, root);
}
