#!/bin/sh
# xl front: usage errors, vgtd not running, bad EDID, unknown port, dry runs without vgtd.
. "$top_srcdir/tests/golden/cli/lib.sh"
cp "$G/data/good.edid" "$G/data/bad-checksum.edid" "$T/"

check help-switch "$XL" vgt-switch --help
check usage-switch-none "$XL" vgt-switch
check usage-switch-many "$XL" vgt-switch a b
check usage-switch-option "$XL" vgt-switch --bogus win10
check usage-list-arg "$XL" vgt-list extra
check usage-info-option "$XL" vgt-info --yaml
check usage-hotplug-short "$XL" vgt-hotplug win10 PORT_B
check usage-hotplug-action "$XL" vgt-hotplug win10 PORT_B plug
check usage-hotplug-noedid "$XL" vgt-hotplug win10 PORT_B connect
check usage-hotplug-disconnect-edid "$XL" vgt-hotplug win10 PORT_B disconnect --edid good.edid
check usage-hotplug-type "$XL" vgt-hotplug win10 PORT_B connect --edid good.edid --type DVI
check usage-hotplug-type-port "$XL" vgt-hotplug win10 PORT_B connect --edid good.edid --type DP_C
check usage-screenshot "$XL" vgt-screenshot win10

check unknown-port "$XL" vgt-hotplug win10 PORT_F connect --edid good.edid
check unknown-override "$XL" vgt-hotplug win10 B connect --edid good.edid --override 7
check bad-edid-checksum "$XL" vgt-hotplug win10 PORT_B connect --edid bad-checksum.edid
check bad-edid-missing "$XL" vgt-hotplug win10 PORT_B connect --edid missing.edid
check bad-edid-dry-run "$XL" -N vgt-hotplug win10 PORT_B connect --edid bad-checksum.edid

check nodaemon-list "$XL" vgt-list
check nodaemon-info "$XL" vgt-info --json
check nodaemon-switch "$XL" vgt-switch win10
check nodaemon-hotplug "$XL" vgt-hotplug win10 PORT_B disconnect
check nodaemon-screenshot "$XL" vgt-screenshot win10 shot.png
check nodaemon-socket-env env VGT_SOCKET=/nonexistent/dir/vgtd.sock "$XL" vgt-list
check nodaemon-not-a-socket env VGT_SOCKET=good.edid "$XL" vgt-list

check dryrun-switch "$XL" -N vgt-switch --force win10
check dryrun-switch-dom0 "$XL" -N vgt-switch 0
check dryrun-hotplug-connect "$XL" -N vgt-hotplug win10 PORT_B connect --edid good.edid
check dryrun-hotplug-connect-opts "$XL" -N vgt-hotplug 5 d connect --edid good.edid --type HDMI_D --override PORT_B
check dryrun-hotplug-disconnect "$XL" -N vgt-hotplug win10 PORT_C disconnect
finish
