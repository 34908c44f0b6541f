/* SPDX-License-Identifier: LGPL-2.1-only */
/* See xlcfg.h.  The syntax is libxlutil's; we only locate keys for messages. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vgt/cleanup.h"
#include "xlcfg.h"

void xlcfg_init(struct xlcfg *x)
{
    memset(x, 0, sizeof(*x));
}

void xlcfg_dispose(struct xlcfg *x)
{
    if (!x)
        return;
    if (x->cfg)
        xlu_cfg_destroy(x->cfg);
    if (x->report)
        fclose(x->report);
    free(x->report_buf);
    for (size_t i = 0; i < x->n_keys; i++)
        free(x->keys[i].name);
    free(x->keys);
    free(x->override_line);
    free(x->text);
    free(x->file);
    xlcfg_init(x);
}

static int count_lines(const char *s, size_t len)
{
    int n = 0;

    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

static int add_key(struct xlcfg *x, const char *name, size_t n, int line, bool add)
{
    struct xlcfg_key *k = realloc(x->keys, (x->n_keys + 1) * sizeof(*k));

    if (!k)
        return -ENOMEM;
    x->keys = k;
    k = &x->keys[x->n_keys];
    k->name = strndup(name, n);
    if (!k->name)
        return -ENOMEM;
    k->line = line;
    k->add = add;
    x->n_keys++;
    return 0;
}

static bool ident_char(char c)
{
    return islower((unsigned char)c) || isdigit((unsigned char)c) || c == '_';
}

/* Record the line of every top-level `key =` / `key +=`.  Follows xl's lexer:
 * '#' comments to the end of the line, '...' and "..." strings with backslash
 * escapes and no newline inside, lists in [] over several lines, statements
 * ended by ';' or a newline. */
static int find_keys(struct xlcfg *x)
{
    const char *t = x->text;
    size_t len = x->len, i = 0;
    int line = 1, depth = 0, r;
    bool stmt = true;

    while (i < len) {
        char c = t[i];

        if (c == '\n') {
            line++;
            i++;
            if (depth == 0)
                stmt = true;
        } else if (c == ' ' || c == '\t') {
            i++;
        } else if (c == '#') {
            while (i < len && t[i] != '\n')
                i++;
        } else if (c == '\'' || c == '"') {
            for (i++; i < len && t[i] != c && t[i] != '\n'; i++)
                if (t[i] == '\\' && i + 1 < len && t[i + 1] != '\n')
                    i++;
            if (i < len && t[i] == c)
                i++;
            stmt = false;
        } else if (c == '[') {
            depth++;
            stmt = false;
            i++;
        } else if (c == ']') {
            if (depth > 0)
                depth--;
            i++;
        } else if (c == ';' && depth == 0) {
            stmt = true;
            i++;
        } else if (stmt && depth == 0 && islower((unsigned char)c)) {
            size_t j = i, k;

            while (j < len && ident_char(t[j]))
                j++;
            for (k = j; k < len && (t[k] == ' ' || t[k] == '\t'); k++)
                ;
            if (k < len && t[k] == '=')
                r = add_key(x, t + i, j - i, line, false);
            else if (k + 1 < len && t[k] == '+' && t[k + 1] == '=')
                r = add_key(x, t + i, j - i, line, true);
            else
                r = 0;
            if (r < 0)
                return r;
            i = j;
            stmt = false;
        } else {
            stmt = false;
            i++;
        }
    }
    return 0;
}

const struct xlcfg_key *xlcfg_key(const struct xlcfg *x, const char *key)
{
    for (size_t i = x->n_keys; i-- > 0;)
        if (strcmp(x->keys[i].name, key) == 0)
            return &x->keys[i];
    return NULL;
}

/* Index of the override holding a line past the file. */
static int override_of(const struct xlcfg *x, int line)
{
    int k = x->n_overrides - 1;

    while (k > 0 && x->override_line[k] > line)
        k--;
    return k;
}

const char *xlcfg_where(const struct xlcfg *x, int line, char *buf, size_t n)
{
    if (line > x->file_lines && x->n_overrides > 0)
        snprintf(buf, n, "<command line>:%d", override_of(x, line) + 1);
    else
        snprintf(buf, n, "line %d", line);
    return buf;
}

