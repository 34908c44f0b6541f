# tests/cli.mk: vgtd's control protocol, its client library and the xl front.
unit_tests += tests/unit/test-proto
tests_unit_test_proto_SOURCES = tests/unit/test-proto.c
tests_unit_test_proto_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_proto_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS)
