#!/bin/sh
# xl create with vgt=1: vgtd checks, then the real xl with the device-model wrapper
# settings; and the wrapper itself, as libxl runs it, against fake-vgtd and a fake QEMU.
. "$top_srcdir/tests/golden/cli/lib.sh"
cp "$G/data/"*.cfg "$G/data/monitor.config" "$T/"
export VGT_PROFILE_DIR="$(cd "$top_srcdir" && pwd)/libxl-vgt/profiles"
export VGT_DM_WRAPPER=$B/xl-plugin/vgt-dm-wrapper
export VGT_XEN_LOG_DIR=$T/log
mkdir -p "$VGT_XEN_LOG_DIR"
cat >"$T/fake-xl" <<'SH'
#!/bin/sh
echo "real xl:"
for a in "$@"; do echo "  $a"; done
exit "${FAKE_XL_RC:-3}"
SH
# As libxl when the device model fails: the wrapper's words are in the qemu-dm log.
cat >"$T/fake-xl-dmfail" <<'SH'
#!/bin/sh
cat >"$VGT_XEN_LOG_DIR/qemu-dm-win10.log" <<'LOG'
vgt-dm-wrapper: domain 14: vGPU not attached: low GM: asked 64 MB, largest free run 0 MB
LOG
echo "libxl: error: libxl_dm.c:3131:device_model_spawn_outcome: Domain 14:domain 14 device model: spawn failed (rc=-3)" >&2
echo "libxl: error: libxl_create.c:1865:domcreate_devmodel_started: Domain 14:device model did not start: -3" >&2
exit 1
SH
cat >"$T/fake-qemu" <<'SH'
#!/bin/sh
echo "qemu:" "$@"
exit 0
SH
chmod +x "$T/fake-xl" "$T/fake-xl-dmfail" "$T/fake-qemu"
export VGT_REAL_XL=$T/fake-xl

check create-nodaemon "$XL" create guest.cfg
check create-plain-nodaemon "$XL" create -p plain.cfg memory=512

fake_start
check create-nospace "$XL" create guest.cfg
sed -e 's/"low_free_mb":0,"low_largest_mb":0/"low_free_mb":128,"low_largest_mb":128/' \
    -e 's/"fences_largest":16/"fences_largest":2/' "$G/replies/info.json" >"$T/replies/info.json"
check create-nofences "$XL" create guest.cfg
sed -e 's/"low_free_mb":0,"low_largest_mb":0/"low_free_mb":128,"low_largest_mb":128/' \
    "$G/replies/info.json" >"$T/replies/info.json"
check create-vgt "$XL" create -p guest.cfg 'vcpus=4'
check create-vgt-socket-verbose env VGT_SOCKET="$T/vgtd.sock" VGT_QEMU=/opt/qemu "$XL" -v create -f guest.cfg
check create-ok env FAKE_XL_RC=0 "$XL" create guest.cfg
check create-dm-failed env VGT_REAL_XL="$T/fake-xl-dmfail" "$XL" create guest.cfg
check create-dmargs "$XL" create guest-dmargs.cfg
check create-dmargs-override "$XL" create guest-dmargs.cfg 'device_model_args_hvm=["-S"]'
check create-dmo "$XL" create guest-dmo.cfg
check create-dmo-override "$XL" create guest.cfg 'device_model_override="/bin/true"'
check create-stubdom "$XL" create guest-stubdom.cfg
check create-nowrapper env VGT_DM_WRAPPER=/nonexistent/vgt-dm-wrapper "$XL" create guest.cfg

# The wrapper, with QEMU's arguments as libxl gives them and ours at the end.
W=$B/xl-plugin/vgt-dm-wrapper
echo '{"ok":true,"guest":{"domid":12,"name":"win10","vgt_id":3,"low_gm_base":201326592,"low_gm_size":67108864,"high_gm_base":5637144576,"high_gm_size":402653184,"fence_base":16,"fence_count":4}}' >"$T/replies/attach.json"
: >"$T/requests.log"
check wrapper-attach env VGT_QEMU="$T/fake-qemu" "$W" -xen-domid 12 -chardev socket,id=libxl-cmd -no-shutdown -nodefaults -name win10 -machine xenfv --vgt-low-mb=64 --vgt-high-mb=384 --vgt-fences=4 --vgt-type=V5_8 --vgt-primary=-1 --vgt-cap=0 --vgt-vcpus=2 --vgt-memory-mb=2048 --vgt-monitor-config=/etc/xen/monitor.config
check wrapper-attach-request cat requests.log
echo '{"ok":false,"errno":28,"error":"ENOSPC","message":"low GM: asked 64 MB, largest free run 0 MB"}' >"$T/replies/attach.json"
check wrapper-nospace "$W" -xen-domid 12 --vgt-low-mb=64 --vgt-high-mb=384 --vgt-fences=4 --vgt-qemu="$T/fake-qemu"
check wrapper-no-domid "$W" -name x --vgt-low-mb=64 --vgt-high-mb=384 --vgt-fences=4
check wrapper-no-sizes "$W" -xen-domid 3 --vgt-low-mb=64
check wrapper-bad-arg "$W" -xen-domid 3 --vgt-low-mb=64 --vgt-high-mb=384 --vgt-fences=4 --vgt-colour=red
check wrapper-bad-value "$W" -xen-domid 3 --vgt-low-mb=lots --vgt-high-mb=384 --vgt-fences=4
check wrapper-incoming "$W" -xen-domid 3 -incoming fd:7 --vgt-low-mb=64 --vgt-high-mb=384 --vgt-fences=4
check wrapper-no-qemu "$W" -xen-domid 3 --vgt-low-mb=64 --vgt-high-mb=384 --vgt-fences=4 --vgt-qemu=/nonexistent/qemu
fake_stop
check wrapper-nodaemon env VGT_QEMU="$T/fake-qemu" "$W" -xen-domid 12 --vgt-low-mb=64 --vgt-high-mb=384 --vgt-fences=4
finish
