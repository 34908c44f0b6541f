/* libFuzzer target: EDID parsing (binary and hex text) and decoding. */
#include <stdlib.h>
#include <string.h>

#include "vgt/edid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vgt_diag d;
    struct vgt_edid_info info;
    uint8_t edid[VGT_EDID_LEN];

    vgt_diag_init(&d);
    int rc = vgt_edid_parse(data, size, edid, "fuzz", &d);
    /* What parse accepts, decode accepts too, silently. */
    if (rc == 0 && (vgt_edid_decode(edid, &info, "fuzz", &d) != 0 || d.n != 0))
        abort();
    /* A refusal always says why. */
    if (rc < 0 && d.n == 0)
        abort();
    if (rc == 0 && (strlen(info.manufacturer) != 3 || strlen(info.name) > 13))
        abort();
    vgt_diag_dispose(&d);
    /* Decode of arbitrary bytes (also with a forced header and checksum). */
    if (size >= VGT_EDID_LEN) {
        memcpy(edid, data, VGT_EDID_LEN);
        vgt_edid_decode(edid, &info, "raw", NULL);
        static const uint8_t hdr[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
        unsigned s = 0;
        memcpy(edid, hdr, sizeof(hdr));
        for (int i = 0; i < VGT_EDID_LEN - 1; i++)
            s += edid[i];
        edid[VGT_EDID_LEN - 1] = (uint8_t)-s;
        if (vgt_edid_decode(edid, &info, "raw", NULL) != 0)
            abort();
    }
    return 0;
}
