/*
 * keyscan.c: looks for an encrypted store's key in the memory of a running
 * process (reliability.md B8: "after lock/idle time-out, search for the DEK";
 * what gcore would write, read directly from /proc/PID/mem).
 *
 *   keyscan DB PID [STRING...]
 *
 * Unwraps DB's key from its keyring with the passphrase in the file named by
 * REFUGE_PASSPHRASE_FILE, then reads every readable mapping of PID (up to
 * 1 GiB each: the sanitizers' shadow maps are skipped) and prints, one per
 * line, how often it found:
 *   dek N        the 32-byte data key
 *   dek_part N   any of its four 8-byte quarters (a partial copy)
 *   pass N       the passphrase
 *   str N S      each STRING (e.g. names from the store: plaintext residue)
 *   bytes N      how much memory was read
 * With KEYSCAN_WHERE=1 the mapping of each hit goes to standard error.
 * Exit 0; 77 when PID's memory cannot be read (a process that is not
 * dumpable can only be read with CAP_SYS_PTRACE); 1 on other errors.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "store/keyring.h"
#include "store/store.h"

enum { MAX_REGION = 1 << 30, CHUNK = 1 << 20, OVERLAP = 2048 };

struct pattern {
    const unsigned char *p;
    size_t n;
    unsigned long long hits;
};

static size_t count_in(const unsigned char *buf, size_t len, const struct pattern *pat,
                       size_t from_end)
{
    /* Matches that start at or after `from_end` bytes before the end of the
     * previous chunk's overlap are counted once: callers pass the overlap. */
    size_t hits = 0;
    const unsigned char *at = buf;
    const unsigned char *end = buf + len;
    while (at < end) {
        const unsigned char *m = memmem(at, (size_t)(end - at), pat->p, pat->n);
        if (!m) {
            break;
        }
        if ((size_t)(m - buf) >= from_end) {
            hits++;
        }
        at = m + 1;
    }
    return hits;
}

static int read_pass(char *out, size_t n, size_t *len)
{
    const char *file = getenv("REFUGE_PASSPHRASE_FILE");
    FILE *f = file ? fopen(file, "r") : NULL;
    if (!f) {
        fprintf(stderr, "keyscan: REFUGE_PASSPHRASE_FILE must name the passphrase file\n");
        return -1;
    }
    if (!fgets(out, (int)n, f)) {
        fclose(f);
        return -1;
    }
    fclose(f);
    *len = strcspn(out, "\r\n");
    out[*len] = '\0';
    return *len ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: keyscan DB PID [STRING...]\n");
        return 1;
    }
    if (sodium_init() < 0) {
        return 1;
    }
    char *pass = sodium_malloc(KEYRING_PASS_MAX + 2);
    size_t pass_len = 0;
    struct store_secret *key = store_secret_new();
    struct err e = ERR_INIT;
    if (!pass || !key || read_pass(pass, KEYRING_PASS_MAX + 2, &pass_len) != 0 ||
        keyring_unlock(argv[1], pass, pass_len, key, &e) != E_OK) {
        fprintf(stderr, "keyscan: cannot unlock %s: %s\n", argv[1], e.msg);
        return 1;
    }

    size_t n_pat = 6 + (size_t)(argc - 3);
    struct pattern *pat = calloc(n_pat, sizeof *pat);
    pat[0] = (struct pattern){key->dek, sizeof key->dek, 0};
    for (size_t q = 0; q < 4; q++) {
        pat[1 + q] = (struct pattern){key->dek + 8 * q, 8, 0};
    }
    pat[5] = (struct pattern){(const unsigned char *)pass, pass_len, 0};
    for (int i = 3; i < argc; i++) {
        pat[6 + i - 3] = (struct pattern){(const unsigned char *)argv[i], strlen(argv[i]), 0};
    }

    char path[64];
    snprintf(path, sizeof path, "/proc/%s/maps", argv[2]);
    FILE *maps = fopen(path, "r");
    snprintf(path, sizeof path, "/proc/%s/mem", argv[2]);
    int mem = open(path, O_RDONLY);
    if (!maps || mem < 0) {
        fprintf(stderr, "keyscan: cannot read the memory of process %s: %s\n", argv[2],
                strerror(errno));
        return errno == EACCES || errno == EPERM ? 77 : 1;
    }
    unsigned char *buf = malloc(CHUNK + OVERLAP);
    /* KEYSCAN_WHERE=1: the mapping of each hit on standard error. */
    const char *w = getenv("KEYSCAN_WHERE");
    bool where = w && strcmp(w, "1") == 0;
    unsigned long long scanned = 0;
    unsigned long long refused = 0;
    char line[512];
    while (fgets(line, sizeof line, maps)) {
        uint64_t lo, hi;
        char perms[8];
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' ||
            hi - lo > MAX_REGION || strstr(line, "[vvar]") || strstr(line, "[vsyscall]")) {
            continue;
        }
        size_t carry = 0; /* bytes kept from the previous chunk */
        for (uint64_t at = lo; at < hi;) {
            size_t want = (size_t)(hi - at < CHUNK ? hi - at : CHUNK);
            ssize_t got = pread(mem, buf + carry, want, (off_t)at);
            if (got <= 0) {
                if (errno == EACCES || errno == EPERM) {
                    refused++;
                }
                break;
            }
            size_t len = carry + (size_t)got;
            for (size_t i = 0; i < n_pat; i++) {
                /* A match wholly inside the carried bytes was counted before. */
                size_t skip = carry >= pat[i].n ? carry - pat[i].n + 1 : 0;
                size_t hits = count_in(buf, len, &pat[i], skip);
                pat[i].hits += hits;
                if (hits && where) {
                    fprintf(stderr, "pattern %zu: %zu in %s", i, hits, line);
                }
            }
            scanned += (unsigned long long)got;
            at += (uint64_t)got;
            carry = len < OVERLAP ? len : OVERLAP;
            memmove(buf, buf + len - carry, carry);
        }
    }
    fclose(maps);
    close(mem);
    if (scanned == 0) {
        fprintf(stderr, "keyscan: nothing of process %s could be read\n", argv[2]);
        return refused ? 77 : 1;
    }
    unsigned long long parts = pat[1].hits + pat[2].hits + pat[3].hits + pat[4].hits;
    printf("dek %llu\ndek_part %llu\npass %llu\n", pat[0].hits, parts, pat[5].hits);
    for (size_t i = 6; i < n_pat; i++) {
        printf("str %llu %s\n", pat[i].hits, argv[i - 6 + 3]);
    }
    printf("bytes %llu\n", scanned);
    sodium_memzero(buf, CHUNK + OVERLAP);
    free(buf);
    free(pat);
    store_secret_free(key);
    sodium_free(pass);
    return 0;
}