static int vat(const struct xlcfg *x, struct vgt_diag *diag, int line, const char *key,
               const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static int vat(const struct xlcfg *x, struct vgt_diag *diag, int line, const char *key,
               const char *fmt, va_list ap)
{
    _cleanup_free_ char *msg = NULL;

    if (!diag)
        return -EINVAL;
    if (vasprintf(&msg, fmt, ap) < 0)
        return vgt_diag_add(diag, "%s: out of memory", x->file);
    if (line > x->file_lines && x->n_overrides > 0)
        return vgt_diag_at(diag, "<command line>", override_of(x, line) + 1, key, "%s", msg);
    return vgt_diag_at(diag, x->file, line, key, "%s", msg);
}

int xlcfg_err_line(const struct xlcfg *x, struct vgt_diag *diag, int line, const char *key,
                   const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vat(x, diag, line, key, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

int xlcfg_err(const struct xlcfg *x, struct vgt_diag *diag, const char *key,
              const char *fmt, ...)
{
    const struct xlcfg_key *k = key ? xlcfg_key(x, key) : NULL;
    va_list ap;

    va_start(ap, fmt);
    vat(x, diag, k ? k->line : 0, key, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* libxlutil prints "SOURCE:LINE: message" (or bare warnings); re-file each line
 * through our location rules so that overrides are named as such. */
static void report_to_diag(const struct xlcfg *x, struct vgt_diag *diag)
{
    bool negative = false;
    size_t flen = strlen(x->file);
    const char *p = x->report_buf, *end = p + x->report_len;

    while (p < end) {
        const char *nl = memchr(p, '\n', end - p);
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        _cleanup_free_ char *ln = strndup(p, n);
        char *rest;
        long line = 0;
        bool hinted = false;

        p += n + (nl ? 1 : 0);
        if (!ln || !*ln)
            continue;
        if (strncmp(ln, x->file, flen) == 0 && ln[flen] == ':' && isdigit((unsigned char)ln[flen + 1])) {
            line = strtol(ln + flen + 1, &rest, 10);
            if (*rest == ':') {
                rest++;
                while (*rest == ' ')
                    rest++;
                /* xl's lexer has no negative numbers: say how to write one. */
                const char *near = strstr(rest, "near `");
                bool lexical = near && strstr(rest, "lexical error");

                hinted = lexical && near[6] == '-';
                negative |= hinted;
                xlcfg_err_line(x, diag, line > INT_MAX ? INT_MAX : (int)line, NULL, "%s%s", rest,
                               hinted ? " (xl reads a negative number only as a string: "
                                        "write \"-1\")"
                               : lexical && isupper((unsigned char)near[6])
                                   ? " (a word must be quoted: \"...\")" : "");
                continue;
            }
        }
        /* libxlutil takes a '-' for Python; after our hint that is noise. */
        if (negative && strncmp(ln, "warning:", 8) == 0 && strstr(ln, "Python"))
            continue;
        vgt_diag_add(diag, "%s: %s", x->file, ln);
    }
}

int xlcfg_read_text(struct xlcfg *x, const char *name, const char *text, size_t len,
                    const char *const *overrides, int n_overrides, struct vgt_diag *diag)
{
    size_t total = len + 3; /* "\n" before and after the overrides, NUL */
    char *w;
    int r;

    xlcfg_dispose(x);
    x->file = strdup(name);
    if (!x->file)
        return -ENOMEM;
    if (n_overrides < 0)
        n_overrides = 0;
    for (int i = 0; i < n_overrides; i++)
        total += strlen(overrides[i]) + 1;
    if (total > INT_MAX)
        return vgt_diag_at(diag, name, 0, NULL, "too large (%zu bytes)", len), -EFBIG;
    x->text = malloc(total);
    x->override_line = calloc(n_overrides ? n_overrides : 1, sizeof(int));
    if (!x->text || !x->override_line)
        return -ENOMEM;
    memcpy(x->text, text, len);
    w = x->text + len;
    x->file_lines = count_lines(text, len) + 1;
    x->n_overrides = n_overrides;
    if (n_overrides > 0) {
        /* As `xl create CFG k=v...`: the file, a newline, each override on its
         * own line, a newline. */
        int line = x->file_lines + 1;

        *w++ = '\n';
        for (int i = 0; i < n_overrides; i++) {
            size_t n = strlen(overrides[i]);

            x->override_line[i] = line;
            line += count_lines(overrides[i], n) + 1;
            memcpy(w, overrides[i], n);
            w += n;
            *w++ = '\n';
        }
        *w++ = '\n';
    }
    *w = '\0';
    x->len = w - x->text;

    x->report = open_memstream(&x->report_buf, &x->report_len);
    if (!x->report)
        return -ENOMEM;
    x->cfg = xlu_cfg_init(x->report, name);
    if (!x->cfg)
        return -ENOMEM;
    r = xlu_cfg_readdata(x->cfg, x->text, (int)x->len);
    fflush(x->report);
    if (r) {
        size_t before = diag ? diag->n : 0;

        xlu_cfg_destroy(x->cfg);
        x->cfg = NULL;
        report_to_diag(x, diag);
        if (r == ENOMEM)
            return -ENOMEM;
        if (diag && diag->n == before)
            vgt_diag_at(diag, name, 0, NULL, "cannot parse: %s", strerror(r));
        return -EINVAL;
    }
    return find_keys(x);
}

int xlcfg_read(struct xlcfg *x, const char *file, const char *const *overrides,
               int n_overrides, struct vgt_diag *diag)
{
    _cleanup_fclose_ FILE *f = NULL;
    _cleanup_free_ char *buf = NULL;
    size_t len = 0, cap = 0;

    if (strcmp(file, "/dev/null") != 0) { /* xl: /dev/null = config from the command line only */
        f = fopen(file, "re");
        if (!f) {
            int e = errno;
            vgt_diag_at(diag, file, 0, NULL, "cannot open: %s", strerror(e));
            return -e;
        }
        for (;;) {
            size_t n;

            if (cap - len < 4096) {
                char *g;

                if (cap > (64u << 20))
                    return vgt_diag_at(diag, file, 0, NULL, "too large (over 64 MB)"), -EFBIG;
                cap = cap ? cap * 2 : 8192;
                g = realloc(buf, cap);
                if (!g)
                    return -ENOMEM;
                buf = g;
            }
            n = fread(buf + len, 1, cap - len, f);
            len += n;
            if (n == 0) {
                if (ferror(f)) {
                    vgt_diag_at(diag, file, 0, NULL, "cannot read: %s", strerror(EIO));
                    return -EIO;
                }
                break;
            }
        }
    }
    return xlcfg_read_text(x, file, buf ? buf : "", len, overrides, n_overrides, diag);
}

int xlcfg_string(const struct xlcfg *x, const char *key, const char **out,
                 struct vgt_diag *diag)
{
    int r;

    if (!x->cfg || !xlcfg_key(x, key))
        return -ENOENT;
    r = xlu_cfg_get_string(x->cfg, key, out, 1);
    if (r == ESRCH)
        return -ENOENT;
    if (r)
        return xlcfg_err(x, diag, key, "is a list, expected a single string");
    return 0;
}

int xlcfg_long(const struct xlcfg *x, const char *key, long min, long max, long *out,
               struct vgt_diag *diag)
{
    const struct xlcfg_key *k;
    const char *s;
    char *ep;
    long l;
    int r;

    if (!x->cfg || !(k = xlcfg_key(x, key)))
        return -ENOENT;
    r = xlu_cfg_get_string(x->cfg, key, &s, 1);
    if (r == ESRCH)
        return -ENOENT;
    if (r)
        return xlcfg_err(x, diag, key, "is a list, expected a number");
    if (k->add)
        return xlcfg_err(x, diag, key, "cannot use += with a number");
    /* Exactly as xlu_cfg_get_long: strtol base 0 (0x.. hex, 0.. octal). */
    errno = 0;
    l = strtol(s, &ep, 0);
    if (errno == ERANGE)
        return xlcfg_err(x, diag, key, "'%s' is too large a number", s);
    if (errno || ep == s || *ep)
        return xlcfg_err(x, diag, key, "'%s' is not a number", s);
    if (l < min || l > max)
        return xlcfg_err(x, diag, key, "%ld is out of range: allowed %ld..%ld", l, min, max);
    *out = l;
    return 0;
}
