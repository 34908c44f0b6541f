#!/bin/sh
# xl front against fake-vgtd: list/info text and JSON, switch, hotplug, screenshot,
# name resolution, vgtd's errors and a protocol version mismatch.
. "$top_srcdir/tests/golden/cli/lib.sh"
cp "$G/data/good.edid" "$T/"
fake_start

check list-text "$XL" vgt-list
check list-json "$XL" vgt-list --json
check info-text "$XL" vgt-info
check info-json "$XL" vgt-info --json

: >"$T/requests.log"
check switch-by-name "$XL" vgt-switch ubuntu-desktop
check switch-by-domid-verbose "$XL" -v vgt-switch 5
check switch-dom0 "$XL" vgt-switch 0
check switch-dryrun "$XL" -N vgt-switch --force 7
check switch-dryrun-dom0 "$XL" -N vgt-switch 0
check switch-unknown-name "$XL" vgt-switch nosuchguest
check switch-unknown-domid "$XL" vgt-switch 42
check switch-dryrun-unknown "$XL" -N vgt-switch nosuchguest
check switch-requests cat requests.log

echo '{"ok":false,"errno":11,"error":"EAGAIN","message":"ubuntu-desktop (domain 7) has not set up its display yet"}' >"$T/replies/switch.json"
check switch-not-ready "$XL" vgt-switch ubuntu-desktop
echo '{"ok":false,"errno":1,"error":"EPERM","message":"permission denied: switch needs root"}' >"$T/replies/switch.json"
check switch-eperm "$XL" vgt-switch 7

: >"$T/requests.log"
check hotplug-connect "$XL" vgt-hotplug win10 PORT_C connect --edid good.edid
check hotplug-disconnect "$XL" vgt-hotplug 5 c disconnect
check hotplug-dryrun "$XL" -N vgt-hotplug win10 PORT_C connect --edid good.edid --type HDMI_C
check hotplug-dom0 "$XL" vgt-hotplug 0 PORT_C disconnect
check hotplug-requests cat requests.log
echo '{"ok":false,"errno":6,"error":"ENXIO","message":"win10 (domain 5) has no port PORT_A"}' >"$T/replies/hotplug.json"
check hotplug-server-enxio "$XL" vgt-hotplug win10 PORT_A disconnect
echo '{"ok":false,"errno":74,"error":"EBADMSG","message":"EDID refused by the vGPU"}' >"$T/replies/hotplug.json"
check hotplug-server-ebadmsg "$XL" vgt-hotplug win10 PORT_B connect --edid good.edid

check screenshot "$XL" vgt-screenshot win10 shot.png
if command -v python3 >/dev/null 2>&1; then
    python3 - "$T/shot.png" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
pos, idat, ihdr = 8, b'', None
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8]); c = d[pos + 8:pos + 8 + n]; pos += 12 + n
    if t == b'IHDR': ihdr = struct.unpack('>IIBBBBB', c)
    if t == b'IDAT': idat += c
assert ihdr[:4] == (2, 2, 8, 2), ihdr
raw = zlib.decompress(idat)
px, prev = b'', bytes(6)
for i in range(2):  # undo the PNG row filters (None, Sub, Up, Average, Paeth)
    f, r = raw[i * 7], bytearray(raw[i * 7 + 1:(i + 1) * 7])
    for x in range(6):
        a = r[x - 3] if x >= 3 else 0
        b = prev[x]
        c = prev[x - 3] if x >= 3 else 0
        p = a + b - c
        pred = [0, a, b, (a + b) // 2,
                a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c)
                else b if abs(p - b) <= abs(p - c) else c][f]
        r[x] = (r[x] + pred) & 255
    px += bytes(r)
    prev = bytes(r)
assert px == bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), px
PY
    tap $? "screenshot PNG: 2x2 RGB, red green / blue white"
fi
check screenshot-unknown "$XL" vgt-screenshot nosuch shot2.png
check screenshot-dir "$XL" vgt-screenshot win10 nodir/shot.png
echo '{"ok":false,"errno":11,"error":"EAGAIN","message":"no framebuffer yet"}' >"$T/replies/screenshot.json"
check screenshot-nofb "$XL" vgt-screenshot win10 shot3.png
[ ! -e "$T/shot3.png" ] && [ ! -e "$T/nodir" ]
tap $? "no file left after a failed screenshot"

echo '{"ok":true,"guests":"not a list"}' >"$T/replies/list.json"
check list-bad-reply "$XL" vgt-list
rm "$T/replies/info.json"
check info-unsupported "$XL" vgt-info
fake_stop

fake_start --version 2
check version-mismatch "$XL" vgt-list
check version-mismatch-switch "$XL" vgt-switch 0
fake_stop
finish
