/* SPDX-License-Identifier: GPL-2.0-only */
/* Logging: to the journal (with the domain as fields) or to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-journal.h>

#include "daemon/manager/vgtd.h"

static bool log_journal;
static int log_max = 6;

void vgtd_log_init(bool to_journal, int max_level)
{
    log_journal = to_journal;
    log_max = max_level;
}

void vgtd_log(int level, const struct vgtd_guest *g, const char *fmt, ...)
{
    if (level > log_max)
        return;
    char msg[512], who[128] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (g && g->domid)
        snprintf(who, sizeof(who), "dom%u (%s): ", g->domid, g->name);
    else if (g)
        snprintf(who, sizeof(who), "%s: ", g->name[0] ? g->name : g->key);
    if (log_journal) {
        if (g)
            sd_journal_send("MESSAGE=%s%s", who, msg, "PRIORITY=%d", level,
                            "VGT_DOMID=%u", g->domid, "VGT_VM=%s", g->name, NULL);
        else
            sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", level, NULL);
    } else {
        fprintf(stderr, "vgtd: %s%s\n", who, msg);
    }
}
