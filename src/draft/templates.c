/*
 * templates.c: where the statement templates come from (a file of the same
 * name in the override directory, else the copy embedded from templates/),
 * and the small Markdown-to-HTML and Markdown-to-text step for the output
 * formats other than Markdown.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/embedded.h"
#include "draft/draft.h"

/* Generated from templates/ by tools/embed.c. */
extern const struct embedded_file refuge_templates[];
extern const size_t refuge_templates_count;

enum { TEMPLATE_MAX = 1 << 20 };

static bool name_ok(const char *name)
{
    if (!name[0] || name[0] == '.' || strlen(name) > 128) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

enum app_err draft_template(const char *templates_dir, const char *name, struct arena *a,
                            const char **text, size_t *len, bool *found, struct err *e)
{
    *found = false;
    if (!name_ok(name)) {
        return E_OK;
    }
    if (templates_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", templates_dir, name);
        FILE *f = fopen(path, "rb");
        if (f) {
            struct buf b = BUF_INIT;
            char chunk[8192];
            size_t n;
            while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= TEMPLATE_MAX) {
                buf_add(&b, chunk, n);
            }
            bool bad = ferror(f) != 0;
            fclose(f);
            if (bad || b.len > TEMPLATE_MAX) {
                buf_release(&b);
                return err_set_at(e, bad ? E_IO : E_TOO_LARGE, path,
                                  bad ? "cannot read the template" : "template is too large");
            }
            *text = arena_strndup(a, b.data, b.len);
            *len = b.len;
            *found = true;
            buf_release(&b);
            return E_OK;
        }
        if (errno != ENOENT) {
            return err_set_at(e, E_IO, path, "cannot open the template: %s", strerror(errno));
        }
    }
    const struct embedded_file *ef = embedded_find(refuge_templates, refuge_templates_count, name);
    if (ef) {
        *text = (const char *)ef->data;
        *len = ef->len;
        *found = true;
    }
    return E_OK;
}

/* ---------------------------------------------------------------------------
 * Markdown subset
 * ------------------------------------------------------------------------ */

enum block {
    B_NONE,
    B_PARA,
    B_UL,
    B_OL,
};

static void close_block(enum block *b, struct buf *out)
{
    switch (*b) {
    case B_PARA:
        buf_adds(out, "</p>\n");
        break;
    case B_UL:
        buf_adds(out, "</ul>\n");
        break;
    case B_OL:
        buf_adds(out, "</ol>\n");
        break;
    case B_NONE:
        break;
    }
    *b = B_NONE;
}

/* Length of an ordered-list marker ("12. ") at s, or 0. */
static size_t ol_marker(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && i < 4 && s[i] >= '0' && s[i] <= '9') {
        i++;
    }
    if (i > 0 && i + 1 < n && s[i] == '.' && s[i + 1] == ' ') {
        return i + 2;
    }
    return 0;
}

void draft_markdown_to_html(const char *md, size_t len, struct buf *out)
{
    enum block b = B_NONE;
    size_t p = 0;
    while (p < len) {
        const char *nl = memchr(md + p, '\n', len - p);
        size_t end = nl ? (size_t)(nl - md) : len;
        const char *s = md + p;
        size_t n = end - p;
        if (n && s[n - 1] == '\r') {
            n--;
        }
        p = nl ? end + 1 : len;
        size_t h = 0;
        while (h < n && h < 6 && s[h] == '#') {
            h++;
        }
        size_t ol = ol_marker(s, n);
        if (n == 0) {
            close_block(&b, out);
        } else if (h > 0 && h < n && s[h] == ' ') {
            close_block(&b, out);
            buf_addf(out, "<h%zu>", h);
            buf_add(out, s + h + 1, n - h - 1);
            buf_addf(out, "</h%zu>\n", h);
        } else if (n == 3 && memcmp(s, "---", 3) == 0) {
            close_block(&b, out);
            buf_adds(out, "<hr>\n");
        } else if (n >= 2 && s[0] == '-' && s[1] == ' ') {
            if (b != B_UL) {
                close_block(&b, out);
                buf_adds(out, "<ul>\n");
                b = B_UL;
            }
            buf_adds(out, "<li>");
            buf_add(out, s + 2, n - 2);
            buf_adds(out, "</li>\n");
        } else if (ol) {
            if (b != B_OL) {
                close_block(&b, out);
                buf_adds(out, "<ol>\n");
                b = B_OL;
            }
            buf_adds(out, "<li>");
            buf_add(out, s + ol, n - ol);
            buf_adds(out, "</li>\n");
        } else if (b == B_PARA) {
            buf_adds(out, "<br>\n");
            buf_add(out, s, n);
        } else {
            close_block(&b, out);
            buf_adds(out, "<p>");
            buf_add(out, s, n);
            b = B_PARA;
        }
    }
    close_block(&b, out);
}

void draft_markdown_to_text(const char *md, size_t len, struct buf *out)
{
    size_t p = 0;
    while (p < len) {
        const char *nl = memchr(md + p, '\n', len - p);
        size_t end = nl ? (size_t)(nl - md) : len;
        const char *s = md + p;
        size_t n = end - p;
        p = nl ? end + 1 : len;
        size_t h = 0;
        while (h < n && h < 6 && s[h] == '#') {
            h++;
        }
        if (h > 0 && h < n && s[h] == ' ') {
            buf_add(out, s + h + 1, n - h - 1);
            buf_addch(out, '\n');
            /* Underline with as many characters as the heading has code points. */
            size_t cps = 0;
            for (size_t i = h + 1; i < n; i++) {
                cps += ((unsigned char)s[i] & 0xC0) != 0x80;
            }
            for (size_t i = 0; i < cps && i < 78; i++) {
                buf_addch(out, h == 1 ? '=' : '-');
            }
            buf_addch(out, '\n');
        } else {
            buf_add(out, s, n);
            if (nl) {
                buf_addch(out, '\n');
            }
        }
    }
}
