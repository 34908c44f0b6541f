# tests/cli.mk: vgtd's control protocol, its client library and the xl front.
unit_tests += tests/unit/test-proto
tests_unit_test_proto_SOURCES = tests/unit/test-proto.c
tests_unit_test_proto_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_proto_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS)

unit_tests += tests/unit/test-client
tests_unit_test_client_SOURCES = tests/unit/test-client.c
tests_unit_test_client_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_client_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS)

# Golden tests of the xl front, against fake-vgtd (canned replies).
check_PROGRAMS += tests/golden/cli/fake-vgtd
tests_golden_cli_fake_vgtd_SOURCES = tests/golden/cli/fake-vgtd.c
tests_golden_cli_fake_vgtd_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_golden_cli_fake_vgtd_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS)
cli_golden = tests/golden/cli/errors.sh tests/golden/cli/daemon.sh tests/golden/cli/create.sh \
	tests/golden/cli/passthrough.sh tests/golden/cli/install.sh \
	tests/golden/cli/man.sh
TESTS += $(cli_golden)
EXTRA_DIST += $(cli_golden) tests/golden/cli/lib.sh tests/golden/cli/expected \
	tests/golden/cli/replies tests/golden/cli/data man/xl-vgt.1.pod man/vgtd-protocol.7.pod

# libFuzzer target: the protocol decoder and the client's reply parsing.
fuzz_targets += fuzz-proto
fuzz_proto_sources = tests/fuzz/fuzz-proto.c libxl-vgt/proto.c libxl-vgt/client.c \
	libxl-vgt/error.c libxl-vgt/monitor.c libxl-vgt/edid.c
tests/fuzz/fuzz-proto: $(addprefix $(srcdir)/,$(fuzz_proto_sources))
	$(FUZZ_BUILD) -DPACKAGE_VERSION='"$(PACKAGE_VERSION)"' -o $@ $^ $(YAJL_LIBS)
EXTRA_DIST += tests/fuzz/fuzz-proto.c tests/fuzz/seeds/fuzz-proto
CLEANFILES += tests/fuzz/fuzz-proto
