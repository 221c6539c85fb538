/*
 * merkle.h: RFC 9162 Merkle tree hashing (SHA-256), the tree head of a list
 * of leaves, and inclusion and consistency proofs: generation and
 * verification. Pure functions over memory; no I/O, no allocation except
 * where said.
 *
 *   leaf hash = SHA-256(0x00 || data)
 *   node hash = SHA-256(0x01 || left || right)
 *   MTH({})   = SHA-256("")
 *
 * Lists of hashes (leaves, proofs) are passed as consecutive
 * MERKLE_HASH_BYTES-byte hashes.
 *
 * Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2. The subtree
 * variants check proofs about a subtree [start, end) of a tree, as defined
 * for Merkle Tree Certificates (draft-ietf-plants-merkle-tree-certs,
 * section 4): start must be a multiple of the smallest power of two >=
 * end - start.
 */
#ifndef REFUGE_PROOF_MERKLE_H
#define REFUGE_PROOF_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    MERKLE_HASH_BYTES = 32,
    /* No proof for a tree of at most 2^64 leaves is longer than this. */
    MERKLE_MAX_PROOF = 64,
};

typedef unsigned char merkle_hash[MERKLE_HASH_BYTES];

void merkle_leaf_hash(const void *data, size_t len, merkle_hash out);
void merkle_node_hash(const merkle_hash left, const merkle_hash right, merkle_hash out);

/* The tree head of the first n leaf hashes. */
void merkle_root(const unsigned char *leaves, uint64_t n, merkle_hash out);

/* The inclusion proof of leaf index in the tree of its first size leaves
 * (index < size <= the number of leaves); returns its length (0 for a tree
 * of one leaf), or -1 when index or size are out of range. proof holds
 * MERKLE_MAX_PROOF hashes. */
int merkle_inclusion_proof(const unsigned char *leaves, uint64_t size, uint64_t index,
                           merkle_hash proof[MERKLE_MAX_PROOF]);
/* The consistency proof from the tree of size1 leaves to the tree of size2
 * leaves (0 < size1 <= size2); returns its length or -1. */
int merkle_consistency_proof(const unsigned char *leaves, uint64_t size1, uint64_t size2,
                             merkle_hash proof[MERKLE_MAX_PROOF]);

/* True when proof shows leaf_hash is leaf index of the tree of size leaves
 * whose head is root. */
bool merkle_verify_inclusion(uint64_t index, uint64_t size, const merkle_hash leaf_hash,
                             const unsigned char *proof, size_t n, const merkle_hash root);
/* True when proof shows the tree of size2 leaves (head root2) extends the
 * tree of size1 leaves (head root1). size1 = 0 is refused (the proof would
 * be meaningless); size1 = size2 needs an empty proof and equal heads. */
bool merkle_verify_consistency(uint64_t size1, uint64_t size2, const unsigned char *proof, size_t n,
                               const merkle_hash root1, const merkle_hash root2);

/* True when [start, end) is a subtree: start < end and start is a multiple
 * of the smallest power of two >= end - start. */
bool merkle_subtree_valid(uint64_t start, uint64_t end);
/* Inclusion of leaf index in the subtree [start, end) whose hash is root. */
bool merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end,
                                     const merkle_hash leaf_hash, const unsigned char *proof,
                                     size_t n, const merkle_hash root);
/* True when proof shows the subtree [start, end) with hash sub_root is part
 * of the tree of size leaves whose head is root. An empty subtree
 * (start = end <= size) is part of any tree: it needs an empty proof and
 * sub_root = MTH({}), and root is not looked at. */
bool merkle_verify_subtree_consistency(uint64_t start, uint64_t end, uint64_t size,
                                       const unsigned char *proof, size_t n,
                                       const merkle_hash sub_root, const merkle_hash root);

#endif
