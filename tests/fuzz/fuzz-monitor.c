/* libFuzzer target: monitor.config text form. */
#include <stdlib.h>

#include "vgt/monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vgt_monitor_config c;
    struct vgt_diag d;

    vgt_diag_init(&d);
    int rc = vgt_monitor_config_parse((const char *)data, size, "fuzz", &c, &d);
    if (rc < 0 && (d.n == 0 || c.n != 0))
        abort();
    if (rc == 0) {
        bool seen[VGT_PORT_MAX] = { false };
        if (d.n != 0 || c.n < 1 || c.n > 3)
            abort();
        for (unsigned i = 0; i < c.n; i++) {
            const struct vgt_monitor_item *it = &c.items[i];
            if (it->port >= VGT_PORT_MAX || it->override >= VGT_PORT_MAX || seen[it->port] ||
                vgt_port_type_port(it->type) != it->port || it->edid[126] != 0 ||
                vgt_edid_decode(it->edid, NULL, "fuzz", NULL) != 0)
                abort();
            seen[it->port] = true;
        }
    }
    vgt_diag_dispose(&d);
    return 0;
}
