/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Private to libvgt: an xl config text read through libxlutil, exactly as xl reads
 * it (the file, then the command line's "key=value" overrides appended the way
 * `xl create` does), plus what libxlutil's API does not tell: the line of each
 * top-level key, so that every message can say "FILE:LINE: KEY: ...".
 */
#ifndef VGT_XLCFG_H
#define VGT_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <libxlutil.h>
#include "vgt/error.h"

struct xlcfg_key {
    char *name;
    int line;        /* line in the combined text */
    bool add;        /* `key += value` */
};

struct xlcfg {
    XLU_Config *cfg;          /* NULL if the text did not parse */
    char *file;               /* name used in messages */
    char *text;               /* file + overrides, as libxlutil saw it */
    size_t len;
    int file_lines;           /* lines 1..file_lines are the file's */
    int n_overrides;
    int *override_line;       /* first line of each override */
    struct xlcfg_key *keys;   /* every top-level assignment, in order */
    size_t n_keys;
    FILE *report;             /* libxlutil's report stream (kept while cfg lives) */
    char *report_buf;
    size_t report_len;
};

void xlcfg_init(struct xlcfg *x);
void xlcfg_dispose(struct xlcfg *x);

/* Read FILE (a path; "/dev/null" means an empty file, as in xl) and the
 * overrides.  Syntax errors go to diag with their lines (-EINVAL); a file that
 * cannot be read gives -ENOENT/-EIO/-EACCES. */
int xlcfg_read(struct xlcfg *x, const char *file, const char *const *overrides,
               int n_overrides, struct vgt_diag *diag);
/* Same on a text in memory; name is used in messages. */
int xlcfg_read_text(struct xlcfg *x, const char *name, const char *text, size_t len,
                    const char *const *overrides, int n_overrides, struct vgt_diag *diag);

/* The last assignment of key (the one libxlutil uses), NULL if absent. */
const struct xlcfg_key *xlcfg_key(const struct xlcfg *x, const char *key);

/* Record "FILE:LINE: KEY: message" at the last assignment of key (or at the
 * file when key is absent); an override gives "<command line>:N: KEY: message".
 * Returns -EINVAL. */
int xlcfg_err(const struct xlcfg *x, struct vgt_diag *diag, const char *key,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same at an explicit line of the combined text (line <= 0: the file). */
int xlcfg_err_line(const struct xlcfg *x, struct vgt_diag *diag, int line, const char *key,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Where a line of the combined text is, for a message: "line 12" in the file,
 * "<command line>:2" for an override.  Returns buf. */
const char *xlcfg_where(const struct xlcfg *x, int line, char *buf, size_t n);

/* Typed getters: 0 and the value, -ENOENT if absent (value untouched), -EINVAL
 * with a message naming the value and the range when wrong. */
int xlcfg_long(const struct xlcfg *x, const char *key, long min, long max, long *out,
               struct vgt_diag *diag);
int xlcfg_string(const struct xlcfg *x, const char *key, const char **out,
                 struct vgt_diag *diag);

#endif
