/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake-vgtd: a stand-in for vgtd in the xl front's golden tests.
 *   fake-vgtd [--version N] [--log FILE] SOCKET DIR
 * Answers each request {"cmd":"NAME",...} with the text of DIR/NAME.json (re-read for
 * every request, so a test may change it between commands), or EOPNOTSUPP; appends
 * each request body to FILE; frames its replies in protocol version N (default ours).
 * Runs until SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "vgt/edid.h"
#include "vgt/proto.h"

static unsigned reply_version = VGT_PROTO_VERSION;
static const char *logfile;

static int send_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int reply(int fd, const char *dir, const char *body, size_t len)
{
    _cleanup_free_ uint8_t *frame = NULL;
    _cleanup_free_ char *path = NULL, *text = NULL;
    size_t flen, tlen;
    yajl_val req = NULL;
    const char *cmd = "";
    char err[128];

    if (logfile) {
        FILE *f = fopen(logfile, "a");
        if (f) {
            fprintf(f, "%.*s\n", (int)len, body);
            fclose(f);
        }
    }
    if (vgt_proto_parse(body, len, &req, err, sizeof(err)) < 0) {
        vgt_proto_error_frame(-EBADMSG, &frame, &flen, "%s", err);
    } else if (vgt_json_get_str(req, "cmd", &cmd) < 0) {
        vgt_proto_error_frame(-EINVAL, &frame, &flen, "request without \"cmd\"");
    } else if (asprintf(&path, "%s/%s.json", dir, cmd) < 0 ||
               vgt_file_read(path, "reply", &text, &tlen, NULL) < 0) {
        vgt_proto_error_frame(-EOPNOTSUPP, &frame, &flen, "unknown command \"%s\"", cmd);
    } else {
        while (tlen && (text[tlen - 1] == '\n' || text[tlen - 1] == ' '))
            tlen--;
        vgt_proto_frame(text, tlen, VGT_PROTO_F_REPLY, VGT_PROTO_MAX_REPLY, &frame, &flen);
    }
    if (req)
        yajl_tree_free(req);
    if (!frame)
        return -ENOMEM;
    frame[0] = reply_version >> 8;
    frame[1] = reply_version & 0xff;
    return send_all(fd, frame, flen);
}

static void serve(int fd, const char *dir)
{
    struct vgt_proto_decoder d;
    uint8_t buf[4096];

    vgt_proto_decoder_init(&d, VGT_PROTO_MAX_REQUEST);
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t off = 0;
        while (off < (size_t)n) {
            ssize_t used = vgt_proto_decoder_feed(&d, buf + off, (size_t)n - off);
            if (used < 0) {
                _cleanup_free_ uint8_t *frame = NULL;
                size_t flen;
                if (used == -EPROTO)
                    vgt_proto_version_error_frame(d.h.version, &frame, &flen);
                else
                    vgt_proto_error_frame((int)used, &frame, &flen, "%s", d.errmsg);
                if (frame)
                    send_all(fd, frame, flen);
                goto out;
            }
            off += (size_t)used;
            if (vgt_proto_decoder_ready(&d)) {
                struct vgt_proto_frame f = { 0 };
                vgt_proto_decoder_take(&d, &f);
                int r = reply(fd, dir, f.body, f.len);
                vgt_proto_frame_dispose(&f);
                if (r < 0)
                    goto out;
            }
        }
    }
out:
    vgt_proto_decoder_dispose(&d);
}

static volatile sig_atomic_t stop;
static void on_term(int sig) { stop = 1; }

int main(int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct sigaction act = { .sa_handler = on_term };
    int i = 1, lfd;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0 && i + 1 < argc)
            reply_version = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc)
            logfile = argv[++i];
        else
            break;
    }
    if (argc - i != 2 || strlen(argv[i]) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "usage: fake-vgtd [--version N] [--log FILE] SOCKET DIR\n");
        return 2;
    }
    const char *path = argv[i], *dir = argv[i + 1];
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    strcpy(sa.sun_path, path);
    unlink(path);
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0) {
        perror("fake-vgtd");
        return 1;
    }
    while (!stop) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        serve(fd, dir);
        close(fd);
    }
    close(lfd);
    unlink(path);
    return 0;
}
