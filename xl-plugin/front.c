/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the xl front's vgtd commands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgt/cleanup.h"
#include "xl-plugin/front.h"

int xlv_fail(const char *cmd, int negerr, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xl: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return xlv_exit_from_err(negerr);
}

int xlv_client_fail(const char *cmd, const struct vgt_client *c, int negerr)
{
    return xlv_fail(cmd, negerr, "%s", c->error[0] ? c->error : vgt_strerror(negerr));
}

int xlv_connect(const char *cmd, struct vgt_client *c)
{
    int r;

    vgt_client_init(c);
    r = vgt_client_connect(c, NULL);
    return r < 0 ? xlv_client_fail(cmd, c, r) : 0;
}

static bool parse_domid(const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > 0x7fef)
        return false;
    *out = (int)v;
    return true;
}

int xlv_resolve(const char *cmd, struct vgt_client *c, const char *domain, bool allow_dom0,
                int *domid, char *name, size_t namelen)
{
    _cleanup_dispose_(vgt_guest_list) struct vgt_guest_list l;
    const struct vgt_guest *g;
    int id = -1, r;

    vgt_guest_list_init(&l);
    if (parse_domid(domain, &id) && id == 0) {
        if (!allow_dom0)
            return xlv_fail(cmd, -ESRCH, "domain 0 has no vGPU (dom0 uses the GPU itself)");
        *domid = 0;
        snprintf(name, namelen, "Domain-0");
        return 0;
    }
    r = vgt_client_list(c, &l);
    if (r < 0)
        return xlv_client_fail(cmd, c, r);
    g = vgt_guest_list_find(&l, domain);
    if (!g)
        return xlv_fail(cmd, -ESRCH, "no vGPU guest '%s' (see xl vgt-list)", domain);
    *domid = g->domid;
    snprintf(name, namelen, "%s", g->name);
    return 0;
}

int xlv_print_reply(const char *cmd, yajl_val reply)
{
    struct vgt_msg m;
    int r;

    if (!reply || !YAJL_IS_OBJECT(reply))
        return xlv_fail(cmd, -EPROTO, "bad reply from vgtd: not an object");
    if (vgt_msg_init_pretty(&m) < 0)
        return xlv_fail(cmd, -ENOMEM, "out of memory");
    /* vgtd's reply as it came (vgtd-protocol(7)), without the protocol's "ok" */
    for (size_t i = 0; i < reply->u.object.len; i++)
        if (strcmp(reply->u.object.keys[i], "ok") != 0)
            vgt_msg_value(&m, reply->u.object.keys[i], reply->u.object.values[i]);
    r = xlv_print_json(cmd, &m);
    vgt_msg_dispose(&m);
    return r;
}

int xlv_print_json(const char *cmd, struct vgt_msg *m)
{
    const char *text;
    size_t len;
    int r = vgt_msg_text(m, &text, &len);

    if (r < 0)
        return xlv_fail(cmd, r, "cannot write JSON: %s", vgt_strerror(r));
    fwrite(text, 1, len, stdout);
    if (len && text[len - 1] != '\n')
        fputc('\n', stdout);
    return fflush(stdout) == 0 ? XLV_OK : XLV_EFAIL;
}

void xlv_fmt_mb(char *buf, size_t n, uint64_t mb)
{
    if (mb && mb % 1024 == 0)
        snprintf(buf, n, "%lluG", (unsigned long long)(mb / 1024));
    else
        snprintf(buf, n, "%lluM", (unsigned long long)mb);
}

int xlv_query_options(const char *cmd, int argc, char **argv, bool *json)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct xlv_cmd *c = xlv_find_cmd(cmd);
    int opt;

    *json = false;
    while ((opt = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j': *json = true; break;
        case 'h': xlv_usage(c, stdout); return XLV_OK;
        default: xlv_usage(c, stderr); return XLV_EUSAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "xl: %s: unexpected argument '%s'\n", cmd, argv[optind]);
        xlv_usage(c, stderr);
        return XLV_EUSAGE;
    }
    return -1;
}
